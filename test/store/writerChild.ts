// The child of sqliteWriterKill.test.ts: appends to one room through the worker writer as fast as it can, with
// 64 appends in flight, and prints `ack <clientMsgId> <seq>` for each one acknowledged (resolved after its
// batch's COMMIT), until it is killed.
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const [path, appId, roomId, authorId] = process.argv.slice(2);
if (!path || !appId || !roomId || !authorId)
  throw new Error('usage: writerChild.ts <path> <appId> <roomId> <authorId>');
const store = openSqliteStore({ path, writer: 'worker' });
let next = 1;

async function lane(): Promise<void> {
  for (;;) {
    const clientMsgId = `k${next++}`;
    const { message } = await store.messages.append({
      appId: Number(appId),
      roomId: Number(roomId),
      kind: 'text',
      authorId: Number(authorId),
      text: clientMsgId,
      html: clientMsgId,
      clientMsgId,
      createdAt: Date.now(),
    });
    process.stdout.write(`ack ${clientMsgId} ${message.seq}\n`);
  }
}

await Promise.all(Array.from({ length: 64 }, lane));
