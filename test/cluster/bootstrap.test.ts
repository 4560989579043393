/**
 * Nodes that start together (docs/deploy.md: "Migrations run at start under an advisory lock, so nodes may
 * start together"): the first start's bootstrap (app 1 "default" with its lobby) must happen once however many
 * nodes run it at the same moment. Engines in this process on one fresh PostgreSQL schema, each with its own
 * pool, as separate processes would have; their migrations and bootstraps run concurrently.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/engine/ports/store.js';
import { clusterServicesAvailable, TEST_DATABASE_URL } from '../helpers/cluster.js';
import { createTestEngine, type TestEngine } from '../helpers/engine.js';

const available = await clusterServicesAvailable('test/cluster/bootstrap');

const NODES = 4;

describe.skipIf(!available)('[cluster.bootstrap] nodes starting together on an empty database', () => {
  const schemas: string[] = [];
  const stores: Store[] = [];
  const engines: TestEngine[] = [];
  const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  admin.on('error', () => {});

  afterAll(async () => {
    for (const engine of engines) await engine.close();
    for (const store of stores) await store.close();
    for (const schema of schemas)
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  });

  it('create one default app and one lobby, whichever node gets there first', async () => {
    const results: { apps: number; lobbies: number }[] = [];
    // A few rounds: the race is between the bootstraps' read and insert, so give it several chances.
    for (let round = 0; round < 3; round++) {
      const schema = `parley_boot_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      const opened = await Promise.all(
        Array.from({ length: NODES }, () =>
          openPostgresStore({ connectionString: TEST_DATABASE_URL, schema }),
        ),
      );
      stores.push(...opened);
      engines.push(...(await Promise.all(opened.map((store) => createTestEngine({ store })))));
      const apps = await admin.query(`SELECT id FROM ${pg.escapeIdentifier(schema)}.apps`);
      const lobbies = await admin.query(
        `SELECT id FROM ${pg.escapeIdentifier(schema)}.rooms WHERE name_key = 'lobby'`,
      );
      results.push({ apps: apps.rowCount ?? 0, lobbies: lobbies.rowCount ?? 0 });
    }
    expect(results).toEqual(Array.from({ length: 3 }, () => ({ apps: 1, lobbies: 1 })));
  }, 60_000);
});
