/**
 * `sigwatch entry inspect <file> [--trusted-root <file>]…`
 *
 * For a Rekor v1 `/api/v1/log/entries` response (with or without the UUID map), a cosign `rekorBundle`, or a
 * Sigstore bundle (v0.1–v0.3, Rekor v1 or v2 entries): one JSON object per log entry with the SigningEvent
 * Sigwatch would match (log, indexes, UUID / leaf hash, integrated time, kind + apiVersion, digests, SANs,
 * issuer, every Fulcio extension by name and OID, fingerprints, chain status) and the verification of the
 * SET, the inclusion proof, the checkpoint, the certificate chain and its embedded SCT, each `ok`, `failed`
 * (with code and reason) or `absent`; for a
 * bundle with RFC 3161 time-stamps, each one checked against the trusted roots' timestamp authorities
 * (`timestamps`: `ok`, `failed` or `unknown`, see bundle-timestamps.ts).
 * Exit 0 when every entry verified and parsed and no time-stamp failed, 1 otherwise, 2 on bad usage.
 */
import 'reflect-metadata';
import {

  inspectTlogEntries,
  isTlogError,
  toHex,
  type TlogEntryVerification,
  type TrustedRoot,
} from '@sigwatch/tlog';
import { FULCIO_EXTENSION_BY_OID, type SigningEvent } from '@sigwatch/rules';
import { parseLeaf } from '../parse/parse-leaf.js';
import { parseArgs, printJson, UsageError, withUsage } from './args.js';
import { bundleTimestamps } from './bundle-timestamps.js';
import { loadTrustedRoots, readInput } from './checkpoint.js';

const USAGE = 'sigwatch entry inspect <file> [--trusted-root <file>]…';

/** As the matcher judges it (match/chain-verdict.ts): chains to a trusted Fulcio CA and, where a CT log ran, logged. */
function chainStatus(v: TlogEntryVerification): 'valid' | 'invalid' | 'unknown' {
  const c = v.checks.certificate.status;
  if (c === 'failed' || v.checks.sct.status === 'failed') return 'invalid';
  return c === 'ok' ? 'valid' : 'unknown';
}

/** The SigningEvent of one verified-or-not entry; a parse failure is reported, not thrown. */
export function eventOf(v: TlogEntryVerification): { event: SigningEvent } | { parseError: { code: string; message: string } } {
  const e = v.entry;
  const v2 = e.declaredKindVersion?.version === '0.0.2' || e.apiVersion === '0.0.2' || /ED25519/i.test(v.log?.keyDetails ?? '');
  const origin = v.log !== undefined ? new URL(v.log.baseUrl).hostname : `log ${toHex(e.logId).slice(0, 16)}`;
  try {
    const event = parseLeaf({
      log: { origin, kind: v2 ? 'rekor-v2' : 'rekor-v1' },
      index: e.inclusionProof?.logIndex ?? e.logIndex,
      globalIndex: e.logIndex,
      leafBytes: e.body,
      ...(e.uuid !== undefined ? { uuid: e.uuid } : {}),
      ...(e.integratedTime !== undefined && e.integratedTime > 0n ? { integratedTime: Number(e.integratedTime) } : {}),
      chainStatus: chainStatus(v),
    });
    return { event };
  } catch (err) {
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'PARSE_FAILED';
    return { parseError: { code, message: err instanceof Error ? err.message : String(err) } };
  }
}

/** Fulcio extensions by name and OID, for people reading the output. */
function namedExtensions(event: SigningEvent): Array<{ oid: string; name?: string; value: string }> {
  return Object.entries(event.certificate?.extensions ?? {}).map(([oid, value]) => {
    const info = FULCIO_EXTENSION_BY_OID.get(oid);
    return info !== undefined ? { oid, name: info.name, value } : { oid, value };
  });
}

export function inspect(input: unknown, trustedRoots: readonly TrustedRoot[]): Array<Record<string, unknown>> {
  // Try each trusted root; the first under which the entry's log is known decides.
  const perRoot = trustedRoots.map((root) => inspectTlogEntries(input, { trustedRoot: root }));
  const first = perRoot[0] ?? [];
  // A bundle's RFC 3161 time-stamps (its, not an entry's): shown with each entry; one that failed fails all.
  const timestamps = bundleTimestamps(input, trustedRoots);
  const timestampsOk = timestamps?.every((t) => t.status !== 'failed') ?? true;
  return first.map((_, i) => {
    const v = perRoot.map((r) => r[i] as TlogEntryVerification).find((x) => x.log !== undefined) ?? (first[i] as TlogEntryVerification);
    const parsed = eventOf(v);
    const ok = v.verified && 'event' in parsed && timestampsOk;
    return {
      ok,
      format: v.entry.format,
      position: v.entry.position,
      ...(v.log !== undefined ? { log: v.log } : {}),
      ...('event' in parsed ? { event: parsed.event, fulcioExtensions: namedExtensions(parsed.event) } : { parseError: parsed.parseError }),
      verification: v.checks,
      ...(timestamps !== undefined ? { timestamps } : {}),
    };
  });
}

export async function run(args: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const p = parseArgs(args, { options: ['trusted-root'] });
    const [sub, file, ...extra] = p.positionals;
    if (sub !== 'inspect') throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`);
    if (file === undefined) throw new UsageError('missing <file>');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    const text = readInput(file, 'entry file');
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (err) {
      printJson({ ok: false, code: 'MALFORMED_ENTRY', message: `${file} is not JSON: ${err instanceof Error ? err.message : String(err)}` });
      return 1;
    }
    let results: Array<Record<string, unknown>>;
    try {
      results = inspect(input, loadTrustedRoots(p));
    } catch (err) {
      if (isTlogError(err)) {
        printJson({ ok: false, code: err.code, message: err.message });
        return 1;
      }
      throw err;
    }
    if (results.length === 0) {
      printJson({ ok: false, code: 'MALFORMED_ENTRY', message: `${file} holds no log entries` });
      return 1;
    }
    for (const r of results) printJson(r);
    return results.every((r) => r['ok'] === true) ? 0 : 1;
  });
}


