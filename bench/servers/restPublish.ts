/**
 * The baselines' side of S2's REST publisher: `POST /api/v1/apps/1/rooms/:room/messages` with `{username, text}`,
 * the same request Parley's server-side publish takes, answered 201 once the message is handed to the room.
 * Bodies are capped (64 KiB) as Parley's are; the baselines check no key (Parley checks its admin key).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringProp } from './args.js';

const PATH = /^\/api\/v1\/apps\/1\/rooms\/([^/]+)\/messages$/;
const MAX_BODY_BYTES = 65_536;

export type Publish = (room: string, username: string, text: string) => void;

/**
 * A request handler for the baselines' HTTP servers: the publish route, GET /healthz as Parley answers it (S1L
 * probes it with the connections held), 404 for anything else.
 */
export function restPublishHandler(publish: Publish): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const match = req.method === 'POST' ? PATH.exec(req.url ?? '') : null;
    if (!match?.[1]) {
      res.writeHead(404).end();
      return;
    }
    const room = decodeURIComponent(match[1]);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const username = stringProp(body, 'username');
      const text = stringProp(body, 'text');
      if (username === null || text === null) {
        res.writeHead(400).end();
        return;
      }
      publish(room, username, text);
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  };
}
