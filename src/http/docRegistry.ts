import { z } from 'zod';

/**
 * Response schemas are registered here under a name and become `#/components/schemas/<name>` in the OpenAPI
 * document (openapi.ts).
 */
export const docRegistry = z.registry<{ id: string; description?: string }>();

export function named<T extends z.ZodType>(schema: T, id: string, description?: string): T {
  docRegistry.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}
