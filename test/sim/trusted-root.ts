/**
 * Files the simulator writes for its clients into the state directory:
 * - `trusted_root.json`: a Sigstore TrustedRoot (protobuf-specs `TrustedRoot` JSON, same shape as the
 *   production root in testdata/trust/trusted_root.prod.json) with the three log keys, base URLs and the CA;
 * - `logs.json`: the worker's `SIGWATCH_LOGS` file, `{"logs":[{origin, kind, url, publicKey, keyId, treeId?}]}`.
 * Both are rewritten at every start (the port may change) and after a Rekor v1 shard rollover.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FulcioCa } from './ca.js';
import type { RekorV1Log } from './rekor-v1.js';
import type { RekorV2Log } from './rekor-v2.js';
import type { CtLog } from './ct.js';

const VALID_FROM = '2020-01-01T00:00:00Z';
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

export interface LogsFileEntry {
  origin: string;
  kind: 'rekor-v1' | 'rekor-v2' | 'ct';
  url: string;
  publicKey: string;
  keyId: string;
  treeId?: string;
}

export interface SimLogs {
  rekorV1: RekorV1Log;
  rekorV2: RekorV2Log;
  ct: CtLog;
}

export function ctOrigin(hostname: string): string {
  return `${hostname}/ct`;
}

export function logsFile(url: string, logs: SimLogs): { logs: LogsFileEntry[] } {
  return {
    logs: [
      {
        origin: logs.rekorV1.origin(),
        kind: 'rekor-v1',
        url: `${url}/rekor-v1`,
        publicKey: b64(logs.rekorV1.publicKeySpki),
        keyId: Buffer.from(logs.rekorV1.logIdHex, 'hex').toString('base64'),
        treeId: logs.rekorV1.active.treeId,
      },
      {
        origin: logs.rekorV2.origin,
        kind: 'rekor-v2',
        url: `${url}/rekor-v2`,
        publicKey: b64(logs.rekorV2.publicKeySpki),
        keyId: b64(logs.rekorV2.logId),
      },
      {
        origin: ctOrigin(logs.rekorV1.hostname),
        kind: 'ct',
        url: `${url}/ct`,
        publicKey: b64(logs.ct.publicKeySpki),
        keyId: b64(logs.ct.logId),
      },
    ],
  };
}

function tlog(baseUrl: string, spki: Uint8Array, keyDetails: string, logId: Uint8Array): Record<string, unknown> {
  return {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(spki), keyDetails, validFor: { start: VALID_FROM } },
    logId: { keyId: b64(logId) },
  };
}

export function trustedRoot(url: string, logs: SimLogs, ca: FulcioCa): Record<string, unknown> {
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      tlog(`${url}/rekor-v1`, logs.rekorV1.publicKeySpki, 'PKIX_ECDSA_P256_SHA_256', Buffer.from(logs.rekorV1.logIdHex, 'hex')),
      tlog(`${url}/rekor-v2`, logs.rekorV2.publicKeySpki, 'PKIX_ED25519', logs.rekorV2.logId),
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.dev', commonName: 'sigstore' },
        uri: `${url}/fulcio`,
        certChain: { certificates: ca.trustedRootCertChain },
        validFor: { start: ca.root.cert.notBefore.toISOString() },
      },
    ],
    ctlogs: [tlog(`${url}/ct`, logs.ct.publicKeySpki, 'PKIX_ECDSA_P256_SHA_256', logs.ct.logId)],
    timestampAuthorities: [],
  };
}

function writeAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

export function writeClientFiles(dir: string, url: string, logs: SimLogs, ca: FulcioCa): { trustedRootPath: string; logsJsonPath: string } {
  const trustedRootPath = join(dir, 'trusted_root.json');
  const logsJsonPath = join(dir, 'logs.json');
  writeAtomic(trustedRootPath, trustedRoot(url, logs, ca));
  writeAtomic(logsJsonPath, logsFile(url, logs));
  return { trustedRootPath, logsJsonPath };
}
