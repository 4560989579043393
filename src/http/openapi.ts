import { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';
import { defineRoute, type RouteSpec } from './route.js';
import { docRegistry } from './schemas.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: {
    title: string;
    version: string;
    description: string;
    license: { name: string; identifier: string };
  };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
}

const TAGS: Record<string, string> = {
  apps: 'Apps (tenants) and their settings',
  users: 'Users of an app',
  tokens: "Access tokens for your site's users",
  accounts: 'Public self-registration and password login',
  rooms: 'Rooms',
  messages: 'Room history and server-side publishing',
  moderation: 'Mutes, bans, kicks, the moderation record and presence',
  audit: 'The audit trail of changes made through the admin API',
  webhooks: 'Outgoing webhooks: endpoints and their delivery logs',
  bots: 'Bots: users that sign in with an API key and answer slash commands (docs/bots.md)',
  operations: 'Health, readiness, metrics and this document',
  meta: 'The API description',
};

const COMPONENT_REF = '#/components/schemas/';

/** JSON Schema of a zod schema, with named schemas as references to the document's components. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const converted = z.toJSONSchema(schema, {
    io,
    metadata: docRegistry,
    unrepresentable: 'any',
    override: addDescription,
  }) as JsonObject;
  return rewriteRefs(converted) as JsonObject;
}

/** Names come from docRegistry; descriptions (`.describe()`) live in zod's global registry: take them too. */
function addDescription(ctx: { zodSchema: z.core.$ZodType; jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  const description = z.globalRegistry.get(ctx.zodSchema)?.description;
  if (description !== undefined && ctx.jsonSchema.description === undefined)
    ctx.jsonSchema.description = description;
}

function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$schema' || key === '$defs' || key === '$id') continue;
    if (key === '$ref' && typeof child === 'string') out[key] = child.replace(/^#\/\$defs\//, COMPONENT_REF);
    else out[key] = rewriteRefs(child);
  }
  return out;
}

function components(): Record<string, JsonObject> {
  const { schemas } = z.toJSONSchema(docRegistry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `${COMPONENT_REF}${id}`,
    override: addDescription,
  }) as { schemas: Record<string, JsonObject> };
  const out: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(schemas)) out[name] = rewriteRefs(schema) as JsonObject;
  return out;
}

/** Fastify's `/apps/:app` as OpenAPI's `/apps/{app}`. */
export function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((object['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    const parameter: JsonObject = {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
    };
    if (typeof description === 'string') parameter['description'] = description;
    return parameter;
  });
}

/** The error codes a route may answer with, grouped by HTTP status. */
function errorCodes(route: RouteSpec): Map<number, ErrorCode[]> {
  const codes = new Set<ErrorCode>(route.errors ?? []);
  if (route.params || route.query || route.body) codes.add('bad_request');
  if (route.body) codes.add('frame_too_large');
  if (route.auth !== 'public') codes.add('unauthorized');
  // Any request with a disallowed Origin is refused, whatever the route.
  codes.add('origin_not_allowed');
  codes.add('internal');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

function operation(route: RouteSpec): JsonObject {
  const op: JsonObject = {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
  };
  if (route.description) op['description'] = route.description;
  op['security'] =
    route.auth === 'admin'
      ? [{ adminKey: [] }]
      : route.auth === 'optionalAdmin'
        ? [{}, { adminKey: [] }]
        : [];
  const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
  if (params.length > 0) op['parameters'] = params;
  if (route.body) {
    op['requestBody'] = {
      required: true,
      content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
    };
  }
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const entry: JsonObject = { description: response.description };
    if (response.schema) {
      entry['content'] = {
        [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output') },
      };
    }
    responses[status] = entry;
  }
  for (const [status, codes] of errorCodes(route)) {
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code].message}`).join('; '),
      content: { 'application/json': { schema: { $ref: `${COMPONENT_REF}Error` } } },
    };
  }
  op['responses'] = responses;
  return op;
}

/** The OpenAPI 3.1 document of the given routes, generated from the zod schemas they validate with. */
export function buildOpenApiDocument(routes: readonly RouteSpec[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  const usedTags = new Set(routes.map((r) => r.tag));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley HTTP API',
      version: '1.0.0',
      description:
        'Administration (with the admin key as a Bearer token), public account endpoints, health and metrics. ' +
        'Every error answers `{ "error": { "code", "status", "message", "details"? } }`. See docs/http-api.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the document describes the server that serves it, whatever its address.
    servers: [{ url: '/', description: 'This Parley server' }],
    tags: Object.entries(TAGS)
      .filter(([name]) => usedTags.has(name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: components(),
      securitySchemes: {
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin key (PARLEY_ADMIN_KEY, or admin.key in the data directory)',
        },
      },
    },
  };
}

/** GET /api/v1/openapi.json; the document is built once, on first request, from `routes()` (which includes it). */
export function openApiRoute(routes: () => readonly RouteSpec[]): RouteSpec {
  let document: OpenApiDocument | null = null;
  return defineRoute({
    method: 'GET',
    url: OPENAPI_PATH,
    operationId: 'openapi',
    tag: 'meta',
    summary: 'This API as an OpenAPI 3.1 document',
    auth: 'public',
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
    handler: async () => {
      document ??= buildOpenApiDocument(routes());
      return { status: 200, body: document };
    },
  });
}
