// Every store contract against a SQLite file with the message writer in a worker thread (writer/index.ts):
// appends go through the worker's batches, everything else through the main connection, and the contracts
// must not be able to tell.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { storeContract } from './contract.js';
import { repliesContract } from './contract-replies.js';
import { reactionStoreContract } from './contract-reactions.js';
import { readStateContract } from './contract-read.js';
import { searchContract } from './contract-search.js';
import { dmStoreContract } from './contract-dms.js';
import { upgradeContract } from './contract-upgrade.js';
import { profileStoreContract } from './contract-profiles.js';
import { reportStoreContract } from './contract-reports.js';
import { strikeStoreContract } from './contract-strikes.js';
import { linkPreviewStoreContract } from './contract-linkPreviews.js';
import { attachmentStoreContract } from './contract-attachments.js';
import { webhookStoreContract } from './contract-webhooks.js';
import { dataProtectionContract } from './contract-data-protection.js';
import { botStoreContract } from './contract-bots.js';

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
for (const contract of [
  storeContract,
  repliesContract,
  reactionStoreContract,
  readStateContract,
  searchContract,
  dmStoreContract,
  upgradeContract,
  profileStoreContract,
  reportStoreContract,
  strikeStoreContract,
  linkPreviewStoreContract,
  attachmentStoreContract,
  webhookStoreContract,
  dataProtectionContract,
  botStoreContract,
]) {
  contract(name, open, cleanup);
}
