import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, signedHeaders, verifySignature } from '../../src/outbound/signature.js';

describe('signed requests', () => {
  const secret = 'whsec_test';
  const body = '{"id":"evt_1","type":"message.created"}';
  const now = 1_800_000_000_000;

  it('signs "<timestamp>.<raw body>" with HMAC-SHA256 as the docs say', () => {
    const expected = createHmac('sha256', secret).update(`1800000000.${body}`).digest('hex');
    expect(signBody(secret, 1_800_000_000, body)).toBe(`v1=${expected}`);
    const headers = signedHeaders(secret, 'evt_1', body, now);
    expect(headers['parley-timestamp']).toBe('1800000000');
    expect(headers['parley-event-id']).toBe('evt_1');
    expect(headers['parley-signature']).toBe(`v1=${expected}`);
  });

  it('verifies its own signature and refuses a changed body, another secret or an old timestamp', () => {
    const h = signedHeaders(secret, 'evt_1', body, now);
    const sig = h['parley-signature'] ?? '';
    const ts = h['parley-timestamp'] ?? '';
    expect(verifySignature(secret, sig, ts, body, now)).toBe(true);
    expect(verifySignature(secret, `v0=abc, ${sig}`, ts, body, now)).toBe(true);
    expect(verifySignature(secret, sig, ts, `${body} `, now)).toBe(false);
    expect(verifySignature('other', sig, ts, body, now)).toBe(false);
    expect(verifySignature(secret, sig, ts, body, now + 301_000)).toBe(false);
    expect(verifySignature(secret, sig, 'soon', body, now)).toBe(false);
  });
});
