import type Database from 'better-sqlite3';
import { messageDeleted, messageNotFound, roomNotFound } from '../../core/failures.js';
import { pinLimitReached } from '../../core/pins.js';
import type { MessageId, RoomId } from '../../core/types.js';
import type { NewPin, PinBoard, PinOutcome, PinRecord } from '../../engine/ports/store.js';
import { PIN_COLUMNS, PIN_FROM, PIN_JOINS, toPin, type PinRow } from '../pinRows.js';
import { guard } from './errors.js';
import { COLUMNS, JOINS } from './messageLog.js';

const SELECT = `SELECT ${COLUMNS}, ${PIN_COLUMNS} ${PIN_FROM} ${JOINS} ${PIN_JOINS}`;

function prepare(db: Database.Database) {
  return {
    one: db.prepare<[number, number], PinRow>(`${SELECT} WHERE pn.room_id = ? AND pn.message_id = ?`),
    list: db.prepare<[number], PinRow>(
      `${SELECT} WHERE pn.room_id = ? AND m.deleted_at IS NULL ORDER BY pn.pinned_at DESC, pn.message_id DESC`,
    ),
    room: db.prepare<[number], number>('SELECT id FROM rooms WHERE id = ?').pluck(),
    message: db
      .prepare<[number, number], number | null>(
        'SELECT deleted_at FROM messages WHERE room_id = ? AND id = ?',
      )
      .pluck(),
    // Pins of deleted messages are not counted: a deletion unpins, and should that fail they still do not count.
    count: db
      .prepare<[number], number>(`SELECT count(*) ${PIN_FROM} WHERE pn.room_id = ? AND m.deleted_at IS NULL`)
      .pluck(),
    insert: db.prepare<[number, number, number | null, number]>(
      'INSERT INTO pins (room_id, message_id, pinned_by, pinned_at) VALUES (?, ?, ?, ?)',
    ),
    remove: db.prepare<[number, number]>('DELETE FROM pins WHERE room_id = ? AND message_id = ?'),
  };
}

export class SqlitePinBoard implements PinBoard {
  private readonly q: ReturnType<typeof prepare>;
  private readonly pinTx: (input: NewPin) => PinOutcome;

  constructor(private readonly db: Database.Database) {
    this.q = prepare(db);
    // IMMEDIATE: the count and the insert hold the write lock together, so two pins cannot both pass the bound.
    const tx = db.transaction((input: NewPin) => this.pinLocked(input));
    this.pinTx = (input) => tx.immediate(input);
  }

  private pinLocked({ roomId, messageId, by, at, max }: NewPin): PinOutcome {
    if (this.q.room.get(roomId) === undefined) throw roomNotFound();
    const deletedAt = this.q.message.get(roomId, messageId);
    if (deletedAt === undefined) throw messageNotFound();
    if (deletedAt !== null) throw messageDeleted();
    const existing = this.q.one.get(roomId, messageId);
    if (existing) return { pin: toPin(existing), added: false };
    if ((this.q.count.get(roomId) ?? 0) >= max) throw pinLimitReached(max);
    this.q.insert.run(roomId, messageId, by, at);
    const row = this.q.one.get(roomId, messageId);
    if (!row) throw new Error('a pin just written was not found');
    return { pin: toPin(row), added: true };
  }

  async pin(input: NewPin): Promise<PinOutcome> {
    return guard(this.db, () => this.pinTx(input));
  }

  async unpin(roomId: RoomId, messageId: MessageId): Promise<boolean> {
    return guard(this.db, () => this.q.remove.run(roomId, messageId).changes > 0);
  }

  async list(roomId: RoomId): Promise<PinRecord[]> {
    return guard(this.db, () => this.q.list.all(roomId).map(toPin));
  }
}
