import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ParleyError } from '../core/errors.js';

export interface AdminAuth {
  /** onRequest hook: the request must carry the admin key, else `unauthorized` (401). */
  require(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** onRequest hook: no Authorization header is fine; one that is sent must hold the admin key. */
  optional(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** True once one of the hooks has accepted the request's admin key. */
  isAdmin(request: FastifyRequest): boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive), else null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Compares in constant time: both sides are hashed first, so neither the content nor the length of the key
 * shows in the timing. An empty admin key matches nothing.
 */
export function isAdminKey(candidate: string | null, adminKey: string): boolean {
  if (candidate === null || adminKey.length === 0) return false;
  return timingSafeEqual(digest(candidate), digest(adminKey));
}

/** Admin authentication for the HTTP API: `Authorization: Bearer <admin key>`. */
export function createAdminAuth(adminKey: string): AdminAuth {
  const verified = new WeakSet<FastifyRequest>();

  const check = (request: FastifyRequest, reply: FastifyReply): void => {
    if (isAdminKey(bearerToken(request.headers.authorization), adminKey)) {
      verified.add(request);
      return;
    }
    reply.header('WWW-Authenticate', 'Bearer realm="parley-admin"');
    const message =
      request.headers.authorization === undefined
        ? 'This endpoint requires the admin key (Authorization: Bearer <key>)'
        : 'The admin key is wrong';
    throw new ParleyError('unauthorized', message);
  };

  return {
    async require(request, reply) {
      check(request, reply);
    },
    async optional(request, reply) {
      if (request.headers.authorization !== undefined) check(request, reply);
    },
    isAdmin: (request) => verified.has(request),
  };
}
