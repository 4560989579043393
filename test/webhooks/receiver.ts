/** A webhook receiver of the tests' own: an HTTP server on loopback that records and verifies each delivery. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/outbound/signature.js';

export interface Received {
  eventId: string;
  verified: boolean;
  body: { id: string; type: string; appId: number; createdAt: number; data: Record<string, unknown> };
}

/** How the receiver answers one delivery: a status, or `hang` (never answers until closed). */
export type Answer = number | 'hang' | { redirect: string } | { slowMs: number; status: number };

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer; 200 by default. */
  answer: (delivery: Received, index: number) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: () => 200,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(req.headers[name] ?? '');
      const delivery: Received = {
        eventId: header('parley-event-id'),
        verified: verifySignature(
          secret,
          header('parley-signature'),
          header('parley-timestamp'),
          raw,
          Date.now(),
        ),
        body: JSON.parse(raw) as Received['body'],
      };
      const index = receiver.received.length;
      receiver.received.push(delivery);
      const answer = receiver.answer(delivery, index);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      if (typeof answer === 'number') return void res.writeHead(answer).end('ok');
      if ('redirect' in answer) return void res.writeHead(302, { location: answer.redirect }).end();
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.writeHead(answer.status).end('ok');
      }, answer.slowMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
