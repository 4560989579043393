import { DEFAULT_ENGINE_CONFIG } from '../engine/config.js';
import { MAX, intSetting, type SettingSpec } from './settingSpec.js';

/** The engine's settings (`engine.*`): presence, typing, buffers, tokens, the cluster heartbeat. */
export const ENGINE_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'engine.presenceGraceMs',
    flag: 'presence-grace-ms',
    env: ['PARLEY_PRESENCE_GRACE_MS'],
    fileKey: 'presenceGraceMs',
    description: 'How long a user stays present after their last connection leaves',
    defaultText: String(DEFAULT_ENGINE_CONFIG.presenceGraceMs),
    ...intSetting(0, 3_600_000),
  },
  {
    key: 'engine.presenceBatchMs',
    flag: 'presence-batch-ms',
    env: ['PARLEY_PRESENCE_BATCH_MS'],
    fileKey: 'presenceBatchMs',
    description: 'App-wide arrivals and departures reach watchers in one batch per this window',
    defaultText: String(DEFAULT_ENGINE_CONFIG.presenceBatchMs),
    ...intSetting(0, 60_000),
  },
  {
    key: 'engine.typingThrottleMs',
    flag: 'typing-throttle-ms',
    env: ['PARLEY_TYPING_THROTTLE_MS'],
    fileKey: 'typingThrottleMs',
    description: 'At most one typing=true per user and room in this interval',
    defaultText: String(DEFAULT_ENGINE_CONFIG.typingThrottleMs),
    ...intSetting(0, 3_600_000),
  },
  {
    key: 'engine.outboundBufferBytes',
    flag: 'outbound-buffer-bytes',
    env: ['PARLEY_OUTBOUND_BUFFER_BYTES'],
    fileKey: 'outboundBufferBytes',
    description:
      'A connection that stays over this much unsent data for the slow-consumer grace is dropped as a slow consumer',
    defaultText: String(DEFAULT_ENGINE_CONFIG.outboundBufferBytes),
    ...intSetting(1024, 1024 * 1024 * 1024),
  },
  {
    key: 'engine.outboundHardCapBytes',
    flag: 'outbound-hard-cap-bytes',
    env: ['PARLEY_OUTBOUND_HARD_CAP_BYTES'],
    fileKey: 'outboundHardCapBytes',
    description: 'A connection with more unsent data than this is dropped as a slow consumer at once',
    defaultText: String(DEFAULT_ENGINE_CONFIG.outboundHardCapBytes),
    ...intSetting(1024, 1024 * 1024 * 1024),
  },
  {
    key: 'engine.slowConsumerGraceMs',
    flag: 'slow-consumer-grace-ms',
    env: ['PARLEY_SLOW_CONSUMER_GRACE_MS'],
    fileKey: 'slowConsumerGraceMs',
    description: 'How long a connection may stay over the outbound buffer bound before it is dropped',
    defaultText: String(DEFAULT_ENGINE_CONFIG.slowConsumerGraceMs),
    ...intSetting(0, 60_000),
  },
  {
    key: 'engine.tokenTtlSeconds',
    flag: 'token-ttl-seconds',
    env: ['PARLEY_TOKEN_TTL_SECONDS'],
    fileKey: 'tokenTtlSeconds',
    description: 'Lifetime of tokens from register, login and the admin API; 0 for no expiry',
    defaultText: String(DEFAULT_ENGINE_CONFIG.tokenTtlSeconds),
    ...intSetting(0, MAX),
  },
  {
    key: 'engine.guestTokenTtlSeconds',
    flag: 'guest-token-ttl-seconds',
    env: ['PARLEY_GUEST_TOKEN_TTL_SECONDS'],
    fileKey: 'guestTokenTtlSeconds',
    description: "Lifetime of a guest's resume token",
    defaultText: String(DEFAULT_ENGINE_CONFIG.guestTokenTtlSeconds),
    ...intSetting(1, MAX),
  },
  {
    key: 'engine.backfillDelayMs',
    flag: 'backfill-delay-ms',
    env: ['PARLEY_BACKFILL_DELAY_MS'],
    fileKey: 'backfillDelayMs',
    description: 'How long a room waits for a missing seq before reading it from storage',
    defaultText: String(DEFAULT_ENGINE_CONFIG.backfillDelayMs),
    ...intSetting(0, 60_000),
  },
  {
    key: 'engine.clusterHeartbeatMs',
    flag: 'cluster-heartbeat-ms',
    env: ['PARLEY_CLUSTER_HEARTBEAT_MS'],
    fileKey: 'clusterHeartbeatMs',
    description: 'Nodes announce themselves this often; a node silent for 3 x this is taken as gone',
    defaultText: String(DEFAULT_ENGINE_CONFIG.clusterHeartbeatMs),
    ...intSetting(10, 600_000),
  },
  {
    key: 'engine.connectionsPerUser',
    flag: 'connections-per-user',
    env: ['PARLEY_CONNECTIONS_PER_USER'],
    fileKey: 'connectionsPerUser',
    description:
      'Open connections one user may hold on a node; past it a new one is refused once signed in (connection_limit)',
    defaultText: String(DEFAULT_ENGINE_CONFIG.connectionsPerUser),
    ...intSetting(1, 100_000),
  },
  {
    key: 'engine.storageProbeMs',
    flag: 'storage-probe-ms',
    env: ['PARLEY_STORAGE_PROBE_MS'],
    fileKey: 'storageProbeMs',
    description: 'After a storage fault, probe storage at once, then after this, doubling up to 8 x this',
    defaultText: String(DEFAULT_ENGINE_CONFIG.storageProbeMs),
    ...intSetting(10, 60_000),
  },
  ...webhookSettings(),
];

/** The webhook dispatcher's settings (docs/webhooks.md): `--webhook-max-attempts`, `PARLEY_WEBHOOK_MAX_ATTEMPTS`. */
function webhookSettings(): SettingSpec[] {
  const rows: [string, string, number, number][] = [
    ['MaxAttempts', 'Tries of a webhook delivery before it is dead', 1, 100],
    [
      'RetryBaseMs',
      'Wait after the first failed webhook try; each next doubles (jitter), up to an hour',
      10,
      3_600_000,
    ],
    ['TimeoutMs', "One webhook try's whole exchange with the endpoint", 100, 120_000],
    [
      'LeaseMs',
      "A node's claim on a webhook delivery; a killed node's claims are retaken after it",
      100,
      3_600_000,
    ],
    ['Concurrency', 'Webhook deliveries in flight on one node at most', 1, 1000],
    ['PollMs', 'How often a node looks at the webhook outbox unprompted', 10, 600_000],
    ['KeepDeliveredDays', 'Days a delivered webhook delivery stays in the delivery log', 1, 3650],
  ];
  return rows.map(([name, description, min, max]) => {
    const fileKey = `webhook${name}` as keyof typeof DEFAULT_ENGINE_CONFIG;
    const dashed = fileKey.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return {
      key: `engine.${fileKey}`,
      flag: dashed,
      env: [`PARLEY_${dashed.replace(/-/g, '_').toUpperCase()}`],
      fileKey,
      description,
      defaultText: String(DEFAULT_ENGINE_CONFIG[fileKey]),
      ...intSetting(min, max),
    };
  });
}
