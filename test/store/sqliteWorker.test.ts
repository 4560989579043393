// The store contracts about appending (messages, replies, DMs, the webhook outbox written with a message),
// against a SQLite file with the message writer in a worker thread (writer/index.ts): appends go through the
// worker's batches, everything else through the main connection, and the contracts must not be able to tell.
// The other contracts (reactions, read state, search, profiles, reports, ...) append only to set up what they
// test, which runs on the main connection and is covered by test/store/sqlite.test.ts; every test here opens a
// file and starts a worker, which is why they are not repeated here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { storeContract } from './contract.js';
import { repliesContract } from './contract-replies.js';
import { dmStoreContract } from './contract-dms.js';
import { webhookStoreContract } from './contract-webhooks.js';

const dirs = new WeakMap<Store, string>();

async function open(): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-writer-'));
  const store = openSqliteStore({ path: join(dir, 'parley.db'), writer: 'worker' });
  dirs.set(store, dir);
  return store;
}

async function cleanup(store: Store): Promise<void> {
  await store.close();
  const dir = dirs.get(store);
  if (dir) await rm(dir, { recursive: true, force: true });
}

const name = 'sqlite file, worker writer';
for (const contract of [storeContract, repliesContract, dmStoreContract, webhookStoreContract]) {
  contract(name, open, cleanup);
}
