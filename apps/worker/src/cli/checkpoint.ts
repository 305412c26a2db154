/**
 * `sigwatch checkpoint verify <file>… [--trusted-root <file>]… [--witness <vkey | vkey file>]…`
 *
 * One JSON object per file; exit 0 if all verified, 1 if any did not, 2 on bad usage.
 *
 * Verifies a signed checkpoint (C2SP signed note) with the trusted root's log keys (Rekor v1 ECDSA, Rekor v2
 * Ed25519) and optional witness keys; prints origin, size, root hash and the keys that verified it.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  checkpointVerifiers,
  embeddedTrustedRoot,
  findCheckpointSigner,
  isTlogError,
  parseTrustedRoot,
  parseVerifierKey,
  toBase64,
  toHex,
  verifyCheckpoint,
  type NoteVerifier,
  type TrustedRoot,
} from '@sigwatch/tlog';
import { parseArgs, printJson, UsageError, withUsage, type ParsedArgs } from './args.js';

const USAGE = 'sigwatch checkpoint verify <file>… [--trusted-root <file>]… [--witness <vkey | vkey file>]…';

// Shared with the `consistency` command.

/** Reads a file named on the command line; a missing/unreadable file is a usage error. */
export function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * `--trusted-root <file>` (repeatable: the union of the roots is trusted) or the production root embedded in
 * @sigstore/tuf.
 */
export function loadTrustedRoots(p: ParsedArgs): TrustedRoot[] {
  const files = p.options.get('trusted-root') ?? [];
  return files.length === 0 ? [embeddedTrustedRoot()] : files.map((f) => parseTrustedRoot(readInput(f, 'trusted root')));
}

/** Checkpoint verifiers for every transparency log of the given roots. */
export function logKeysOf(roots: readonly TrustedRoot[]): NoteVerifier[] {
  return roots.flatMap((r) => checkpointVerifiers(r));
}

/** `--witness <vkey>` (repeatable); a value naming an existing file is read as one vkey per line. */
export function loadWitnesses(p: ParsedArgs): NoteVerifier[] {
  const out: NoteVerifier[] = [];
  for (const w of p.options.get('witness') ?? []) {
    const lines = existsSync(w) ? readInput(w, 'witness key file').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [w];
    out.push(...lines.map(parseVerifierKey));
  }
  return out;
}

/** Prints a failure result (with `extra` fields) and returns exit code 1 for `TlogError`s; rethrows anything else. */
export function reportFailure(err: unknown, extra: Record<string, unknown> = {}): number {
  if (isTlogError(err)) {
    printJson({ ok: false, code: err.code, message: err.message, ...extra });
    return 1;
  }
  throw err;
}

export async function run(args: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const p = parseArgs(args, { options: ['trusted-root', 'witness'] });
    const [verb, ...files] = p.positionals;
    if (verb !== 'verify' || files.length === 0) throw new UsageError('expected: checkpoint verify <file>…');
    const texts = files.map((f) => readInput(f, 'checkpoint'));
    let roots: TrustedRoot[];
    let logKeys: NoteVerifier[];
    let witnessKeys: NoteVerifier[];
    try {
      roots = loadTrustedRoots(p);
      logKeys = logKeysOf(roots);
      witnessKeys = loadWitnesses(p);
    } catch (err) {
      return reportFailure(err);
    }
    let code = 0;
    texts.forEach((text, i) => {
      const file = files[i];
      try {
        const v = verifyCheckpoint(text, { logKeys, witnessKeys });
        const cp = v.checkpoint;
        const logOf = (name: string, keyId: string) => roots.map((r) => findCheckpointSigner(r, name, keyId)?.baseUrl).find((u) => u !== undefined) ?? null;
        printJson({
          ok: true,
          file,
          origin: cp.origin,
          size: cp.size,
          rootHash: { hex: toHex(cp.rootHash), base64: toBase64(cp.rootHash) },
          extensions: cp.extensions,
          verifiedBy: v.logSignatures.map((s) => ({ name: s.name, keyId: s.keyId, type: s.type, log: logOf(s.name, s.keyId) })),
          witnesses: v.witnessSignatures.map((s) => ({ name: s.name, keyId: s.keyId, timestamp: s.timestamp ?? null })),
          ignoredSignatures: v.unknownSignatures,
        });
      } catch (err) {
        code = Math.max(code, reportFailure(err, { file }));
      }
    });
    return code;
  });
}
