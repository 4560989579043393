/**
 * Escalation (the app setting `escalation`): strikes (filter hits that reject or hold, flood violations, upheld
 * reports) move a user along a ladder. On each new strike the user's unexpired strikes are counted (N) and step
 * N of the ladder applies, the last step for every strike past it. An empty ladder records strikes only.
 */
export type StrikeSource = 'filter' | 'flood' | 'report';
export const STRIKE_SOURCES: readonly StrikeSource[] = ['filter', 'flood', 'report'];

export type LadderStep =
  { action: 'warn' } | { action: 'mute'; minutes: number } | { action: 'ban'; minutes: number };

export interface EscalationSettings {
  ladder: LadderStep[];
  /** How long a strike counts, in hours. */
  strikeTtlHours: number;
}

export const MAX_LADDER_STEPS = 10;
export const MAX_STRIKE_TTL_HOURS = 24 * 30;
/** The longest a step may mute or ban for: 30 days. */
export const MAX_STEP_MINUTES = 60 * 24 * 30;
/** A burst of flooding is one violation: at most one flood strike per user in this long. */
export const FLOOD_STRIKE_INTERVAL_MS = 10_000;
/** A strike's reason is kept to this many characters. */
export const MAX_STRIKE_REASON = 200;

export const DEFAULT_ESCALATION: EscalationSettings = {
  ladder: [
    { action: 'warn' },
    { action: 'mute', minutes: 10 },
    { action: 'mute', minutes: 60 },
    { action: 'ban', minutes: 1440 },
  ],
  strikeTtlHours: 24,
};

export interface Strike {
  appId: number;
  userId: number;
  source: StrikeSource;
  reason: string;
  at: number;
  expiresAt: number;
}

/** The step for a user who now has `count` unexpired strikes (null: the ladder is empty or the count 0). */
export function stepFor(ladder: readonly LadderStep[], count: number): LadderStep | null {
  if (count <= 0 || ladder.length === 0) return null;
  return ladder[Math.min(count, ladder.length) - 1] ?? null;
}

export function newStrike(
  settings: EscalationSettings,
  appId: number,
  userId: number,
  source: StrikeSource,
  reason: string,
  now: number,
): Strike {
  return {
    appId,
    userId,
    source,
    reason: reason.slice(0, MAX_STRIKE_REASON),
    at: now,
    expiresAt: now + settings.strikeTtlHours * 3_600_000,
  };
}

/** What the moderation record and the user are told: the step's reason naming the source. */
export function stepReason(strike: Pick<Strike, 'source' | 'reason'>, count: number): string {
  const plural = count === 1 ? '' : 's';
  return `Automatic: ${count} strike${plural} (latest: ${strike.source}${strike.reason ? `, ${strike.reason}` : ''})`;
}
