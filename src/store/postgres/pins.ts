import { messageDeleted, messageNotFound, roomNotFound } from '../../core/failures.js';
import { pinLimitReached } from '../../core/pins.js';
import type { MessageId, RoomId } from '../../core/types.js';
import type { NewPin, PinBoard, PinOutcome, PinRecord } from '../../engine/ports/store.js';
import { PIN_COLUMNS, PIN_FROM, PIN_JOINS, toPin, type PinRow } from '../pinRows.js';
import { sql, type Db } from './db.js';
import { COLUMNS, JOINS } from './messageLog.js';

const SELECT = `SELECT ${COLUMNS}, ${PIN_COLUMNS} ${PIN_FROM} ${JOINS} ${PIN_JOINS}`;

const q = {
  one: sql('pin.one', `${SELECT} WHERE pn.room_id = $1 AND pn.message_id = $2`),
  list: sql(
    'pin.list',
    `${SELECT} WHERE pn.room_id = $1 AND m.deleted_at IS NULL ORDER BY pn.pinned_at DESC, pn.message_id DESC`,
  ),
  // Every pin of a room takes the room row's lock first, so that two pins on two nodes cannot both pass the
  // bound; a message's append waits for it only for the length of one pin.
  lockRoom: sql('pin.lock-room', 'SELECT id FROM rooms WHERE id = $1 FOR UPDATE'),
  message: sql('pin.message', 'SELECT deleted_at FROM messages WHERE room_id = $1 AND id = $2'),
  // Pins of deleted messages are not counted: a deletion unpins, and should that fail they still do not count.
  count: sql('pin.count', `SELECT count(*) AS n ${PIN_FROM} WHERE pn.room_id = $1 AND m.deleted_at IS NULL`),
  insert: sql(
    'pin.insert',
    'INSERT INTO pins (room_id, message_id, pinned_by, pinned_at) VALUES ($1, $2, $3, $4)',
  ),
  remove: sql('pin.remove', 'DELETE FROM pins WHERE room_id = $1 AND message_id = $2 RETURNING message_id'),
};

export class PostgresPinBoard implements PinBoard {
  constructor(private readonly db: Db) {}

  async pin({ roomId, messageId, by, at, max }: NewPin): Promise<PinOutcome> {
    return this.db.transaction(async (tx) => {
      if ((await tx.query(q.lockRoom, [roomId])).length === 0) throw roomNotFound();
      const [message] = await tx.query<{ deleted_at: number | null }>(q.message, [roomId, messageId]);
      if (!message) throw messageNotFound();
      if (message.deleted_at !== null) throw messageDeleted();
      const [existing] = await tx.query<PinRow>(q.one, [roomId, messageId]);
      if (existing) return { pin: toPin(existing), added: false };
      const [counted] = await tx.query<{ n: number }>(q.count, [roomId]);
      if ((counted?.n ?? 0) >= max) throw pinLimitReached(max);
      await tx.query(q.insert, [roomId, messageId, by, at]);
      const [row] = await tx.query<PinRow>(q.one, [roomId, messageId]);
      if (!row) throw new Error('a pin just written was not found');
      return { pin: toPin(row), added: true };
    });
  }

  async unpin(roomId: RoomId, messageId: MessageId): Promise<boolean> {
    return (await this.db.query(q.remove, [roomId, messageId])).length > 0;
  }

  async list(roomId: RoomId): Promise<PinRecord[]> {
    return (await this.db.query<PinRow>(q.list, [roomId])).map(toPin);
  }
}
