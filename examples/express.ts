/**
 * Parley inside an express app, under /chat: mounted as middleware, with the WebSocket upgrades attached to the
 * server express listens on.
 *
 *   node --import tsx examples/express.ts   → http://localhost:3000/ (the site), /chat/ (Parley)
 *
 * In your app, import from the package instead: `import { createParley } from '<the server package>'`.
 */
import express from 'express';
import { createParley } from '../src/library.js';

const parley = await createParley({ prefix: '/chat', dataDir: './data/chat', env: process.env });

const app = express();
// Before any body parser: Parley reads its own request bodies.
app.use(parley.handler);
app.use(express.json());
app.get('/', (_req, res) => {
  res.send(`<!doctype html><title>My site</title><h1>My site</h1>
<script src="/chat/widget.js" data-app="1" data-room="lobby" async></script>`);
});

const port = Number(process.env['PORT'] ?? 3000);
const server = app.listen(port, () => console.log(`site on http://localhost:${port}/, Parley under /chat/`));
// Requests come through the middleware; the upgrades (WebSocket, socket.io) need the server itself.
parley.attach(server, { requests: false });

process.once('SIGTERM', () => {
  void parley.close().then(() => server.close());
});
