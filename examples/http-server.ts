/**
 * Parley on a plain Node `http` server, under /chat, beside the site's own pages.
 *
 *   node --import tsx examples/http-server.ts   → http://localhost:3000/ (the site), /chat/ (Parley)
 *
 * In your app, import from the package instead: `import { attachParley } from '<the server package>'`.
 */
import { createServer } from 'node:http';
import { attachParley } from '../src/library.js';

const server = createServer((req, res) => {
  // The site's own handler: Parley never calls it for /chat/…
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>My site</title><h1>My site</h1>
<script src="/chat/widget.js" data-app="1" data-room="lobby" async></script>`);
});

// The same settings as `parley serve` (and its config file); port and host are the site's.
const parley = await attachParley(server, {
  prefix: '/chat',
  dataDir: './data/chat',
  env: process.env, // PARLEY_ADMIN_KEY, PARLEY_ALLOWED_ORIGINS… work as for the command
});

const port = Number(process.env['PORT'] ?? 3000);
server.listen(port, () => console.log(`site on http://localhost:${port}/, Parley under /chat/`));

// Drain Parley (clients get 1001 "shutdown"), then close the site's server.
process.once('SIGTERM', () => {
  void parley.close().then(() => server.close());
});
