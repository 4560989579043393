/** The SQLite schema as its ordered migrations (migrations.ts applies them). */
import type { Migration } from '../migrations.js';

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
    version: 3,
    name: 'replies',
    // reply_to_id: the message a reply answers (same room; no foreign key: messages go only with their room).
    // reply_excerpt: the start of the parent's text when the reply was written, cleared when the parent is
    // deleted. reply_count: how many replies a message has, bumped in the transaction that commits each reply.
    // The index serves the thread view (replies in seq order) and the clearing of quotes.
    sql: `
      ALTER TABLE messages ADD COLUMN reply_to_id INTEGER;
      ALTER TABLE messages ADD COLUMN reply_excerpt TEXT;
      ALTER TABLE messages ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX messages_reply_to ON messages(reply_to_id, seq) WHERE reply_to_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'pins',
    // The messages pinned in a room, who pinned them (NULL: the operator, or a user since removed) and when.
    sql: `
      CREATE TABLE pins (
        room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        pinned_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        pinned_at INTEGER NOT NULL,
        PRIMARY KEY (room_id, message_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX pins_message ON pins(message_id);
      CREATE INDEX pins_user ON pins(pinned_by);
    `,
  },
  {
    version: 5,
    name: 'reactions',
    // One row per (message, user, emoji). The unique index serves a page's counts (by message), the count of
    // one emoji and the idempotent add; reactions_user serves the cascade from a removed user (a guest).
    // id orders "first use" among emoji with the same count.
    sql: `
      CREATE TABLE reactions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        emoji TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX reactions_message_emoji_user ON reactions(message_id, emoji, user_id);
      CREATE INDEX reactions_user ON reactions(user_id);
    `,
  },
  {
    version: 6,
    name: 'mentions and read markers',
    // message_mentions: the users a message mentioned when it was posted, in the order of the text (pos); room
    // and seq are copied from the message so that a user's unread mentions are counted from the index alone.
    // read_markers: per user and room, the seq up to which the user has read. Both go with their message, user
    // or room (the cascades are served by the primary keys and the room index).
    sql: `
      CREATE TABLE message_mentions (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        pos INTEGER NOT NULL,
        PRIMARY KEY (message_id, user_id)
      ) STRICT;
      CREATE INDEX message_mentions_user ON message_mentions(user_id, room_id, seq);

      CREATE TABLE read_markers (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        app_id INTEGER NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 0),
        PRIMARY KEY (user_id, room_id)
      ) STRICT;
      CREATE INDEX read_markers_room ON read_markers(room_id);
    `,
  },
  {
    version: 7,
    name: 'full-text search of messages',
    // An external-content FTS5 index over messages.text (rowid = messages.id): the words live only in the
    // index, the text stays in messages. Triggers keep it exact: a new message is added, an edit or a delete
    // (which clears the text) replaces the old words with the new (none), a removed room's messages leave
    // with their rows. 'delete' must be given the text as it was indexed, which OLD.text is. unicode61 with
    // diacritics kept: words are runs of letters and digits, folded to lower case, as PostgreSQL's 'simple'
    // configuration sees them ("cafe" does not find "café" on either store). Backfilled from every message.
    sql: `
      CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0'
      );
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (NEW.id, NEW.text);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
        INSERT INTO messages_fts (rowid, text) VALUES (NEW.id, NEW.text);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
      END;
      INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages;
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
  {
    version: 9,
    name: 'user profiles',
    // Null: not set. Read with the user and joined with every message author, so no read of its own.
    sql: `
      ALTER TABLE users ADD COLUMN display_name TEXT;
      ALTER TABLE users ADD COLUMN avatar_url TEXT;
    `,
  },
  {
    version: 10,
    name: 'message visibility, reports, the moderation queue, shadow mutes',
    // visibility: who may see a message (core/types.ts MessageVisibility). reports: one per user and message.
    // report_queue: one entry per reported or held message, open until a moderator resolves it. Both go with
    // their message (and so with its room).
    sql: `
      ALTER TABLE messages ADD COLUMN visibility TEXT NOT NULL DEFAULT 'visible';
      CREATE TABLE reports (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, reporter_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX reports_reporter ON reports(reporter_id);
      CREATE TABLE report_queue (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        room_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        resolution TEXT,
        resolved_by INTEGER,
        resolved_at INTEGER,
        note TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX report_queue_status ON report_queue(app_id, status, message_id);
      CREATE TABLE shadow_mutes (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER,
        reason TEXT NOT NULL,
        by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app_id, user_id)
      ) STRICT;
    `,
  },
  {
    version: 11,
    name: 'slow mode and strikes',
    // slow_mode_seconds: 0 is off. The author index serves slow mode's look for the author's last message in
    // the room, made inside the append's transaction. Strikes are counted per user while unexpired.
    sql: `
      ALTER TABLE rooms ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX messages_room_author_time ON messages(room_id, author_id, created_at);
      CREATE TABLE strikes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX strikes_user ON strikes(app_id, user_id, expires_at);
    `,
  },
  {
    version: 12,
    name: 'token ids, revocations, admin audit',
    // access_tokens.id names a token for listing and revoking; tokens issued before it get a random one.
    // user_revocations: the time before which a user's credentials (site JWTs) are refused.
    // admin_audit has no foreign key on apps: the record of what happened to an app outlives the app.
    sql: `
      ALTER TABLE access_tokens ADD COLUMN id TEXT;
      UPDATE access_tokens SET id = lower(hex(randomblob(12))) WHERE id IS NULL;
      CREATE UNIQUE INDEX access_tokens_id ON access_tokens(id);
      CREATE TABLE user_revocations (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        not_before INTEGER NOT NULL,
        PRIMARY KEY (app_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE admin_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        address TEXT,
        action TEXT NOT NULL,
        changes TEXT NOT NULL -- JSON
      ) STRICT;
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
        app_id INTEGER NOT NULL,
        room_id INTEGER NOT NULL,
        uploader_id INTEGER NOT NULL,
        message_id INTEGER,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        type TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        thumb_type TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX attachments_message ON attachments(message_id, position);
      CREATE INDEX attachments_room ON attachments(room_id);
      CREATE INDEX attachments_unsent ON attachments(app_id, uploader_id) WHERE message_id IS NULL;
      CREATE INDEX attachments_unsent_age ON attachments(created_at) WHERE message_id IS NULL;
    `,
  },
  {
    version: 14,
    name: 'data protection: erasures, retention, leases',
    // rooms.retention_days: the room's own retention (NULL: the app's; 0: kept forever). The index serves the
    // retention purge (a room's oldest messages first). erasures: the record of each erased user, kept without
    // a foreign key on apps or users (it outlives both) and without the username (only its hash). leases: a
    // named job held by one node of the cluster until it expires (the retention purge).
    sql: `
      ALTER TABLE rooms ADD COLUMN retention_days INTEGER;
      CREATE INDEX messages_room_created ON messages(room_id, created_at);
      CREATE TABLE erasures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        username_hash TEXT NOT NULL,
        messages TEXT NOT NULL,
        counts TEXT NOT NULL -- JSON
      ) STRICT;
      CREATE INDEX erasures_app ON erasures(app_id, id);
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 15,
    name: 'outgoing webhooks and their outbox',
    // One delivery row per event and endpoint, written in the transaction of the change it tells. The partial
    // index holds only unfinished rows, so finding the head of each (endpoint, key) queue stays small however
    // long the delivered history grows.
    sql: `
      CREATE TABLE webhooks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        events TEXT NOT NULL, -- JSON array
        enabled INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX webhooks_app ON webhooks(app_id, id);
      CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id INTEGER NOT NULL,
        webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        type TEXT NOT NULL,
        order_key TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status INTEGER,
        last_failure TEXT,
        next_attempt_at INTEGER,
        claimed_by TEXT,
        claim_until INTEGER,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
      ) STRICT;
      CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
      CREATE INDEX webhook_deliveries_open ON webhook_deliveries(webhook_id, order_key, id)
        WHERE status IN ('pending', 'failed-retrying');
    `,
  },
  {
    version: 16,
    name: 'bots',
    // A bot is a user of kind 'bot'; this keeps its endpoint (JSON {url, secret} or NULL), its commands (a JSON
    // array) and the id of its API key, which is an access token without expiry.
    sql: `
      CREATE TABLE bots (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        endpoint TEXT,
        commands TEXT NOT NULL,
        key_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app_id, user_id)
      ) STRICT;
    `,
  },
  {
    version: 17,
    name: 'link previews',
    // One preview per message (JSON: url, title, description, siteName, imageUrl), apart from the message row
    // so that reads that do not show previews never carry it; it goes with its message.
    sql: `
      CREATE TABLE link_previews (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        preview TEXT NOT NULL -- JSON
      ) STRICT;
    `,
  },
];
