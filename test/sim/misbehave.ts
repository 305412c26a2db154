/**
 * Misbehaviour modes, per log. Each produces exactly the bad data it names, and clearing the mode
 * (`mode: null`) restores honest serving:
 *
 * | mode                     | what clients see                                                     | client error        |
 * |--------------------------|----------------------------------------------------------------------|---------------------|
 * | fork                     | checkpoint n+1 of a tree whose leaf n−1 differs; proofs match it       | INCONSISTENT_TREE / ROOT_MISMATCH |
 * | rollback                 | a correctly signed checkpoint of size n−1                             | INCONSISTENT_TREE   |
 * | same-size-other-root     | checkpoint of size n with another root                               | INCONSISTENT_TREE   |
 * | bad-checkpoint-signature | the log key's signature with one bit flipped (CT: STH signature)     | BAD_SIGNATURE       |
 * | unknown-key              | checkpoint signed by a key not in the trusted root                   | UNKNOWN_KEY (CT: BAD_SIGNATURE) |
 * | leaf-mismatch            | leaf `index` (default: last) served with another real entry          | ROOT_MISMATCH       |
 * | corrupt-tile             | v2: tiles/bundles truncated; v1: entry body not base64; CT: leaf_input truncated | MALFORMED_TILE / MALFORMED_ENTRY / MALFORMED_CT |
 * | http-429                 | 429 + Retry-After on `fraction` of requests (default 0.5)             | HTTP                |
 * | slow                     | every response delayed `delayMs` (default 2000)                      | HTTP                |
 * | malformed-json           | JSON (and checkpoint text) bodies cut in half, status 200            | parse error         |
 * | garbage-entry            | appends `count` (default 1) entries of garbage bytes, correctly in the tree | malformed entry, no halt |
 */
import { z } from 'zod';

export const MISBEHAVE_MODES = [
  'fork',
  'rollback',
  'same-size-other-root',
  'bad-checkpoint-signature',
  'leaf-mismatch',
  'corrupt-tile',
  'unknown-key',
  'http-429',
  'slow',
  'malformed-json',
  'garbage-entry',
] as const;

export type MisbehaveMode = (typeof MISBEHAVE_MODES)[number];

export const misbehaveOptionsSchema = z
  .object({
    /** http-429: share of requests answered 429 (0–1). */
    fraction: z.number().min(0).max(1).optional(),
    /** http-429: Retry-After seconds. */
    retryAfter: z.number().int().min(0).max(3600).optional(),
    /** slow: delay in ms. */
    delayMs: z.number().int().min(0).max(120_000).optional(),
    /** leaf-mismatch: the leaf served wrong (default the last one). */
    index: z.number().int().min(0).optional(),
    /** garbage-entry: how many garbage entries to append. */
    count: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

export type MisbehaveOptions = z.infer<typeof misbehaveOptionsSchema>;

export interface ActiveMisbehavior {
  mode: MisbehaveMode;
  options: MisbehaveOptions;
}

/** Per-log request-level misbehaviour (429s, delays): decided before any route runs. */
export class RequestGate {
  #n = 0;

  /** Whether this request should get a 429, spreading `fraction` evenly (deterministic, no randomness). */
  shouldThrottle(fraction: number): boolean {
    const k = this.#n++;
    return Math.floor((k + 1) * fraction) > Math.floor(k * fraction);
  }
}
