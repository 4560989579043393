export interface EngineConfig {
  /** A user's presence stays this long after their last connection leaves, so a reload does not flap. */
  presenceGraceMs: number;
  /**
   * App-wide arrivals and departures are told to watchers in one batch per this window, so that a storm of
   * arrivals costs one event per watcher per window; 0 tells each change at once (still as a batch of one).
   */
  presenceBatchMs: number;
  /** At most one typing=true per user and room in this interval. */
  typingThrottleMs: number;
  /**
   * A session whose unsent outbound data has stayed over this for `slowConsumerGraceMs` is disconnected as a
   * slow consumer (core/backlog.ts): a burst may pass it for a moment, a stopped reader stays over it.
   */
  outboundBufferBytes: number;
  /** A session whose unsent outbound data exceeds this is disconnected at once (never below the soft bound). */
  outboundHardCapBytes: number;
  /** How long a session may stay over `outboundBufferBytes` before it is taken as a reader that stopped. */
  slowConsumerGraceMs: number;
  /** Lifetime of the resume token a guest gets. */
  guestTokenTtlSeconds: number;
  /** Default lifetime of tokens from register, login and the admin API; 0 for no expiry. */
  tokenTtlSeconds: number;
  /** How long a room waits for a missing seq before reading it back from storage. */
  backfillDelayMs: number;
  /**
   * A room's or an app's bus topic is left this long after nothing here needs it any more (busInterest.ts),
   * so that a member's reload does not unsubscribe and subscribe again.
   */
  busUnsubscribeDelayMs: number;
  /** Nodes announce themselves this often; one not heard from for three intervals is taken as gone. */
  clusterHeartbeatMs: number;
  /**
   * After a storage fault the store is probed at once, then after this, doubling up to 8 times this; while
   * healthy, every 20 times this.
   */
  storageProbeMs: number;
  /**
   * Open connections one user may hold on this node: past it a new one is refused after sign-in with
   * `connection_limit` and a retry hint. Per node, so that the check costs nothing (a map look-up); a user
   * spread over N nodes may hold N times this.
   */
  connectionsPerUser: number;
  /** Webhook deliveries: tries before a delivery is dead (docs/webhooks.md, "Retries"). */
  webhookMaxAttempts: number;
  /** The wait after the first failed try; each next one doubles (with jitter), up to an hour. */
  webhookRetryBaseMs: number;
  /** One try's whole exchange with the endpoint. */
  webhookTimeoutMs: number;
  /** A node's claim on a delivery; a killed node's claims are taken by others after it (at least the timeout × 2). */
  webhookLeaseMs: number;
  /** Deliveries in flight on one node at most. */
  webhookConcurrency: number;
  /** How often a node looks at the outbox unprompted (due retries, events written by other nodes). */
  webhookPollMs: number;
  /** Days a delivered webhook delivery stays in the delivery log; older ones are pruned (dead ones are kept). */
  webhookKeepDeliveredDays: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  presenceGraceMs: 3000,
  presenceBatchMs: 200,
  typingThrottleMs: 2000,
  outboundBufferBytes: 1024 * 1024,
  outboundHardCapBytes: 4 * 1024 * 1024,
  slowConsumerGraceMs: 2000,
  guestTokenTtlSeconds: 24 * 3600,
  tokenTtlSeconds: 30 * 24 * 3600,
  backfillDelayMs: 200,
  busUnsubscribeDelayMs: 10_000,
  clusterHeartbeatMs: 5000,
  storageProbeMs: 500,
  connectionsPerUser: 20,
  webhookMaxAttempts: 8,
  webhookRetryBaseMs: 10_000,
  webhookTimeoutMs: 10_000,
  webhookLeaseMs: 60_000,
  webhookConcurrency: 64,
  webhookPollMs: 1000,
  webhookKeepDeliveredDays: 7,
};
