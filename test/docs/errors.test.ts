import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DISCONNECT_CATALOGUE } from '../../src/core/disconnect.js';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The body of the section under `## title`, up to the next `## ` heading. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `docs/errors.md has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + 1);
  const end = rest.indexOf('\n## ', 1);
  return end === -1 ? rest : rest.slice(0, end);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A table row `| \`name\` | number | meaning | when | what to do |` with non-empty cells. */
function rowFor(text: string, name: string, number: number): string[] | null {
  const row = new RegExp(`^\\|\\s*\`${escape(name)}\`\\s*\\|\\s*${number}\\s*\\|(.*)\\|\\s*$`, 'm').exec(
    text,
  );
  if (!row) return null;
  return (row[1] as string).split('|').map((cell) => cell.trim());
}

describe('docs/errors.md', () => {
  const errors = section('Error codes');
  for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
    it(`documents error code ${code} (${status}) with meaning, when and what to do`, () => {
      const cells = rowFor(errors, code, status);
      expect(cells, `a row for \`${code}\` with status ${status} under "## Error codes"`).not.toBeNull();
      expect(cells?.length).toBe(3);
      for (const cell of cells ?? []) expect(cell.length).toBeGreaterThan(0);
    });
  }

  const reasons = section('Disconnect reasons');
  for (const [reason, { code }] of Object.entries(DISCONNECT_CATALOGUE)) {
    it(`documents disconnect reason ${reason} (${code}) with meaning, when and what to do`, () => {
      const cells = rowFor(reasons, reason, code);
      expect(
        cells,
        `a row for \`${reason}\` with close code ${code} under "## Disconnect reasons"`,
      ).not.toBeNull();
      expect(cells?.length).toBe(3);
      for (const cell of cells ?? []) expect(cell.length).toBeGreaterThan(0);
    });
  }

  it('documents nothing that is not in the catalogues', () => {
    const documented = (text: string) =>
      [...text.matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((match) => match[1] as string);
    expect(documented(errors).sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    expect(documented(reasons).sort()).toEqual(Object.keys(DISCONNECT_CATALOGUE).sort());
  });

  it('describes how each protocol carries errors', () => {
    const carriage = section('How errors travel');
    expect(carriage).toContain('"ok": false, "error"');
    expect(carriage).toContain('socket.io');
    expect(carriage).toContain('{ "error": <error body> }');
  });
});
