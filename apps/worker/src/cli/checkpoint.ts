/**
 * `sigwatch checkpoint verify <file> [--trusted-root <file>] [--witness <vkey>]…`
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
import { parseArgs, printJson, single, UsageError, withUsage, type ParsedArgs } from './args.js';

const USAGE = 'sigwatch checkpoint verify <file> [--trusted-root <file>] [--witness <vkey>]…';

// Shared with the `consistency` command.

/** Reads a file named on the command line; a missing/unreadable file is a usage error. */
export function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `--trusted-root <file>` or the production root embedded in @sigstore/tuf. */
export function loadTrustedRoot(p: ParsedArgs): TrustedRoot {
  const file = single(p, 'trusted-root');
  return file === undefined ? embeddedTrustedRoot() : parseTrustedRoot(readInput(file, 'trusted root'));
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

/** Prints a failure result and returns exit code 1 for `TlogError`s; rethrows anything else. */
export function reportFailure(err: unknown): number {
  if (isTlogError(err)) {
    printJson({ ok: false, code: err.code, message: err.message });
    return 1;
  }
  throw err;
}

export async function run(args: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const p = parseArgs(args, { options: ['trusted-root', 'witness'] });
    const [verb, file, ...extra] = p.positionals;
    if (verb !== 'verify' || file === undefined || extra.length > 0) throw new UsageError('expected: checkpoint verify <file>');
    const text = readInput(file, 'checkpoint');
    try {
      const root = loadTrustedRoot(p);
      const witnessKeys = loadWitnesses(p);
      const v = verifyCheckpoint(text, { logKeys: checkpointVerifiers(root), witnessKeys });
      const cp = v.checkpoint;
      printJson({
        ok: true,
        file,
        origin: cp.origin,
        size: cp.size,
        rootHash: { hex: toHex(cp.rootHash), base64: toBase64(cp.rootHash) },
        extensions: cp.extensions,
        verifiedBy: v.logSignatures.map((s) => ({ name: s.name, keyId: s.keyId, type: s.type, log: findCheckpointSigner(root, s.name, s.keyId)?.baseUrl ?? null })),
        witnesses: v.witnessSignatures.map((s) => ({ name: s.name, keyId: s.keyId, timestamp: s.timestamp ?? null })),
        ignoredSignatures: v.unknownSignatures,
      });
      return 0;
    } catch (err) {
      return reportFailure(err);
    }
  });
}
