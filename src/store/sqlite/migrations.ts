import type Database from 'better-sqlite3';
import { checkOrder, refuseUnknownVersions } from '../migrations.js';
import type { Migration } from '../migrations.js';

export type { Migration };

/**
 * Migrations run inside a transaction, where SQLite ignores `PRAGMA foreign_keys`; a later migration that has to
 * rebuild a table must therefore not rely on switching foreign keys off.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    // STRICT tables: SQLite otherwise stores whatever type it is given, and a bug would go unnoticed.
    // AUTOINCREMENT: ids of deleted rooms and messages are never handed out again, so a stale id held by a
    // client or a moderation record cannot come to mean something else.
    // Enum-like columns (role, kind, visibility) carry no CHECK: SQLite cannot alter a CHECK without rebuilding the
    // table, and the values are checked when rows are read.
    sql: `
      CREATE TABLE apps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        settings TEXT NOT NULL, -- AppSettings as JSON
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        username TEXT NOT NULL,
        username_key TEXT NOT NULL, -- usernameKey(username): names are unique per app without regard to case
        role TEXT NOT NULL,
        kind TEXT NOT NULL,
        password_hash TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX users_app_key ON users(app_id, username_key);
      CREATE INDEX users_app_id ON users(app_id, id); -- listUsers pages by id within an app

      CREATE TABLE rooms (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        visibility TEXT NOT NULL,
        topic TEXT NOT NULL DEFAULT '',
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        -- The room's message counter, bumped in the same transaction as each insert so that seqs are gapless.
        last_seq INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE UNIQUE INDEX rooms_app_key ON rooms(app_id, name_key);

      CREATE TABLE room_members (
        room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (room_id, user_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE access_tokens (
        hash TEXT PRIMARY KEY, -- sha256 hex; the token itself is never stored
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE mutes (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id INTEGER REFERENCES rooms(id) ON DELETE CASCADE, -- NULL: the whole app
        expires_at INTEGER,
        reason TEXT NOT NULL,
        by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      -- One mute per (app, user, room or whole app). NULLs are distinct in a unique index, so the app-wide mute
      -- is folded to room 0, which no room has.
      CREATE UNIQUE INDEX mutes_key ON mutes(app_id, user_id, IFNULL(room_id, 0));
      CREATE INDEX mutes_room ON mutes(room_id); -- deleteRoom cascades here

      CREATE TABLE bans (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER,
        reason TEXT NOT NULL,
        by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app_id, user_id)
      ) STRICT;

      -- The audit trail outlives the rooms and users it names, so those ids carry no foreign key.
      CREATE TABLE moderation (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        actor_id INTEGER,
        target_id INTEGER,
        room_id INTEGER,
        detail TEXT NOT NULL, -- JSON object
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX moderation_app_id ON moderation(app_id, id); -- newest first, paged by id

      CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL,
        room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        author_id INTEGER REFERENCES users(id) ON DELETE SET NULL, -- NULL for system messages
        text TEXT NOT NULL,
        html TEXT NOT NULL,
        client_msg_id TEXT,
        created_at INTEGER NOT NULL,
        edited_at INTEGER,
        deleted_at INTEGER
      ) STRICT;
      -- Serves range() and lastSeq checks, and makes a duplicate seq impossible rather than merely unlikely.
      CREATE UNIQUE INDEX messages_room_seq ON messages(room_id, seq);
      -- A retried send (same author, room and clientMsgId) finds its original instead of posting twice.
      CREATE UNIQUE INDEX messages_client_id ON messages(room_id, author_id, client_msg_id)
        WHERE client_msg_id IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: 'guest reaping and tombstone authors',
    // last_seen_at: when a guest last signed in or was seen connected (NULL: never since it was created), so
    // that every node can tell an unused guest. author_name: the author's name as it was when the message was
    // written, which a removed guest's messages keep showing. The indexes serve what removing a user cascades
    // to (SQLite looks up the child rows of a foreign key one deleted parent at a time).
    sql: `
      ALTER TABLE users ADD COLUMN last_seen_at INTEGER;
      CREATE INDEX users_guests_seen ON users(app_id, COALESCE(last_seen_at, created_at)) WHERE kind = 'guest';
      ALTER TABLE messages ADD COLUMN author_name TEXT;
      UPDATE messages SET author_name = (SELECT u.username FROM users u WHERE u.id = messages.author_id)
        WHERE author_id IS NOT NULL;
      CREATE INDEX messages_author ON messages(author_id);
      CREATE INDEX access_tokens_user ON access_tokens(user_id);
      CREATE INDEX room_members_user ON room_members(user_id);
    `,
  },
  {
    version: 8,
    name: 'direct messages and blocks',
    // dm_pairs: one DM room per pair of users, low id first, so that openers racing on any node find one row.
    // blocks: who blocked whom; both go with their users (and the pair with its room).
    sql: `
      CREATE TABLE dm_pairs (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        low_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        high_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app_id, low_id, high_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX dm_pairs_high ON dm_pairs(app_id, high_id);
      CREATE INDEX dm_pairs_room ON dm_pairs(room_id);
      CREATE TABLE blocks (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app_id, blocker_id, blocked_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX blocks_blocked ON blocks(blocked_id);
    `,
  },
];

const CREATE_TRACKING = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT
`;

/**
 * Brings the database up to the newest migration and returns how many were applied. All of them commit together
 * or not at all; the transaction is IMMEDIATE so that two processes opening the same file do not both migrate.
 * A database migrated by a newer build (a version this build does not know) is refused rather than written to.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: number = Date.now(),
): number {
  checkOrder(migrations);
  const apply = db.transaction((): number => {
    db.exec(CREATE_TRACKING);
    const applied = new Set(db.prepare<[], number>('SELECT version FROM schema_migrations').pluck().all());
    refuseUnknownVersions(applied, migrations);
    const record = db.prepare<[number, string, number]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    let count = 0;
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now);
      count++;
    }
    return count;
  });
  return apply.immediate();
}
