/**
 * Test support: reads the facts `../shared/testdata/README.md` states for each real entry file, so tests assert
 * exactly what the README says (no hand-typed hashes), and picks the trusted root each directory names.
 */
import { readFileSync } from 'node:fs';
import { testdata } from '../../../../test/harness/paths.js';
import { parseTrustedRoot, type TrustedRoot } from '../trust.js';

export interface EntryFacts {
  file: string;
  kind: string;
  version: string;
  logIndex: bigint;
  logIdB64: string;
  logUrl: string;
  /** undefined = "absent". */
  integratedTime: bigint | undefined;
  leafHashHex: string;
  set: 'ok' | 'bad' | 'absent';
  inclusion: { status: 'ok' | 'bad'; index: bigint; treeSize: bigint; rootHex: string; hashes: number } | { status: 'absent' };
  checkpoint: { status: 'ok' | 'absent' | 'failed'; origin?: string; line?: string };
}

export function readmeEntryFacts(): EntryFacts[] {
  const readme = readFileSync(testdata('README.md'), 'utf8');
  const out: EntryFacts[] = [];
  for (const section of readme.split(/^### /m).slice(1)) {
    const file = /^`([^`]+)`/.exec(section)?.[1];
    if (file === undefined || !/^rekor-v[12]\//.test(file)) continue;
    const entry = /tlog entry 0: kind (\S+) (\S+) .*?; logIndex (\d+); logId (\S+) = (\S+); integratedTime (\S+)/.exec(section);
    const leaf = /leaf hash SHA-256\(0x00\|\|canonicalizedBody\) = ([0-9a-f]{64})/.exec(section);
    if (entry === null || leaf === null) continue;
    const [, kind, version, logIndex, logIdB64, logUrl, it] = entry as unknown as string[];
    const setLine = /inclusionPromise \(SET\).*?(VERIFIES|does NOT verify)/.exec(section);
    const incl = /inclusionProof: index-in-shard (\d+), treeSize (\d+), rootHash\(hex\) ([0-9a-f]+), (\d+) hashes; recomputed root (MATCHES|does NOT match)/.exec(section);
    const cpLine = /^- checkpoint origin .*$/m.exec(section)?.[0];
    let checkpoint: EntryFacts['checkpoint'] = { status: 'absent' };
    if (cpLine !== undefined) {
      const origin = /checkpoint origin `([^`]*)`/.exec(cpLine)?.[1];
      const good = /size\+root equal inclusionProof/.test(cpLine) && /`— [^`]+` verifies with/.test(cpLine) && !/does NOT verify/.test(cpLine);
      checkpoint = { status: good ? 'ok' : 'failed', line: cpLine, ...(origin === undefined ? {} : { origin }) };
    }
    out.push({
      file,
      kind: kind as string,
      version: version as string,
      logIndex: BigInt(logIndex as string),
      logIdB64: logIdB64 as string,
      logUrl: logUrl as string,
      integratedTime: it === 'absent' ? undefined : BigInt(/^\d+/.exec(it as string)?.[0] ?? '0'),
      leafHashHex: leaf[1] as string,
      set: setLine === null ? 'absent' : setLine[1] === 'VERIFIES' ? 'ok' : 'bad',
      inclusion: incl === null
        ? { status: 'absent' }
        : { status: incl[5] === 'MATCHES' ? 'ok' : 'bad', index: BigInt(incl[1] as string), treeSize: BigInt(incl[2] as string), rootHex: incl[3] as string, hashes: Number(incl[4]) },
      checkpoint,
    });
  }
  return out;
}

const cache = new Map<string, TrustedRoot>();
export function trustedRootFile(...p: string[]): TrustedRoot {
  const key = p.join('/');
  let r = cache.get(key);
  if (r === undefined) {
    r = parseTrustedRoot(readFileSync(testdata(...p), 'utf8'));
    cache.set(key, r);
  }
  return r;
}

/** The trusted root the README says to verify a file with. */
export function trustedRootFor(file: string): TrustedRoot {
  if (file.startsWith('rekor-v1/bundles-staging/')) return trustedRootFile('trust', 'trusted_root.staging.json');
  if (file.includes('alpha3')) return trustedRootFile('trust', 'trusted_root.staging.json');
  if (file.startsWith('rekor-v2/staging/') || file.startsWith('rekor-v2/negative/')) return trustedRootFile('rekor-v2', 'staging', 'trusted_root.alpha1.json');
  return trustedRootFile('trust', 'trusted_root.prod.json');
}
