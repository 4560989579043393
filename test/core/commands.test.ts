import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/core/commands.js';

describe('slash commands', () => {
  it('[cmd.parse] parses every documented command', () => {
    expect(parseText('/mute bob 10 spamming links')).toEqual({
      kind: 'command',
      command: { kind: 'mute', username: 'bob', minutes: 10, reason: 'spamming links' },
    });
    expect(parseText('/unmute bob')).toEqual({
      kind: 'command',
      command: { kind: 'unmute', username: 'bob' },
    });
    expect(parseText('/ban bob')).toEqual({
      kind: 'command',
      command: { kind: 'ban', username: 'bob', minutes: null, reason: '' },
    });
    expect(parseText('/ban bob 60 rude')).toEqual({
      kind: 'command',
      command: { kind: 'ban', username: 'bob', minutes: 60, reason: 'rude' },
    });
    expect(parseText('/kick bob')).toEqual({
      kind: 'command',
      command: { kind: 'kick', username: 'bob', reason: '' },
    });
    expect(parseText('/me waves')).toEqual({ kind: 'command', command: { kind: 'me', action: 'waves' } });
    expect(parseText('/HELP')).toEqual({ kind: 'command', command: { kind: 'help' } });
  });

  it('[cmd.invalid] bad arguments give the usage, never a crash', () => {
    expect(parseText('/mute bob').kind).toBe('invalid');
    expect(parseText('/mute bob soon').kind).toBe('invalid');
    expect(parseText('/mute bob 0').kind).toBe('invalid');
    expect(parseText('/unmute').kind).toBe('invalid');
    expect(parseText('/unmute bob extra').kind).toBe('invalid');
    expect(parseText('/me').kind).toBe('invalid');
    expect(parseText('/frobnicate').kind).toBe('invalid');
  });

  it('[cmd.escape] plain text and "//" are messages', () => {
    expect(parseText('hello')).toEqual({ kind: 'text', text: 'hello' });
    expect(parseText('//mute is a command')).toEqual({ kind: 'text', text: '/mute is a command' });
  });

  it('[cmd.total] any text parses to one of the three outcomes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const parsed = parseText(text);
        expect(['text', 'command', 'invalid']).toContain(parsed.kind);
      }),
    );
  });
});
