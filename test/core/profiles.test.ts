import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import {
  AVATAR_URL_MAX,
  changesProfile,
  checkAvatarUrl,
  checkDisplayName,
  checkProfilePatch,
  patchProfile,
  profileFields,
  profileFromClaims,
} from '../../src/core/profiles.js';

function refused(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected a refusal');
}

describe('display names', () => {
  it('are trimmed, 1-64 characters (code points), null clears', () => {
    expect(checkDisplayName('  Alice  ')).toBe('Alice');
    expect(checkDisplayName('é'.repeat(64))).toBe('é'.repeat(64));
    expect(checkDisplayName('🙂'.repeat(64))).toBe('🙂'.repeat(64));
    expect(checkDisplayName(null)).toBeNull();
  });

  it('refuse empty, too long, control characters and non-strings as invalid_profile on displayName', () => {
    for (const value of [
      '',
      '   ',
      'x'.repeat(65),
      'a\nb',
      'tab\there',
      'nul\u0000',
      'del\u007f',
      'c1\u0085',
      42,
      {},
    ]) {
      const error = refused(() => checkDisplayName(value));
      expect(error.code, JSON.stringify(value)).toBe('invalid_profile');
      expect(error.details).toEqual({ field: 'displayName' });
    }
  });
});

describe('avatar URLs', () => {
  it('are https URLs of at most 512 characters, as the URL parser writes them', () => {
    expect(checkAvatarUrl('https://cdn.example.com/a.png')).toBe('https://cdn.example.com/a.png');
    expect(checkAvatarUrl('HTTPS://CDN.example.com/a b.png')).toBe('https://cdn.example.com/a%20b.png');
    const longest = `https://e.com/${'a'.repeat(AVATAR_URL_MAX - 'https://e.com/'.length)}`;
    expect(checkAvatarUrl(longest)).toBe(longest);
    expect(checkAvatarUrl(null)).toBeNull();
  });

  it('refuse every other scheme, relative URLs, credentials, and what is too long', () => {
    for (const value of [
      'http://cdn.example.com/a.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'ftp://example.com/a.png',
      '//example.com/a.png',
      '/a.png',
      'not a url',
      'https://user:pass@example.com/a.png',
      `https://e.com/${'a'.repeat(AVATAR_URL_MAX)}`,
      '',
      7,
    ]) {
      const error = refused(() => checkAvatarUrl(value));
      expect(error.code, String(value).slice(0, 40)).toBe('invalid_profile');
      expect(error.details).toEqual({ field: 'avatarUrl' });
    }
  });
});

describe('profile patches', () => {
  it('keep absent fields, clear with null, refuse what is not an object', () => {
    expect(checkProfilePatch({})).toEqual({});
    expect(checkProfilePatch({ displayName: ' A ', avatarUrl: null })).toEqual({
      displayName: 'A',
      avatarUrl: null,
    });
    expect(refused(() => checkProfilePatch(null)).code).toBe('bad_request');
    expect(refused(() => checkProfilePatch([])).code).toBe('bad_request');
    const profile = { displayName: 'A', avatarUrl: 'https://e.com/a.png' };
    expect(patchProfile(profile, { avatarUrl: null })).toEqual({ displayName: 'A', avatarUrl: null });
    expect(changesProfile(profile, { displayName: 'A' })).toBe(false);
    expect(changesProfile(profile, {})).toBe(false);
    expect(changesProfile(profile, { avatarUrl: null })).toBe(true);
  });

  it('travel on references only when set', () => {
    expect(profileFields({ displayName: null, avatarUrl: null })).toEqual({});
    expect(profileFields({ displayName: 'A' })).toEqual({ displayName: 'A' });
  });

  it('from claims: valid ones kept, invalid ones named and dropped, absent ones change nothing', () => {
    expect(profileFromClaims({ name: ' Alice ', picture: 'https://e.com/a.png' })).toEqual({
      patch: { displayName: 'Alice', avatarUrl: 'https://e.com/a.png' },
      rejected: [],
    });
    expect(profileFromClaims({ name: 'Alice', picture: 'http://e.com/a.png' })).toEqual({
      patch: { displayName: 'Alice' },
      rejected: ['avatarUrl'],
    });
    expect(profileFromClaims({ name: 5 })).toEqual({ patch: {}, rejected: ['displayName'] });
    expect(profileFromClaims({})).toEqual({ patch: {}, rejected: [] });
  });
});
