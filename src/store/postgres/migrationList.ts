/** The PostgreSQL schema as its ordered migrations (migrations.ts applies them). */
import type { Migration } from '../migrations.js';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    // The same tables as the SQLite store. Ids are BIGSERIAL (never handed out again, so a stale id held by a
    // client or a moderation record cannot come to mean something else), times are BIGINT milliseconds, and
    // settings and detail are JSONB. Enum-like columns (role, kind, visibility) carry no CHECK, as in SQLite:
    // the values are checked when rows are read, so adding a value needs no migration.
    // Case-insensitive names use a key column written by the application (usernameKey), not lower(): lower()
    // depends on the database's locale, and the key must fold exactly as it does in the SQLite store.
    sql: `
      CREATE TABLE apps (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        settings JSONB NOT NULL,
        created_at BIGINT NOT NULL
      );

      CREATE TABLE users (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        username TEXT NOT NULL,
        username_key TEXT NOT NULL, -- usernameKey(username): names are unique per app without regard to case
        role TEXT NOT NULL,
        kind TEXT NOT NULL,
        password_hash TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX users_app_key ON users(app_id, username_key);
      CREATE INDEX users_app_id ON users(app_id, id); -- listUsers pages by id within an app

      CREATE TABLE rooms (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        visibility TEXT NOT NULL,
        topic TEXT NOT NULL DEFAULT '',
        created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
        created_at BIGINT NOT NULL,
        -- The room's message counter. Each append bumps it with UPDATE ... RETURNING in the same transaction as
        -- its insert: the row lock makes writers of one room (on any node) take turns, and a rolled-back append
        -- gives its number back, so seqs stay gapless.
        last_seq BIGINT NOT NULL DEFAULT 0 CHECK (last_seq >= 0)
      );
      CREATE UNIQUE INDEX rooms_app_key ON rooms(app_id, name_key);
      CREATE INDEX rooms_app_id ON rooms(app_id, id);

      CREATE TABLE room_members (
        room_id BIGINT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (room_id, user_id)
      );
      CREATE INDEX room_members_user ON room_members(user_id);

      CREATE TABLE access_tokens (
        hash TEXT PRIMARY KEY, -- sha256 hex; the token itself is never stored
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at BIGINT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX access_tokens_user ON access_tokens(user_id);

      CREATE TABLE mutes (
        id BIGSERIAL PRIMARY KEY, -- only orders mutes of the same created_at
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id BIGINT REFERENCES rooms(id) ON DELETE CASCADE, -- NULL: the whole app
        expires_at BIGINT,
        reason TEXT NOT NULL,
        by_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
        created_at BIGINT NOT NULL
      );
      -- One mute per (app, user, room or whole app). NULLs are distinct in a unique index, so the app-wide mute
      -- is folded to room 0, which no room has. putMute names this expression in ON CONFLICT.
      CREATE UNIQUE INDEX mutes_key ON mutes(app_id, user_id, (COALESCE(room_id, 0)));
      CREATE INDEX mutes_room ON mutes(room_id); -- deleteRoom cascades here

      CREATE TABLE bans (
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at BIGINT,
        reason TEXT NOT NULL,
        by_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, user_id)
      );

      -- The audit trail outlives the rooms and users it names, so those ids carry no foreign key.
      CREATE TABLE moderation (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        actor_id BIGINT,
        target_id BIGINT,
        room_id BIGINT,
        detail JSONB NOT NULL CHECK (jsonb_typeof(detail) = 'object'),
        created_at BIGINT NOT NULL
      );
      CREATE INDEX moderation_app_id ON moderation(app_id, id); -- newest first, paged by id

      CREATE TABLE messages (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL,
        room_id BIGINT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        seq BIGINT NOT NULL CHECK (seq > 0),
        kind TEXT NOT NULL,
        author_id BIGINT REFERENCES users(id) ON DELETE SET NULL, -- NULL for system messages
        text TEXT NOT NULL,
        html TEXT NOT NULL,
        client_msg_id TEXT,
        created_at BIGINT NOT NULL,
        edited_at BIGINT,
        deleted_at BIGINT
      );
      -- Serves range() and lastSeq checks, and makes a duplicate seq impossible rather than merely unlikely.
      CREATE UNIQUE INDEX messages_room_seq ON messages(room_id, seq);
      -- A retried send (same author, room and clientMsgId) finds its original instead of posting twice, on any
      -- node: append names this index in ON CONFLICT.
      CREATE UNIQUE INDEX messages_client_id ON messages(room_id, author_id, client_msg_id)
        WHERE client_msg_id IS NOT NULL;
      CREATE INDEX messages_author ON messages(author_id); -- ON DELETE SET NULL from users
    `,
  },
  {
    version: 2,
    name: 'guest reaping and tombstone authors',
    // As in the SQLite store: last_seen_at tells every node when a guest was last signed in or seen connected
    // (NULL: not since it was created); author_name keeps the name a removed guest's messages show.
    sql: `
      ALTER TABLE users ADD COLUMN last_seen_at BIGINT;
      CREATE INDEX users_guests_seen ON users(app_id, (COALESCE(last_seen_at, created_at))) WHERE kind = 'guest';
      ALTER TABLE messages ADD COLUMN author_name TEXT;
      UPDATE messages m SET author_name = u.username FROM users u WHERE u.id = m.author_id;
    `,
  },
  {
    version: 3,
    name: 'replies',
    // As in the SQLite store: the parent a reply answers, the quote of its text (cleared when the parent is
    // deleted) and each message's reply count, bumped in the transaction that commits each reply.
    sql: `
      ALTER TABLE messages ADD COLUMN reply_to_id BIGINT;
      ALTER TABLE messages ADD COLUMN reply_excerpt TEXT;
      ALTER TABLE messages ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX messages_reply_to ON messages(reply_to_id, seq) WHERE reply_to_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'pins',
    // As in the SQLite store: the messages pinned in a room, by whom (NULL: the operator) and when.
    sql: `
      CREATE TABLE pins (
        room_id BIGINT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        pinned_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
        pinned_at BIGINT NOT NULL,
        PRIMARY KEY (room_id, message_id)
      );
      CREATE INDEX pins_message ON pins(message_id);
      CREATE INDEX pins_user ON pins(pinned_by);
    `,
  },
  {
    version: 5,
    name: 'reactions',
    // As in the SQLite store: one row per (message, user, emoji); the unique index serves a page's counts, the
    // count of one emoji and the idempotent add (ON CONFLICT); reactions_user the cascade from a removed user.
    sql: `
      CREATE TABLE reactions (
        id BIGSERIAL PRIMARY KEY,
        message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        emoji TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX reactions_message_emoji_user ON reactions(message_id, emoji, user_id);
      CREATE INDEX reactions_user ON reactions(user_id);
    `,
  },
  {
    version: 6,
    name: 'mentions and read markers',
    // The same tables as the SQLite store: the users a message mentioned (in the order of the text, with the
    // message's room and seq for counting from the index alone) and each user's read marker per room.
    sql: `
      CREATE TABLE message_mentions (
        message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        pos INTEGER NOT NULL,
        PRIMARY KEY (message_id, user_id)
      );
      CREATE INDEX message_mentions_user ON message_mentions(user_id, room_id, seq);

      CREATE TABLE read_markers (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id BIGINT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        app_id BIGINT NOT NULL,
        seq BIGINT NOT NULL CHECK (seq >= 0),
        PRIMARY KEY (user_id, room_id)
      );
      CREATE INDEX read_markers_room ON read_markers(room_id);
    `,
  },
  {
    version: 7,
    name: 'full-text search of messages',
    // The words of each message as a tsvector computed by the database from its text (a stored generated
    // column: an append, an edit or a delete, which clears the text, recomputes it in the same statement) and
    // a GIN index over it. The 'simple' configuration only lower-cases (no stemming, no stop words), so that a
    // word matches as on the SQLite store. Adding the column rewrites the table once, which fills it in for
    // every existing message.
    sql: `
      ALTER TABLE messages ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED;
      CREATE INDEX messages_search ON messages USING GIN (search_vector);
    `,
  },
  {
    version: 8,
    name: 'direct messages and blocks',
    // As in the SQLite store: one DM room per pair (low id first), and who blocked whom.
    sql: `
      CREATE TABLE dm_pairs (
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        low_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        high_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id BIGINT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, low_id, high_id)
      );
      CREATE INDEX dm_pairs_high ON dm_pairs(app_id, high_id);
      CREATE INDEX dm_pairs_room ON dm_pairs(room_id);
      CREATE TABLE blocks (
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        blocker_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        blocked_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, blocker_id, blocked_id)
      );
      CREATE INDEX blocks_blocked ON blocks(blocked_id);
    `,
  },
  {
    version: 9,
    name: 'user profiles',
    // As in the SQLite store: null when not set.
    sql: `
      ALTER TABLE users ADD COLUMN display_name TEXT;
      ALTER TABLE users ADD COLUMN avatar_url TEXT;
    `,
  },
  {
    version: 10,
    name: 'message visibility, reports, the moderation queue, shadow mutes',
    // As in the SQLite store.
    sql: `
      ALTER TABLE messages ADD COLUMN visibility TEXT NOT NULL DEFAULT 'visible';
      CREATE TABLE reports (
        message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        reporter_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (message_id, reporter_id)
      );
      CREATE INDEX reports_reporter ON reports(reporter_id);
      CREATE TABLE report_queue (
        message_id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        room_id BIGINT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        opened_at BIGINT NOT NULL,
        resolution TEXT,
        resolved_by BIGINT,
        resolved_at BIGINT,
        note TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX report_queue_status ON report_queue(app_id, status, message_id);
      CREATE TABLE shadow_mutes (
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at BIGINT,
        reason TEXT NOT NULL,
        by_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, user_id)
      );
    `,
  },
  {
    version: 11,
    name: 'slow mode and strikes',
    // As in the SQLite store.
    sql: `
      ALTER TABLE rooms ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX messages_room_author_time ON messages(room_id, author_id, created_at);
      CREATE TABLE strikes (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        reason TEXT NOT NULL,
        at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX strikes_user ON strikes(app_id, user_id, expires_at);
    `,
  },
  {
    version: 12,
    name: 'token ids, revocations, admin audit',
    // As in the SQLite store: tokens issued before get a random id; the audit outlives the app it names.
    sql: `
      ALTER TABLE access_tokens ADD COLUMN id TEXT;
      UPDATE access_tokens SET id = substr(md5(random()::text || hash), 1, 24) WHERE id IS NULL;
      CREATE UNIQUE INDEX access_tokens_id ON access_tokens(id);
      CREATE TABLE user_revocations (
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        not_before BIGINT NOT NULL,
        PRIMARY KEY (app_id, user_id)
      );
      CREATE TABLE admin_audit (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        address TEXT,
        action TEXT NOT NULL,
        changes JSONB NOT NULL
      );
      CREATE INDEX admin_audit_app ON admin_audit(app_id, id);
    `,
  },
  {
    version: 13,
    name: 'attachments',
    // No foreign keys on rooms or messages: the engine removes a room's or a message's files from the file
    // store first and then these rows, so the rows must outlive the room's deletion until it has read them.
    sql: `
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        app_id BIGINT NOT NULL,
        room_id BIGINT NOT NULL,
        uploader_id BIGINT NOT NULL,
        message_id BIGINT,
        position BIGINT NOT NULL,
        name TEXT NOT NULL,
        size BIGINT NOT NULL,
        type TEXT NOT NULL,
        width BIGINT,
        height BIGINT,
        thumb_type TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX attachments_message ON attachments(message_id, position);
      CREATE INDEX attachments_room ON attachments(room_id);
      CREATE INDEX attachments_unsent ON attachments(app_id, uploader_id) WHERE message_id IS NULL;
      CREATE INDEX attachments_unsent_age ON attachments(created_at) WHERE message_id IS NULL;
    `,
  },
  {
    version: 14,
    name: 'data protection: erasures, retention, leases',
    // As in the SQLite store: a room's own retention (NULL: the app's; 0: kept forever), the purge's index, the
    // record of erased users (no foreign keys: it outlives the app and the user), and named leases.
    sql: `
      ALTER TABLE rooms ADD COLUMN retention_days INTEGER;
      CREATE INDEX messages_room_created ON messages(room_id, created_at);
      CREATE TABLE erasures (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        user_id BIGINT NOT NULL,
        username_hash TEXT NOT NULL,
        messages TEXT NOT NULL,
        counts JSONB NOT NULL
      );
      CREATE INDEX erasures_app ON erasures(app_id, id);
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 15,
    name: 'outgoing webhooks and their outbox',
    // As in the SQLite store; the partial index keeps the heads of the unfinished queues cheap to find.
    sql: `
      CREATE TABLE webhooks (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        events JSONB NOT NULL,
        enabled BOOLEAN NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX webhooks_app ON webhooks(app_id, id);
      CREATE TABLE webhook_deliveries (
        id BIGSERIAL PRIMARY KEY,
        app_id BIGINT NOT NULL,
        webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        type TEXT NOT NULL,
        order_key TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status INTEGER,
        last_failure TEXT,
        next_attempt_at BIGINT,
        claimed_by TEXT,
        claim_until BIGINT,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT
      );
      CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
      CREATE INDEX webhook_deliveries_open ON webhook_deliveries(webhook_id, order_key, id)
        WHERE status IN ('pending', 'failed-retrying');
    `,
  },
  {
    version: 16,
    name: 'bots',
    // As in the SQLite store, with the endpoint and commands as JSONB.
    sql: `
      CREATE TABLE bots (
        app_id BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        endpoint JSONB,
        commands JSONB NOT NULL CHECK (jsonb_typeof(commands) = 'array'),
        key_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (app_id, user_id)
      );
    `,
  },
  {
    version: 17,
    name: 'link previews',
    // As in the SQLite store.
    sql: `
      CREATE TABLE link_previews (
        message_id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        preview JSONB NOT NULL
      );
    `,
  },
];
