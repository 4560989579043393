import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import {
  DEFAULT_OPERATION_LIMITS,
  LIMITED_OPERATIONS,
  operationLimit,
} from '../../src/core/operationLimits.js';
import type { Session } from '../../src/engine/api.js';

/**
 * Every operation of the Session interface, named here by hand: a method added to Session and not to this
 * record fails to compile, and one missing from the table fails the test below.
 */
const SESSION_OPERATIONS: Record<
  Exclude<keyof Session, 'id' | 'appId' | 'user' | 'principal' | 'rooms' | 'close' | 'reports'>,
  true
> = {
  listRooms: true,
  createRoom: true,
  join: true,
  leave: true,
  send: true,
  edit: true,
  remove: true,
  history: true,
  typing: true,
  members: true,
  watchOnline: true,
  mute: true,
  unmute: true,
  ban: true,
  unban: true,
  kick: true,
  listMutes: true,
  refresh: true,
  upgrade: true,
  replies: true,
  pin: true,
  unpin: true,
  pins: true,
  react: true,
  unreact: true,
  read: true,
  receipts: true,
  search: true,
  openDm: true,
  listDms: true,
  block: true,
  unblock: true,
  blocks: true,
  setProfile: true,
  setSlowMode: true,
  pageRoom: true,
};

/** The operations of Session.reports, under their names in the table. */
const REPORT_OPERATIONS: Record<keyof Session['reports'], string> = {
  report: 'report',
  queue: 'reports',
  resolve: 'resolveReport',
  shadowMute: 'shadowMute',
  unshadowMute: 'unshadowMute',
};

describe('issue 10 case 5: one table of operation limits', () => {
  it('holds every operation a client can call, and nothing else', () => {
    expect([...LIMITED_OPERATIONS].sort()).toEqual(
      [...Object.keys(SESSION_OPERATIONS), ...Object.values(REPORT_OPERATIONS)].sort(),
    );
  });

  it('has a sane default for every operation but send, whose limit is the app flood setting', () => {
    expect(Object.keys(DEFAULT_OPERATION_LIMITS).sort()).toEqual(
      LIMITED_OPERATIONS.filter((op) => op !== 'send').sort(),
    );
    for (const limit of Object.values(DEFAULT_OPERATION_LIMITS)) {
      expect(Number.isInteger(limit.burst) && limit.burst >= 1).toBe(true);
      expect(limit.perSecond).toBeGreaterThan(0);
    }
    expect(operationLimit(DEFAULT_APP_SETTINGS, 'send')).toEqual(DEFAULT_APP_SETTINGS.flood);
    const flood = { burst: 3, perSecond: 0.5 };
    expect(operationLimit({ ...DEFAULT_APP_SETTINGS, flood }, 'send')).toEqual(flood);
  });

  it("takes an app's own limit for an operation and the default for the others", () => {
    const history = { burst: 2, perSecond: 1 };
    const settings = { ...DEFAULT_APP_SETTINGS, limits: { history } };
    expect(operationLimit(settings, 'history')).toEqual(history);
    expect(operationLimit(settings, 'join')).toEqual(DEFAULT_OPERATION_LIMITS.join);
    expect(operationLimit(DEFAULT_APP_SETTINGS, 'members')).toEqual(DEFAULT_OPERATION_LIMITS.members);
  });
});
