/** Shared API schemas: the error body, ids, cursors and pages. */
import { z } from 'zod';

export const ErrorSchema = z.object({ code: z.string(), message: z.string(), field: z.string().optional() });
export const errorResponses = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema } as const;

export const IdParams = z.object({ id: z.uuid({ error: 'must be a UUID' }) });

export const PageQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
