import { describe, expect, it } from 'vitest';
import { AUDIT_CHANGES_MAX_CHARS, auditChanges, REDACTED } from '../../src/core/audit.js';

describe('auditChanges', () => {
  it('blanks secret-named fields at any depth, but not ids', () => {
    const changes = auditChanges({
      username: 'alice',
      password: 'hunter22',
      tokenId: 'abc123',
      settings: {
        jwt: { alg: 'HS256', secret: 's3cret' },
        nested: { apiKey: 'k', Authorization: 'Bearer x' },
      },
    });
    expect(changes).toEqual({
      username: 'alice',
      password: REDACTED,
      tokenId: 'abc123',
      settings: { jwt: REDACTED, nested: { apiKey: REDACTED, Authorization: REDACTED } },
    });
    expect(JSON.stringify(changes)).not.toMatch(/hunter22|s3cret|Bearer/);
  });

  it('cuts long strings, long arrays and deep nesting', () => {
    const changes = auditChanges({
      text: 'x'.repeat(1000),
      list: Array.from({ length: 50 }, (_, i) => i),
      deep: { a: { b: { c: { d: 'too deep' } } } },
    });
    expect(String(changes['text'])).toHaveLength(257);
    expect(changes['list']).toHaveLength(20);
    expect(changes['deep']).toEqual({ a: { b: { c: '[nested]' } } });
  });

  it('keeps only the field names past the bound', () => {
    const wide = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'y'.repeat(200)]));
    const changes = auditChanges(wide);
    expect(changes).toEqual({ truncated: true, fields: Object.keys(wide).slice(0, 20) });
    expect(JSON.stringify(auditChanges({ a: 'z'.repeat(200) })).length).toBeLessThanOrEqual(
      AUDIT_CHANGES_MAX_CHARS,
    );
  });
});
