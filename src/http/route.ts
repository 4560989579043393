import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ParleyError, type ErrorCode } from '../core/errors.js';
import type { EngineAdmin } from '../engine/api.js';
import type { AdminAuth } from './adminAuth.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/**
 * - `admin`: the admin key is required (`Authorization: Bearer <key>`).
 * - `public`: no credentials.
 * - `optionalAdmin`: public; an admin key, when sent, must be right and lets the route show more.
 */
export type RouteAuth = 'admin' | 'public' | 'optionalAdmin';

export interface ResponseSpec {
  description: string;
  /** Absent: no body. */
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** True when the request proved the admin key. */
  admin: boolean;
  request: FastifyRequest;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  contentType?: string;
  /** Extra response headers (a served file's Content-Disposition and its security headers). */
  headers?: Record<string, string>;
}

/**
 * One endpoint: how it is called, what it answers, and its handler. The same object is registered with fastify
 * and described in the OpenAPI document.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: HttpMethod;
  /** Fastify syntax: `/api/v1/apps/:app`. */
  url: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Success responses by status. */
  responses: Record<number, ResponseSpec>;
  /** Error codes this route answers with besides the common ones (bad_request, unauthorized, internal, …). */
  errors?: ErrorCode[];
  /**
   * The action name the audit trail records a success of this route under (audit.ts), e.g. `token.revoke`.
   * Every mutating admin route has one (a test holds them to it); reads have none.
   */
  audit?: string;
  /** A sign-in route: held to the per-address cap on requests (authRateLimit.ts). */
  signIn?: boolean;
  handler(ctx: RouteContext<P, Q, B>): Promise<RouteResult>;
}

/** Keeps the types of params, query and body tied to their schemas. */
export function defineRoute<P = unknown, Q = unknown, B = unknown>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}

/** Rejects any query string parameter on routes that take none. */
const NO_QUERY = z.strictObject({});

export type InputLocation = 'params' | 'query' | 'body';

/** The first problem of a failed parse as a catalogue error, e.g. `{ field: 'settings.flood.burst' }`. */
export function zodToParleyError(error: z.ZodError, location: InputLocation): ParleyError {
  const fieldOf = (issue: z.core.$ZodIssue): string => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    return path.length > 0 ? path.join('.') : location;
  };
  const first = error.issues[0];
  const field = first ? fieldOf(first) : location;
  return new ParleyError('bad_request', `${field}: ${first?.message ?? 'invalid'}`, {
    field,
    location,
    issues: error.issues.map((issue) => ({ field: fieldOf(issue), message: issue.message })),
  });
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, location: InputLocation): T {
  const result = schema.safeParse(value);
  if (!result.success) throw zodToParleyError(result.error, location);
  return result.data;
}

export function registerRoutes(app: FastifyInstance, routes: readonly RouteSpec[], auth: AdminAuth): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      onRequest: route.auth === 'admin' ? auth.require : route.auth === 'optionalAdmin' ? auth.optional : [],
      config: {
        signInRoute: route.signIn === true,
        ...(route.audit === undefined ? {} : { audit: route.audit }),
      },
      handler: async (request, reply) => {
        const params = route.params ? parseInput(route.params, request.params, 'params') : undefined;
        const query = parseInput(route.query ?? NO_QUERY, request.query ?? {}, 'query');
        const body = route.body ? parseInput(route.body, request.body, 'body') : undefined;
        const admin = auth.isAdmin(request);
        const result = await route.handler({ params, query, body, admin, request });
        reply.code(result.status);
        if (result.contentType) reply.type(result.contentType);
        if (result.headers) reply.headers(result.headers);
        return result.body === undefined ? reply.send() : reply.send(result.body);
      },
    });
  }
}

/** What the resource routes are built from: they reach the server's state only through the engine. */
export interface ApiDeps {
  engine: EngineAdmin;
}
