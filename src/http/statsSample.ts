/** One sample of the console's feed (liveStats.ts): types only, shared with the admin console. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface RoomActivity {
  appId: number;
  room: string;
  /** Messages accepted in the room during the interval. */
  messages: number;
}

export interface StatsSample {
  /** The end of the interval, ms since the epoch. */
  at: number;
  /** Open sessions on this node at the end of the interval. */
  connections: number;
  /** Rooms with a live channel on this node. */
  rooms: number;
  messagesInPerSecond: number;
  messagesOutPerSecond: number;
  /** Milliseconds; null when no message was sent in the interval. */
  sendAckMs: Percentiles | null;
  fanoutMs: Percentiles | null;
  eventLoopDelayMs: Percentiles;
  topRooms: RoomActivity[];
}
