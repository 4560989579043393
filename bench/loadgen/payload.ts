/**
 * The benchmark payload: every message's text is the JSON `{"p":publisher,"seq":n,"t0":ms}` (and, where a
 * scenario wants bigger frames, a `pad` string after them). Receivers find it in the raw frame without parsing
 * the whole frame: in a JSON frame the text is a JSON string, so its quotes appear escaped (`{\"p\":12,...`).
 * The server's rendered `html` carries the same text with `&quot;`, so it never matches.
 */

export interface Payload {
  /** Publisher id (unique per sending client). */
  p: number;
  /** The publisher's own sequence number, from 1 up. */
  seq: number;
  /** When the message was due to be sent (performance.now() in the load generator, ms). */
  t0: number;
}

export function encodePayload(p: number, seq: number, t0: number, pad = ''): string {
  const base = `{"p":${p},"seq":${seq},"t0":${t0.toFixed(3)}`;
  return pad ? `${base},"pad":"${pad}"}` : `${base}}`;
}

/** Parses the text of a message as sent by encodePayload (for clients that get decoded events). */
export function parsePayloadText(text: unknown): Payload | null {
  if (typeof text !== 'string' || !text.startsWith('{"p":')) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const p: unknown = Reflect.get(value, 'p');
    const seq: unknown = Reflect.get(value, 'seq');
    const t0: unknown = Reflect.get(value, 't0');
    if (typeof p !== 'number' || typeof seq !== 'number' || typeof t0 !== 'number') return null;
    return { p, seq, t0 };
  } catch {
    return null;
  }
}

const MARKER = Buffer.from('{\\"p\\":');
const SEQ_KEY = Buffer.from(',\\"seq\\":');
const T0_KEY = Buffer.from(',\\"t0\\":');

const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;

/** Reads an unsigned integer at `at`; returns [value, next index] or null. */
function readInt(buf: Buffer, at: number): [number, number] | null {
  let i = at;
  let value = 0;
  while (i < buf.length) {
    const c = buf[i] as number;
    if (c < ZERO || c > NINE) break;
    value = value * 10 + (c - ZERO);
    i++;
  }
  return i === at ? null : [value, i];
}

/** Reads an unsigned decimal like 1234.567. */
function readDecimal(buf: Buffer, at: number): [number, number] | null {
  const whole = readInt(buf, at);
  if (!whole) return null;
  let [value, i] = whole;
  if (buf[i] === DOT) {
    i++;
    let scale = 0.1;
    while (i < buf.length) {
      const c = buf[i] as number;
      if (c < ZERO || c > NINE) break;
      value += (c - ZERO) * scale;
      scale /= 10;
      i++;
    }
  }
  return [value, i];
}

function matchesAt(buf: Buffer, at: number, key: Buffer): boolean {
  if (at + key.length > buf.length) return false;
  for (let k = 0; k < key.length; k++) if (buf[at + k] !== key[k]) return false;
  return true;
}

/** Finds the payload inside a raw JSON frame (a Buffer), or null when the frame carries none. */
export function extractPayload(frame: Buffer, from = 0): Payload | null {
  const start = frame.indexOf(MARKER, from);
  if (start < 0) return null;
  const p = readInt(frame, start + MARKER.length);
  if (!p || !matchesAt(frame, p[1], SEQ_KEY)) return null;
  const seq = readInt(frame, p[1] + SEQ_KEY.length);
  if (!seq || !matchesAt(frame, seq[1], T0_KEY)) return null;
  const t0 = readDecimal(frame, seq[1] + T0_KEY.length);
  if (!t0) return null;
  return { p: p[0], seq: seq[0], t0: t0[0] };
}

/** A pad string of `length` characters that needs no escaping in JSON and no markdown rendering. */
export function makePad(length: number): string {
  return 'x'.repeat(Math.max(0, length));
}
