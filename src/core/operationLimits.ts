/** A token bucket's size: how many at once, and how many per second after that. */
export interface FloodLimit {
  /** Burst size: how many requests (messages, for `send`) a user may make at once. */
  burst: number;
  /** Sustained rate: requests a user may make per second. */
  perSecond: number;
}

/**
 * Every operation a client can ask of its session, each held to a per-user token bucket. The names are the
 * engine's (the Session interface); the native protocol's `rooms.list` is `listRooms`, `delete` is `remove`,
 * `watch_online` is `watchOnline`. docs/protocol.md lists them with these defaults.
 */
export const LIMITED_OPERATIONS = [
  'listRooms',
  'createRoom',
  'join',
  'leave',
  'send',
  'edit',
  'remove',
  'history',
  'typing',
  'members',
  'watchOnline',
  'mute',
  'unmute',
  'ban',
  'unban',
  'kick',
  'listMutes',
  'refresh',
  'upgrade',
  'replies',
  'pin',
  'unpin',
  'pins',
  'react',
  'unreact',
  'read',
  'receipts',
  'search',
  'openDm',
  'listDms',
  'block',
  'unblock',
  'blocks',
  'setProfile',
  'report',
  'reports',
  'resolveReport',
  'shadowMute',
  'unshadowMute',
  'setSlowMode',
  'pageRoom',
] as const;

export type LimitedOperation = (typeof LIMITED_OPERATIONS)[number];

/** What an app may set in `limits`: every operation but `send`, whose limit stays the app's `flood`. */
export type OverridableOperation = Exclude<LimitedOperation, 'send'>;

export type OperationLimits = Partial<Record<OverridableOperation, FloodLimit>>;

/**
 * The defaults, per user and node. Reads that a client repeats on every reconnect (join, history, members)
 * get bursts large enough for a client with many rooms; what costs the whole app something (creating rooms,
 * the app-wide online list, refreshing credentials) gets little. `send` is the app's `flood` (10, 2/s).
 */
export const DEFAULT_OPERATION_LIMITS: Readonly<Record<OverridableOperation, FloodLimit>> = {
  listRooms: { burst: 10, perSecond: 1 },
  createRoom: { burst: 10, perSecond: 1 },
  join: { burst: 30, perSecond: 3 },
  leave: { burst: 30, perSecond: 3 },
  edit: { burst: 10, perSecond: 2 },
  remove: { burst: 10, perSecond: 2 },
  history: { burst: 20, perSecond: 4 },
  typing: { burst: 20, perSecond: 4 },
  members: { burst: 20, perSecond: 4 },
  watchOnline: { burst: 5, perSecond: 0.5 },
  mute: { burst: 20, perSecond: 2 },
  unmute: { burst: 20, perSecond: 2 },
  ban: { burst: 20, perSecond: 2 },
  unban: { burst: 20, perSecond: 2 },
  kick: { burst: 20, perSecond: 2 },
  listMutes: { burst: 5, perSecond: 1 },
  refresh: { burst: 5, perSecond: 0.1 },
  // Each one checks credentials (a password hash, or an account created) and rewrites the guest's presence.
  upgrade: { burst: 5, perSecond: 0.1 },
  replies: { burst: 20, perSecond: 4 },
  pin: { burst: 10, perSecond: 1 },
  unpin: { burst: 10, perSecond: 1 },
  pins: { burst: 20, perSecond: 4 },
  react: { burst: 20, perSecond: 2 },
  unreact: { burst: 20, perSecond: 2 },
  read: { burst: 20, perSecond: 4 },
  receipts: { burst: 10, perSecond: 2 },
  // Each search reads the full-text index and may walk many matches before the viewer's rooms fill a page.
  search: { burst: 5, perSecond: 1 },
  openDm: { burst: 10, perSecond: 1 },
  listDms: { burst: 10, perSecond: 1 },
  block: { burst: 10, perSecond: 1 },
  unblock: { burst: 10, perSecond: 1 },
  blocks: { burst: 10, perSecond: 1 },
  // A change is told to every room the user is in, on every node.
  setProfile: { burst: 5, perSecond: 0.2 },
  // Each report may be told to every moderator online; a user has few reasons to report many at once.
  report: { burst: 5, perSecond: 0.2 },
  // A queue page reads a few messages and the reports of each of its entries.
  reports: { burst: 10, perSecond: 1 },
  resolveReport: { burst: 20, perSecond: 2 },
  shadowMute: { burst: 20, perSecond: 2 },
  unshadowMute: { burst: 20, perSecond: 2 },
  // A change is stored and told to the app and to the room.
  setSlowMode: { burst: 10, perSecond: 1 },
  // A page that has no room yet creates one; a reader opens few pages a second.
  pageRoom: { burst: 10, perSecond: 1 },
};

/** The limit an app holds `op` to: its own setting, else the default (`send`: the app's flood limit). */
export function operationLimit(
  settings: { flood: FloodLimit; limits: OperationLimits },
  op: LimitedOperation,
): FloodLimit {
  if (op === 'send') return settings.flood;
  return settings.limits[op] ?? DEFAULT_OPERATION_LIMITS[op];
}

export function isLimitedOperation(value: string): value is LimitedOperation {
  return (LIMITED_OPERATIONS as readonly string[]).includes(value);
}
