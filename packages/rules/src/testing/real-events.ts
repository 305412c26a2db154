/**
 * SigningEvents built from the real Fulcio certificates and Rekor v1 bundles in ../shared/testdata
 * (fulcio/certs/index.json lists each certificate's SANs and extension values; the bundle gives the
 * entry's log, index, kind and digest). Test support only.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { testdata } from '../../../../test/harness/paths.js';
import { SigningEventSchema, type San, type SigningEvent } from '../signing-event.js';
import { OID_ISSUER_V1, OID_ISSUER_V2 } from '../fulcio-extensions.js';

interface IndexCert {
  file: string;
  fromBundle: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  san: Array<Record<string, string>>;
  fulcioExtensions: Record<string, string>;
}

export interface RealEvent {
  /** File name of the certificate without directory and `.leaf.pem`. */
  readonly name: string;
  readonly event: SigningEvent;
}

const sha256 = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex');

function sanOf(s: Record<string, string>): San {
  const [type, value] = Object.entries(s)[0]!;
  const t = type === 'uri' || type === 'email' || type === 'dns' || type === 'ip' ? type : 'other';
  return { type: t, value: value };
}

function bodyDigests(body: { kind: string; spec: Record<string, unknown> }): Array<{ algorithm: string; value: string }> {
  const spec = body.spec as {
    data?: { hash?: { algorithm: string; value: string } };
    payloadHash?: { algorithm: string; value: string };
    content?: { payloadHash?: { algorithm: string; value: string } };
  };
  const d = spec.data?.hash ?? spec.payloadHash ?? spec.content?.payloadHash;
  return d === undefined ? [] : [{ algorithm: d.algorithm, value: d.value }];
}

let cached: RealEvent[] | undefined;

export function realEvents(): RealEvent[] {
  if (cached !== undefined) return cached;
  const certs = JSON.parse(readFileSync(testdata('fulcio', 'certs', 'index.json'), 'utf8')) as IndexCert[];
  cached = certs.map((c) => {
    const pem = readFileSync(testdata(c.file), 'utf8');
    const x = new X509Certificate(pem);
    const spki = x.publicKey.export({ type: 'spki', format: 'der' });
    const bundle = JSON.parse(readFileSync(testdata(c.fromBundle), 'utf8')) as {
      verificationMaterial: {
        tlogEntries: Array<{
          logIndex: string;
          integratedTime: string;
          kindVersion: { kind: string; version: string };
          canonicalizedBody: string;
          inclusionProof?: { logIndex: string; checkpoint?: { envelope: string } };
        }>;
      };
    };
    const t = bundle.verificationMaterial.tlogEntries[0]!;
    const bodyBytes = Buffer.from(t.canonicalizedBody, 'base64');
    const body = JSON.parse(bodyBytes.toString('utf8')) as { kind: string; spec: Record<string, unknown> };
    const origin = t.inclusionProof?.checkpoint?.envelope.split('\n')[0] ?? 'rekor.sigstore.dev';
    const ext = c.fulcioExtensions;
    const issuer = ext[OID_ISSUER_V2] ?? ext[OID_ISSUER_V1];
    const event = SigningEventSchema.parse({
      log: { origin, kind: 'rekor-v1' },
      index: t.inclusionProof?.logIndex ?? t.logIndex,
      globalIndex: t.logIndex,
      leafHash: sha256(Buffer.concat([Buffer.from([0]), bodyBytes])),
      integratedTime: Number(t.integratedTime),
      kind: t.kindVersion.kind,
      apiVersion: t.kindVersion.version,
      digests: bodyDigests(body),
      certificate: {
        sans: c.san.map(sanOf),
        ...(issuer === undefined ? {} : { issuer }),
        extensions: { ...ext },
        serial: c.serial.toLowerCase(),
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        fingerprintSha256: sha256(x.raw),
        publicKeySha256: sha256(spki),
        chain: 'unknown',
      },
    });
    return { name: c.file.replace(/^.*\//, '').replace(/\.leaf\.pem$/, ''), event };
  });
  return cached;
}

export function realEvent(name: string): SigningEvent {
  const e = realEvents().find((r) => r.name === name);
  if (e === undefined) throw new Error(`no real event ${name}`);
  return e.event;
}
