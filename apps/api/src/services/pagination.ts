/**
 * Cursor pagination, newest first: a cursor is the (createdAt, id) of the last item served, opaque
 * (base64url JSON) to clients. A malformed cursor is a 400 naming the `cursor` field.
 */
import { invalid } from '../errors.js';

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(item: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([item.createdAt.toISOString(), item.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      const createdAt = new Date(v[0]);
      if (!Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/.test(v[1])) return { createdAt, id: v[1] };
    }
  } catch {
    // fall through
  }
  throw invalid('cursor', 'cursor: not a cursor returned by this API');
}

/** Prisma `where` fragment: strictly after the cursor in (createdAt desc, id desc) order. */
export function afterCursor(c: Cursor | undefined): object {
  if (c === undefined) return {};
  return { OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] };
}

export const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/** Fetch limit + 1 rows and turn them into a page. */
export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
}
