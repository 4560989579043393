/** Library mode beside a fastify site: Parley attached to the fastify instance's own server. */
import Fastify from 'fastify';
import { describe } from 'vitest';
import { attachParley } from '../../src/library.js';
import { libraryModeSuite, siteAnswer, siteWebSockets } from './suite.js';

describe('library mode beside a fastify site', () => {
  libraryModeSuite(async (options) => {
    const site = Fastify();
    site.all('*', async (request, reply) => {
      reply.hijack();
      siteAnswer(request.raw, reply.raw);
    });
    await site.ready();
    siteWebSockets(site.server);
    const parley = await attachParley(site.server, options);
    return { server: site.server, parley };
  });
});
