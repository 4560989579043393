import Database from 'better-sqlite3';
import { ParleyError } from '../../core/errors.js';
import type { Store } from '../../engine/ports/store.js';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import { SqliteDirectory } from './directory.js';
import { SqliteDmStore } from './dms.js';
import { guard, mapSqliteError } from './errors.js';
import { SqliteGuestRoster } from './guests.js';
import { SqliteMessageLog } from './messageLog.js';
import { InlineMessageWriter } from './writer/inline.js';
import { MessageWriter } from './writer/index.js';
import { SqlitePinBoard } from './pins.js';
import { SqliteReplyLog } from './replies.js';
import { SqliteReactionStore } from './reactions.js';
import { migrate } from './migrations.js';
import { probeWrite } from './probe.js';
import { SqliteReadState } from './readState.js';
import { SqliteSearchIndex } from './search.js';
import { SqliteProfileStore } from './profiles.js';
import { SqliteTokenStore } from './tokens.js';
import { SqliteAuditStore } from './audit.js';
import { SqliteReportStore } from './reports.js';
import { SqliteStrikeStore } from './strikes.js';
import { SqlitePageRoomStore } from './pageRooms.js';
import { SqliteLinkPreviewStore } from './linkPreviews.js';
import { SqliteAttachmentStore } from './attachments.js';
import { SqliteWebhookStore } from './webhooks.js';
import { SqliteDataProtection } from './dataProtection.js';
import { SqliteBotStore } from './bots.js';

export { MIGRATIONS, migrate, type Migration } from './migrations.js';
export { SqliteDirectory } from './directory.js';
export { SqliteMessageLog } from './messageLog.js';

export interface SqliteOptions {
  /** A file path, or ':memory:' for a private in-memory database (tests). */
  path: string;
  /** NORMAL survives a process crash; FULL also survives power loss, at the cost of an fsync per commit. */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * Checkpoint the WAL from a worker thread this often (see checkpointer.ts) instead of inside a commit on the
   * event loop. Off (0) by default; the server turns it on.
   */
  backgroundCheckpointMs?: number;
  onCheckpointError?: (message: string) => void;
  /**
   * Where message appends run: 'inline' on this connection, on the event loop; 'worker' in a worker thread
   * with group commit (writer/index.ts, docs/storage.md). A ':memory:' database is always inline (a worker
   * cannot reach a private in-memory database). Default 'inline'; the server picks 'worker'.
   */
  writer?: 'inline' | 'worker';
  /** The message writer's worker died or could not start (it is restarted by itself). */
  onWriterError?: (err: Error) => void;
}

const SYNCHRONOUS = ['NORMAL', 'FULL'] as const;

/**
 * Opens the database file, sets the connection up and brings the schema up to date. Fails with `unavailable`
 * when the file cannot be opened or was migrated by a newer build.
 */
export function openSqliteDatabase(opts: SqliteOptions): Database.Database {
  const synchronous = opts.synchronous ?? 'NORMAL';
  // The value goes into a PRAGMA string, so it is checked even though the type already narrows it.
  if (!SYNCHRONOUS.includes(synchronous)) throw new Error(`invalid synchronous mode: ${String(synchronous)}`);
  let db: Database.Database;
  try {
    db = new Database(opts.path);
  } catch (err) {
    // The driver reports a missing directory as a TypeError; either way the store cannot be reached.
    const mapped = mapSqliteError(err);
    if (mapped instanceof ParleyError) throw mapped;
    const error = new ParleyError('unavailable', 'the database cannot be opened');
    error.cause = err;
    throw error;
  }
  try {
    // Set before anything else so that even switching to WAL waits for another process instead of failing.
    db.pragma('busy_timeout = 5000');
    // WAL lets readers run while a message is being written; an in-memory database has no journal file.
    if (!db.memory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    // Per connection and off by default in SQLite; the cascades of deleteRoom depend on it.
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw mapSqliteError(err);
  }
}

export function openSqliteStore(opts: SqliteOptions): Store {
  const db = openSqliteDatabase(opts);
  const probe = db.prepare('SELECT 1');
  let checkpointer: Checkpointer | null = null;
  const checkpointMs = opts.backgroundCheckpointMs ?? 0;
  if (!db.memory && checkpointMs > 0) {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    checkpointer = startCheckpointer({
      path: db.name,
      intervalMs: checkpointMs,
      onError: opts.onCheckpointError ?? (() => {}),
    });
  }
  // Either writer commits appends in batches: in its own thread, or one batch per turn of the event loop.
  const writer =
    !db.memory && opts.writer === 'worker'
      ? new MessageWriter({
          path: db.name,
          synchronous: opts.synchronous ?? 'NORMAL',
          ...(opts.onWriterError ? { onError: opts.onWriterError } : {}),
        })
      : new InlineMessageWriter(db);
  const messages = new SqliteMessageLog(db, writer);
  return {
    directory: new SqliteDirectory(db),
    messages,
    reports: new SqliteReportStore(db, messages),
    guests: new SqliteGuestRoster(db),
    replies: new SqliteReplyLog(db),
    pins: new SqlitePinBoard(db),
    reactions: new SqliteReactionStore(db),
    reads: new SqliteReadState(db),
    profiles: new SqliteProfileStore(db),
    dms: new SqliteDmStore(db),
    tokens: new SqliteTokenStore(db),
    audit: new SqliteAuditStore(db),
    strikes: new SqliteStrikeStore(db),
    pageRooms: new SqlitePageRoomStore(db),
    linkPreviews: new SqliteLinkPreviewStore(db),
    attachments: new SqliteAttachmentStore(db),
    webhooks: new SqliteWebhookStore(db),
    dataProtection: new SqliteDataProtection(db),
    bots: new SqliteBotStore(db),
    async ping() {
      guard(db, () => probe.get());
    },
    async probeWrite() {
      probeWrite(db);
    },
    walStats: () =>
      checkpointer?.stats() ?? { walBytes: 0, checkpoints: 0, busyCheckpoints: 0, failedCheckpoints: 0 },
    async close() {
      // Closing twice is harmless: shutdown paths may both get here.
      if (!db.open) return;
      // The queued appends are committed and answered before anything closes.
      await writer.close();
      const stopping = checkpointer;
      checkpointer = null;
      await stopping?.stop();
      try {
        // Lets SQLite refresh the statistics its query planner uses; cheap when nothing changed.
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
    search: new SqliteSearchIndex(db),
  };
}
