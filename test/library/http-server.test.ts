/** Library mode on a plain `http` server: `attachParley` serves /chat, the site's listener everything else. */
import { createServer } from 'node:http';
import { describe } from 'vitest';
import { attachParley } from '../../src/library.js';
import { libraryModeSuite, siteAnswer, siteWebSockets } from './suite.js';

describe('library mode on a plain http server', () => {
  libraryModeSuite(async (options) => {
    const server = createServer(siteAnswer);
    siteWebSockets(server);
    const parley = await attachParley(server, options);
    return { server, parley };
  });
});
