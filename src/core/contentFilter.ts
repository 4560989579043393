import { countLinks } from './links.js';
import { PhraseMatcher } from './phraseMatcher.js';
import { isStaff, type Role } from './roles.js';
import { normalise, normalisePhrase } from './textNormal.js';

/**
 * The app's word and link filter (the app setting `filter`). Phrases are plain text, matched on the normalised
 * form of core/textNormal.ts; there is no pattern syntax at all. Staff (mods and up) are not filtered.
 */
export type FilterAction = 'reject' | 'mask' | 'hold';

export interface FilterRule {
  /** 1-100 characters with at least one letter or digit once normalised. */
  phrase: string;
  action: FilterAction;
  /** `word` (default): whole words only (`ass` does not match `class`); `anywhere`: inside words too. */
  match?: 'word' | 'anywhere';
}

/**
 * Who may post links: `anyone`; `members` (not guests); `staff` (mods and up only). Where links are allowed, a
 * non-staff author whose user is younger than `linkMinAccountAgeHours` still may not post them.
 */
export type LinkPolicy = 'anyone' | 'members' | 'staff';

export interface FilterSettings {
  rules: FilterRule[];
  links: LinkPolicy;
  linkMinAccountAgeHours: number;
}

export const MAX_FILTER_RULES = 500;
export const MAX_PHRASE_LENGTH = 100;
export const MAX_LINK_AGE_HOURS = 8760;

/** Off by default: no phrases, links from anyone at any age. */
export const DEFAULT_FILTER: FilterSettings = { rules: [], links: 'anyone', linkMinAccountAgeHours: 0 };

const SEVERITY: Record<FilterAction, number> = { mask: 1, hold: 2, reject: 3 };

/** What the filter says of one message. */
export interface FilterVerdict {
  /** `pass`: as written; `mask`: `text` has masked spans; `hold`: held for review; `reject`: refused. */
  action: 'pass' | FilterAction;
  /** Why it is refused or held: a phrase or a link (absent when it passes or is only masked). */
  reason?: 'phrase' | 'link';
  /** Whether the message is to be held for review (`action` hold). */
  hold: boolean;
  /** The text to post: the original with every masked span replaced by asterisks. */
  text: string;
  /** What matched, for the operator's tester (at most MAX_REPORTED_MATCHES): rule index, phrase, where. */
  matches: { rule: number; phrase: string; action: FilterAction; start: number; end: number }[];
  links: number;
  /** The matcher's steps (see phraseMatcher.ts), for the tests that hold it to its bound. */
  steps: number;
}

export const MAX_REPORTED_MATCHES = 20;

/** Who wrote the message, as far as the filter cares. */
export interface FilterAuthor {
  role: Role;
  /** Hours since the author's user was created; read only when the text has a link and the age matters. */
  ageHours: () => Promise<number>;
}

const compiled = new WeakMap<FilterSettings, PhraseMatcher>();

/** The matcher for these settings, built once per settings object (the app cache replaces it on change). */
export function matcherFor(settings: FilterSettings): PhraseMatcher {
  let matcher = compiled.get(settings);
  if (!matcher) {
    matcher = new PhraseMatcher(
      settings.rules.map((rule, id) => ({
        codes: normalisePhrase(rule.phrase),
        match: rule.match ?? 'word',
        severity: SEVERITY[rule.action],
        id,
      })),
      SEVERITY.mask,
    );
    compiled.set(settings, matcher);
  }
  return matcher;
}

/** Whether the phrase has something to match once normalised (a phrase of only separators would never match). */
export function phraseIsMatchable(phrase: string): boolean {
  return normalisePhrase(phrase).length > 0;
}

/**
 * Adds [start, end) to spans kept merged and in order. Hits come in order of where they end, so a new span only
 * ever overlaps the last ones: amortised constant work per hit.
 */
function addSpan(spans: [number, number][], start: number, end: number): void {
  const top = spans[spans.length - 1];
  // Hits ending at one place come longest first: the shorter ones are inside the span already.
  if (top && top[0] <= start && top[1] >= end) return;
  let from = start;
  let to = end;
  for (let last = spans[spans.length - 1]; last && last[1] >= from; last = spans[spans.length - 1]) {
    from = Math.min(from, last[0]);
    to = Math.max(to, last[1]);
    spans.pop();
  }
  spans.push([from, to]);
}

/** The text with every span (merged, in order) replaced by one asterisk per character. */
function maskText(text: string, spans: readonly [number, number][]): string {
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + '*'.repeat([...text.slice(start, end)].length);
    at = end;
  }
  return out + text.slice(at);
}

/** The phrase rules applied to the text (links aside). */
export function screenPhrases(settings: FilterSettings, text: string): FilterVerdict {
  // No rules (the default): nothing can match, so the text is not normalised at all.
  if (settings.rules.length === 0)
    return { action: 'pass', hold: false, text, matches: [], links: 0, steps: 0 };
  const normal = normalise(text);
  const matches: FilterVerdict['matches'] = [];
  const spans: [number, number][] = [];
  let worst = 0;
  const onHit = (id: number, from: number, to: number) => {
    const rule = settings.rules[id];
    if (!rule) return;
    const start = normal.start[from] ?? 0;
    const end = normal.end[to] ?? text.length;
    worst = Math.max(worst, SEVERITY[rule.action]);
    if (rule.action === 'mask') addSpan(spans, start, end);
    if (matches.length < MAX_REPORTED_MATCHES) {
      matches.push({ rule: id, phrase: rule.phrase, action: rule.action, start, end });
    }
  };
  const { steps } = matcherFor(settings).scan(normal, onHit);
  const action =
    worst === SEVERITY.reject ? 'reject' : worst === SEVERITY.hold ? 'hold' : worst ? 'mask' : 'pass';
  return {
    action,
    ...(action === 'reject' || action === 'hold' ? { reason: 'phrase' as const } : {}),
    hold: action === 'hold',
    text: action === 'reject' ? text : maskText(text, spans),
    matches,
    links: 0,
    steps,
  };
}

async function linksAllowed(settings: FilterSettings, author: FilterAuthor): Promise<boolean> {
  if (settings.links === 'staff') return false;
  if (settings.links === 'members' && author.role === 'guest') return false;
  return settings.linkMinAccountAgeHours <= 0 || (await author.ageHours()) >= settings.linkMinAccountAgeHours;
}

/** The whole filter: staff pass untouched; else the phrases, then the link policy (a refused link rejects). */
export async function screen(
  settings: FilterSettings,
  text: string,
  author: FilterAuthor,
): Promise<FilterVerdict> {
  if (isStaff(author.role)) return { action: 'pass', hold: false, text, matches: [], links: 0, steps: 0 };
  const verdict = screenPhrases(settings, text);
  if (verdict.action === 'reject') return verdict;
  const links = countLinks(text);
  if (links > 0 && !(await linksAllowed(settings, author))) {
    return { ...verdict, action: 'reject', reason: 'link', hold: false, text, links };
  }
  return { ...verdict, links };
}
