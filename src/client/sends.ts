/**
 * The sends in progress: each keeps its clientMsgId across reconnects, so that a send cut off by a lost
 * connection is written again after the reconnect and settles once, with the one message.
 */
import type { SendResult } from '../protocol/native.js';
import { ParleyClientError, toClientError } from './errors.js';
import { readProp } from './pending.js';
import type { Transport } from './transport.js';

/**
 * A send whose connection dropped this many times while it was in flight is given up: it may be what drops
 * the connection (socket.io closes on an oversized packet without saying why).
 */
export const MAX_SEND_ATTEMPTS = 3;

/** A fresh id for a send: random, so that a retry after a reconnect is recognised by the server. */
export function newClientMsgId(): string {
  const cryptoObject = readProp(globalThis, 'crypto');
  const randomUUID = readProp(cryptoObject, 'randomUUID');
  if (typeof randomUUID === 'function') {
    const id: unknown = Reflect.apply(randomUUID, cryptoObject, []);
    if (typeof id === 'string') return id;
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

interface PendingSend {
  key: number;
  /** Times it was written to a connection. */
  attempts: number;
  room: string;
  text: string;
  clientMsgId: string;
  /** The message this one answers, if any. */
  replyTo: number | null;
  /** Upload ids the message carries (docs/attachments.md). */
  attachments: string[];
  inFlight: boolean;
  resolve(result: SendResult): void;
  reject(err: ParleyClientError): void;
}

/** What the queue needs of its client. */
export interface SendHost {
  /** The open connection, if any. */
  transport(): Transport | null;
  readonly requestTimeoutMs: number;
  /** Whether a send lost with its connection is kept for the next one (reconnecting, not closed). */
  keepsLostSends(): boolean;
}

export class SendQueue {
  private readonly sends = new Map<number, PendingSend>();
  private lastKey = 0;

  constructor(private readonly host: SendHost) {}

  /** Queue a send; it is written at once when `now`, else by the next flush(). */
  add(
    room: string,
    text: string,
    clientMsgId: string,
    now: boolean,
    replyTo: number | null = null,
    attachments: string[] = [],
  ): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const pending: PendingSend = {
        key: ++this.lastKey,
        room,
        text,
        clientMsgId,
        replyTo,
        attachments,
        attempts: 0,
        inFlight: false,
        resolve,
        reject,
      };
      this.sends.set(pending.key, pending);
      if (now) void this.transmit(pending);
    });
  }

  /** Send again what was lost with the previous connection, in order, before the client reports `open`. */
  async flush(transport: Transport): Promise<void> {
    for (;;) {
      if (this.host.transport() !== transport) return;
      const next = [...this.sends.values()].find((pending) => !pending.inFlight);
      if (!next) return;
      await this.transmit(next);
      if (this.sends.get(next.key) === next && !next.inFlight) return; // lost again: the reconnect retries
    }
  }

  /** Write every send not in flight (those queued since the last flush). */
  transmitWaiting(): void {
    for (const pending of this.sends.values()) if (!pending.inFlight) void this.transmit(pending);
  }

  rejectAll(error: ParleyClientError): void {
    const sends = [...this.sends.values()];
    this.sends.clear();
    for (const pending of sends) pending.reject(error);
  }

  private async transmit(pending: PendingSend): Promise<void> {
    const transport = this.host.transport();
    if (!transport || pending.inFlight || !this.sends.has(pending.key)) return;
    pending.inFlight = true;
    pending.attempts++;
    try {
      const result = (await transport.request(
        'send',
        {
          room: pending.room,
          text: pending.text,
          clientMsgId: pending.clientMsgId,
          ...(pending.replyTo === null ? {} : { replyTo: pending.replyTo }),
          ...(pending.attachments.length === 0 ? {} : { attachments: pending.attachments }),
        },
        this.host.requestTimeoutMs,
      )) as SendResult;
      this.sends.delete(pending.key);
      pending.resolve(result);
    } catch (err) {
      pending.inFlight = false;
      const error = toClientError(err);
      const retry =
        error.code === 'disconnected' && this.host.keepsLostSends() && pending.attempts < MAX_SEND_ATTEMPTS;
      // Lost with the connection: kept, and sent again after the reconnect.
      if (retry) return;
      this.sends.delete(pending.key);
      pending.reject(
        error.code === 'disconnected' && pending.attempts >= MAX_SEND_ATTEMPTS
          ? new ParleyClientError(
              'disconnected',
              `The connection dropped ${pending.attempts} times during this send`,
              {
                details: { clientMsgId: pending.clientMsgId },
              },
            )
          : error,
      );
    }
  }
}
