/**
 * Keeps the simulator's Fulcio-like CA stable across restarts: `ca.ts` derives the CA keys from the seed but
 * its certificate signatures are randomised, so the first start saves both certificates (`ca.json`) and later
 * starts rebuild the same `FulcioCa` from them (keys re-derived from the seed, as `createFulcioCa` does).
 */
import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { createFulcioCa, deriveKeyPair, type FulcioCa } from './ca.js';

export async function loadOrCreateCa(dir: string, seed: string): Promise<FulcioCa> {
  const path = join(dir, 'ca.json');
  if (!existsSync(path)) {
    const ca = await createFulcioCa({ seed });
    writeFileSync(path, JSON.stringify({ root: ca.root.pem, intermediate: ca.intermediate.pem }, null, 2) + '\n');
    return ca;
  }
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { root: string; intermediate: string };
  const cert = (pem: string) => {
    const c = new x509.X509Certificate(pem);
    return { cert: c, der: new Uint8Array(c.rawData), pem: pem.endsWith('\n') ? pem : `${pem}\n` };
  };
  const root = { ...cert(saved.root), key: await deriveKeyPair(seed, 'root') };
  const intermediate = { ...cert(saved.intermediate), key: await deriveKeyPair(seed, 'intermediate') };
  if (Buffer.compare(Buffer.from(root.key.spki), Buffer.from(root.cert.publicKey.rawData)) !== 0) {
    throw new Error(`${path} does not match the keys derived from the state's seed`);
  }
  return {
    root,
    intermediate,
    chainPem: [root.pem, intermediate.pem],
    trustedRootCertChain: [{ rawBytes: Buffer.from(intermediate.der).toString('base64') }, { rawBytes: Buffer.from(root.der).toString('base64') }],
    seed,
  };
}
