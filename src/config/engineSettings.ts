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
    description: 'A connection with more unsent data than this is dropped as a slow consumer',
    defaultText: String(DEFAULT_ENGINE_CONFIG.outboundBufferBytes),
    ...intSetting(1024, 1024 * 1024 * 1024),
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
];
