/** docs/protocol.md documents every operation, event and close code, and every rule the tests cite. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DISCONNECT_REASONS, NATIVE_EVENTS, NATIVE_OPS } from '../../src/protocol/native.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `docs/protocol.md has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + 1);
  const end = rest.indexOf('\n## ', 1);
  return end === -1 ? rest : rest.slice(0, end);
}

/** The first cells (`name`) of the table rows of a section. */
function rowNames(text: string): string[] {
  return [...text.matchAll(/^\|\s*`([a-z_.]+)`\s*\|/gm)].map((m) => m[1] as string);
}

describe('docs/protocol.md', () => {
  it('has a row for every operation and nothing else', () => {
    expect(rowNames(section('Operations'))).toEqual([...NATIVE_OPS]);
  });

  it('has a row for every server event and nothing else', () => {
    expect(rowNames(section('Server events'))).toEqual([...NATIVE_EVENTS]);
  });

  it('has a row for every disconnect reason with its close code', () => {
    const text = section('Disconnects and close codes');
    for (const [reason, { code }] of Object.entries(DISCONNECT_REASONS)) {
      expect(text, reason).toMatch(new RegExp(`^\\|\\s*\`${reason}\`\\s*\\|\\s*${code}\\s*\\|`, 'm'));
    }
    expect(rowNames(text).sort()).toEqual(Object.keys(DISCONNECT_REASONS).sort());
  });

  it("names every reason the typed client gives of its own (src/client's `reason: '…'`)", () => {
    const text = section('Disconnects and close codes');
    const dir = new URL('../../src/client/', import.meta.url);
    const own = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      for (const match of source.matchAll(/reason: '([a-z_]+)'/g)) own.add(match[1] as string);
    }
    expect([...own].sort()).toEqual([
      'client_closed',
      'connect_failed',
      'connection_lost',
      'server_disconnect',
    ]);
    for (const reason of own) expect(text, reason).toContain(`\`${reason}\``);
  });

  it('describes every error reply shape', () => {
    const text = section('Errors');
    for (const shape of [
      '"ok": false, "error"',
      '"id": null',
      'event `error`',
      'connect_error',
      '`internal`',
    ]) {
      expect(text).toContain(shape);
    }
  });

  it('defines every [proto.*] rule the tests cite', () => {
    const defined = new Set([...doc.matchAll(/\*\*\[(proto\.[a-z.-]+)\]\*\*/g)].map((m) => m[1]));
    const dir = new URL('./', import.meta.url);
    const cited = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const match of text.matchAll(/\[(proto\.[a-z.-]+)\]/g)) cited.add(match[1] as string);
    }
    expect(cited.size).toBeGreaterThan(10);
    for (const rule of cited) expect(defined, `${rule} is defined in docs/protocol.md`).toContain(rule);
  });
});
