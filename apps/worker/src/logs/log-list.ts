/**
 * Which logs to follow (certspotter `loglist/`): data, validated with zod, never hard-coded keys.
 * `SIGWATCH_LOGS=public-good` derives the list from the trusted root (Rekor v1 rekor.sigstore.dev, every
 * Rekor v2 shard, the current Fulcio CT log); otherwise it is a path or URL to a logs file:
 *   {"logs":[{"origin","kind":"rekor-v1"|"rekor-v2"|"ct","url","publicKey":"<base64 DER SPKI>","keyId":"<base64>","treeId"?}]}
 * (the simulator writes one as <state dir>/logs.json). The follow role reads both afresh every
 * LOGS_REFRESH_INTERVAL_MS (the trusted root through trusted-root-source.ts), so a new shard is followed
 * without a restart.
 */
import { readFile } from 'node:fs/promises';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { embeddedTrustedRoot, parseTrustedRoot, type TrustedRoot } from '@sigwatch/tlog';
import type { LogKind } from '@sigwatch/rules';
import { requestJson } from './http.js';

export const LogsFileSchema = z.object({
  logs: z
    .array(
      z.object({
        origin: z.string().min(1).max(200),
        kind: z.enum(['rekor-v1', 'rekor-v2', 'ct']),
        url: z.url(),
        publicKey: z.base64().min(1),
        keyId: z.base64().min(1),
        treeId: z.string().regex(/^\d+$/).optional(),
      }),
    )
    .min(1, 'a logs file must list at least one log'),
});

export interface LogConfig {
  /** Stable slug of the origin: the Log row's id and the job-id component. */
  id: string;
  /** Rekor v1: the checkpoint key name (host); Rekor v2: the checkpoint origin; CT: URL without scheme. */
  origin: string;
  kind: LogKind;
  /** Base URL of the log's read API (no trailing slash). */
  url: string;
  publicKey: KeyObject;
  publicKeyDer: Uint8Array;
  keyId: string;
  treeId?: string;
}

export class LogListError extends Error {
  override readonly name = 'LogListError';
  readonly code = 'INVALID_LOG_LIST' as const;
}

export function logIdFromOrigin(origin: string): string {
  const slug = origin.toLowerCase().replace(/^https?:\/\//, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48);
  // A short hash keeps distinct origins distinct after slugging.
  return `${slug}-${createHash('sha256').update(origin).digest('hex').slice(0, 6)}`;
}

function fromEntry(e: z.infer<typeof LogsFileSchema>['logs'][number]): LogConfig {
  const der = new Uint8Array(Buffer.from(e.publicKey, 'base64'));
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (err) {
    throw new LogListError(`log ${e.origin}: publicKey is not a DER SubjectPublicKeyInfo (${err instanceof Error ? err.message : err})`);
  }
  return {
    id: logIdFromOrigin(e.origin),
    origin: e.origin,
    kind: e.kind,
    url: e.url.replace(/\/+$/, ''),
    publicKey,
    publicKeyDer: der,
    keyId: e.keyId,
    ...(e.treeId !== undefined ? { treeId: e.treeId } : {}),
  };
}

const RETIRED_GRACE_MS = 14 * 24 * 3600 * 1000;

/** The public-good logs, from the trusted root: retired shards are kept for two weeks to finish their tails. */
export function publicGoodLogs(root: TrustedRoot, now = new Date()): LogConfig[] {
  const live = (end: Date | undefined) => end === undefined || end.getTime() + RETIRED_GRACE_MS > now.getTime();
  const out: LogConfig[] = [];
  for (const log of root.tlogs) {
    if (!live(log.validFor.end)) continue;
    const kind: LogKind = log.key.asymmetricKeyType === 'ed25519' ? 'rekor-v2' : 'rekor-v1';
    const der = new Uint8Array(log.key.export({ format: 'der', type: 'spki' }));
    out.push({ id: logIdFromOrigin(log.hostname), origin: log.hostname, kind, url: log.baseUrl.replace(/\/+$/, ''), publicKey: log.key, publicKeyDer: der, keyId: Buffer.from(log.logId).toString('base64') });
  }
  for (const log of root.ctlogs) {
    if (log.validFor.end !== undefined || log.key.asymmetricKeyType !== 'ec') continue;
    const origin = log.baseUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const der = new Uint8Array(log.key.export({ format: 'der', type: 'spki' }));
    out.push({ id: logIdFromOrigin(origin), origin, kind: 'ct', url: log.baseUrl.replace(/\/+$/, ''), publicKey: log.key, publicKeyDer: der, keyId: Buffer.from(log.logId).toString('base64') });
  }
  return out;
}

export async function loadTrustedRoot(path: string | undefined): Promise<TrustedRoot> {
  if (path === undefined) return embeddedTrustedRoot();
  return parseTrustedRoot(await readFile(path, 'utf8'));
}

/** Resolves SIGWATCH_LOGS to the list of logs to follow. Throws LogListError with the reason. */
export async function loadLogList(spec: string, trustedRoot: TrustedRoot): Promise<LogConfig[]> {
  if (spec === 'public-good') return publicGoodLogs(trustedRoot);
  let json: unknown;
  try {
    json = /^https?:\/\//.test(spec) ? await requestJson(spec, {}, { retries: 2 }) : JSON.parse(await readFile(spec, 'utf8'));
  } catch (e) {
    throw new LogListError(`SIGWATCH_LOGS=${spec}: cannot read the logs file (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = LogsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new LogListError(`SIGWATCH_LOGS=${spec}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const logs = parsed.data.logs.map(fromEntry);
  const origins = new Set<string>();
  for (const l of logs) {
    if (origins.has(l.origin)) throw new LogListError(`SIGWATCH_LOGS=${spec}: origin ${l.origin} is listed twice`);
    origins.add(l.origin);
  }
  return logs;
}
