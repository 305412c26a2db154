/**
 * `sigwatch consistency verify --old <checkpoint> --new <checkpoint> --proof <file> [--trusted-root <file>]
 *  [--witness <vkey>]…`
 *
 * Verifies both checkpoints (same origin, signed by a trusted log key) and the RFC 9162 consistency proof
 * between them. The proof file is a JSON array of hashes (hex or base64) or an object with a `hashes` array
 * (Rekor's `/api/v1/log/proof` response, CT's `{consistency: […]}` also accepted).
 */
import { fromHexOrBase64, TlogError, toHex, verifyCheckpoint, verifyConsistency } from '@sigwatch/tlog';
import { parseArgs, printJson, single, UsageError, withUsage } from './args.js';
import { loadTrustedRoots, loadWitnesses, logKeysOf, readInput, reportFailure } from './checkpoint.js';

const USAGE = 'sigwatch consistency verify --old <checkpoint> --new <checkpoint> --proof <file> [--trusted-root <file>] [--witness <vkey>]…';

/** Decodes a proof file: `[h, …]` or `{hashes: [h, …]}` / `{consistency: [h, …]}`, hashes hex or base64. */
export function parseProofFile(text: string): Uint8Array[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TlogError('BAD_PROOF_SIZE', 'proof file is not JSON', { cause: err });
  }
  const list = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null
      ? ((json as Record<string, unknown>)['hashes'] ?? (json as Record<string, unknown>)['consistency'])
      : undefined;
  if (!Array.isArray(list)) throw new TlogError('BAD_PROOF_SIZE', 'proof file must be a JSON array of hashes or an object with a "hashes" array');
  if (list.length > 64) throw new TlogError('BAD_PROOF_SIZE', `proof has ${list.length} hashes (max 64)`);
  return list.map((h, i) => {
    if (typeof h !== 'string') throw new TlogError('BAD_HASH_SIZE', `proof hash ${i} is not a string`);
    return fromHexOrBase64(h, 'BAD_HASH_SIZE', `proof hash ${i}`);
  });
}

export async function run(args: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const p = parseArgs(args, { options: ['old', 'new', 'proof', 'trusted-root', 'witness'] });
    const [verb, ...extra] = p.positionals;
    if (verb !== 'verify' || extra.length > 0) throw new UsageError('expected: consistency verify --old … --new … --proof …');
    const oldText = readInput(single(p, 'old', true), 'old checkpoint');
    const newText = readInput(single(p, 'new', true), 'new checkpoint');
    const proofText = readInput(single(p, 'proof', true), 'proof');
    try {
      const opts = { logKeys: logKeysOf(loadTrustedRoots(p)), witnessKeys: loadWitnesses(p) };
      const oldCp = verifyCheckpoint(oldText, opts).checkpoint;
      const newCp = verifyCheckpoint(newText, { ...opts, origin: oldCp.origin }).checkpoint;
      const proof = parseProofFile(proofText);
      verifyConsistency(oldCp.size, newCp.size, proof, oldCp.rootHash, newCp.rootHash);
      printJson({
        ok: true,
        origin: oldCp.origin,
        old: { size: oldCp.size, rootHash: toHex(oldCp.rootHash) },
        new: { size: newCp.size, rootHash: toHex(newCp.rootHash) },
        proofHashes: proof.length,
      });
      return 0;
    } catch (err) {
      return reportFailure(err);
    }
  });
}
