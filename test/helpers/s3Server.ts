import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The smallest S3-compatible server the AWS SDK talks to, for the tests' own use: path-style
 * `/<bucket>/<key>` PUT, GET, HEAD and DELETE of objects, in memory; signatures are not checked.
 */
export class TestS3Server {
  readonly objects = new Map<string, { bytes: Buffer; type: string }>();
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body?: Buffer | string }> {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const object = this.objects.get(path);
    const xml = { 'content-type': 'application/xml' };
    const missing = {
      status: 404,
      headers: xml,
      body: '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>missing</Message></Error>',
    };
    switch (req.method) {
      case 'PUT':
        this.objects.set(path, {
          bytes: Buffer.concat(chunks),
          type: req.headers['content-type'] ?? 'application/octet-stream',
        });
        return { status: 200, headers: { etag: '"x"' } };
      case 'GET':
      case 'HEAD':
        if (!object) return req.method === 'HEAD' ? { status: 404, headers: {} } : missing;
        return {
          status: 200,
          headers: { 'content-type': object.type, 'content-length': String(object.bytes.length) },
          ...(req.method === 'GET' ? { body: object.bytes } : {}),
        };
      case 'DELETE':
        this.objects.delete(path);
        return { status: 204, headers: {} };
      default:
        return { status: 405, headers: {} };
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
