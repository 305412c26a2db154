/**
 * "What would these rules have matched?": the worker keeps the most recent SigningEvents in the Redis
 * list `${prefix}:recent-events` (LPUSH + LTRIM 5,000); run the pure matcher of @sigwatch/rules on them.
 * List entries are parsed with SigningEventSchema: a bad one is skipped, never trusted.
 */
import type { Redis } from 'ioredis';
import { matchRule, SigningEventSchema, type Rule } from '@sigwatch/rules';

export const PREVIEW_WINDOW = 5000;
export const PREVIEW_MAX_MATCHES = 50;

export interface PreviewMatch {
  rule: number;
  field: string;
  value: string;
  log: string;
  index: string;
  kind: string;
  identity: string | null;
  integratedTime: number | null;
}

export interface PreviewResult {
  scanned: number;
  matched: number;
  matches: PreviewMatch[];
}

export async function previewRules(redis: Redis, prefix: string, rules: readonly Rule[]): Promise<PreviewResult> {
  const raw = await redis.lrange(`${prefix}:recent-events`, 0, PREVIEW_WINDOW - 1);
  const out: PreviewResult = { scanned: 0, matched: 0, matches: [] };
  for (const item of raw) {
    let json: unknown;
    try {
      json = JSON.parse(item);
    } catch {
      continue;
    }
    const parsed = SigningEventSchema.safeParse(json);
    if (!parsed.success) continue;
    out.scanned++;
    const ev = parsed.data;
    for (let i = 0; i < rules.length; i++) {
      const m = matchRule(ev, rules[i]!);
      if (m === undefined) continue;
      out.matched++;
      if (out.matches.length < PREVIEW_MAX_MATCHES) {
        out.matches.push({
          rule: i,
          field: m[0]?.field ?? '',
          value: m[0]?.value ?? '',
          log: ev.log.origin,
          index: ev.index,
          kind: ev.kind,
          identity: ev.certificate?.sans[0]?.value ?? ev.publicKey?.fingerprintSha256 ?? null,
          integratedTime: ev.integratedTime ?? null,
        });
      }
      break;
    }
  }
  return out;
}
