/**
 * Test helper: every real certificate in ../shared/testdata — the Fulcio leaf PEMs, every certificate in
 * the Rekor v1/v2 bundles' verification material and the ones inside their tlog entry bodies.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testdata } from '../../../../../test/harness/paths.js';

export interface RealCert {
  readonly source: string;
  readonly der: Uint8Array;
}

function pemBlocks(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

export function bundleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sigstore.json')) out.push(p);
    }
  };
  walk(testdata('rekor-v1'));
  walk(testdata('rekor-v2'));
  return out.sort();
}

export interface TlogEntryJson {
  logIndex?: string;
  kindVersion?: { kind: string; version: string };
  canonicalizedBody: string;
  integratedTime?: string;
  inclusionProof?: { logIndex?: string };
}

export function bundleEntries(file: string): TlogEntryJson[] {
  const b = JSON.parse(readFileSync(file, 'utf8')) as { verificationMaterial?: { tlogEntries?: TlogEntryJson[] } };
  return b.verificationMaterial?.tlogEntries ?? [];
}

export function realCertificates(): RealCert[] {
  const seen = new Set<string>();
  const out: RealCert[] = [];
  const add = (source: string, der: Uint8Array): void => {
    const k = Buffer.from(der).toString('base64');
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ source, der });
  };
  const dir = testdata('fulcio', 'certs');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.pem')).sort()) {
    for (const der of pemBlocks(readFileSync(join(dir, f), 'utf8'))) add(`fulcio/certs/${f}`, der);
  }
  for (const f of bundleFiles()) {
    const text = readFileSync(f, 'utf8');
    const b = JSON.parse(text) as {
      verificationMaterial?: {
        certificate?: { rawBytes: string };
        x509CertificateChain?: { certificates: { rawBytes: string }[] };
      };
    };
    const vm = b.verificationMaterial;
    if (vm?.certificate) add(f, new Uint8Array(Buffer.from(vm.certificate.rawBytes, 'base64')));
    for (const c of vm?.x509CertificateChain?.certificates ?? []) add(f, new Uint8Array(Buffer.from(c.rawBytes, 'base64')));
    for (const e of bundleEntries(f)) {
      const body = Buffer.from(e.canonicalizedBody, 'base64').toString('utf8');
      // PEMs are base64-wrapped inside the body; DER certificates (v2) start with "MII".
      for (const m of body.matchAll(/"(LS0tLS1CRUdJTi[A-Za-z0-9+/=]+)"/g)) {
        for (const der of pemBlocks(Buffer.from(m[1]!, 'base64').toString('utf8'))) add(`${f} (body)`, der);
      }
      for (const m of body.matchAll(/"x509Certificate":\{"rawBytes":"([A-Za-z0-9+/=]+)"/g)) {
        add(`${f} (body)`, new Uint8Array(Buffer.from(m[1]!, 'base64')));
      }
    }
  }
  for (const f of ['trust/keys/prod/fulcio.crt.pem', 'trust/keys/prod/fulcio_v1.crt.pem', 'trust/keys/prod/fulcio_intermediate_v1.crt.pem']) {
    for (const der of pemBlocks(readFileSync(testdata(...f.split('/')), 'utf8'))) add(f, der);
  }
  return out;
}
