/**
 * Signature verification over a *digest* (what a hashedrekord upload carries: the artifact's SHA-256, not the
 * artifact). node:crypto only verifies over messages it hashes itself, so ECDSA P-256 is done here with
 * BigInt arithmetic (SEC 1 §4.1.4, Jacobian coordinates) and RSA PKCS#1 v1.5 by recovering the DigestInfo.
 * Uploads are rare; speed does not matter (~10 ms a verification).
 */
import { constants, publicDecrypt, type KeyObject } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

type Jac = [bigint, bigint, bigint]; // Z = 0: point at infinity

const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

function inv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function dbl([x, y, z]: Jac): Jac {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const delta = mod(z * z, P);
  const gamma = mod(y * y, P);
  const beta = mod(x * gamma, P);
  const alpha = mod(3n * (x - delta) * (x + delta), P);
  const x3 = mod(alpha * alpha - 8n * beta, P);
  const z3 = mod((y + z) * (y + z) - gamma - delta, P);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, P);
  return [x3, y3, z3];
}

function add(a: Jac, b: Jac): Jac {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const [x1, y1, z1] = a;
  const [x2, y2, z2] = b;
  const z1z1 = mod(z1 * z1, P);
  const z2z2 = mod(z2 * z2, P);
  const u1 = mod(x1 * z2z2, P);
  const u2 = mod(x2 * z1z1, P);
  const s1 = mod(y1 * z2 * z2z2, P);
  const s2 = mod(y2 * z1 * z1z1, P);
  const h = mod(u2 - u1, P);
  const r = mod(2n * (s2 - s1), P);
  if (h === 0n) return r === 0n ? dbl(a) : [0n, 1n, 0n];
  const i = mod(4n * h * h, P);
  const j = mod(h * i, P);
  const v = mod(u1 * i, P);
  const x3 = mod(r * r - j - 2n * v, P);
  const y3 = mod(r * (v - x3) - 2n * s1 * j, P);
  const z3 = mod(((z1 + z2) * (z1 + z2) - z1z1 - z2z2) * h, P);
  return [x3, y3, z3];
}

function mul(k: bigint, pt: Jac): Jac {
  let acc: Jac = [0n, 1n, 0n];
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    acc = dbl(acc);
    if ((k >> i) & 1n) acc = add(acc, pt);
  }
  return acc;
}

function derInts(sig: Uint8Array): [bigint, bigint] | undefined {
  const b = Buffer.from(sig);
  if (b[0] !== 0x30) return undefined;
  let p = b[1]! & 0x80 ? 2 + (b[1]! & 0x7f) : 2;
  const out: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    if (b[p] !== 0x02) return undefined;
    const len = b[p + 1]!;
    out.push(BigInt(`0x${b.subarray(p + 2, p + 2 + len).toString('hex') || '0'}`));
    p += 2 + len;
  }
  return [out[0]!, out[1]!];
}

function verifyP256(key: KeyObject, digest: Uint8Array, sig: Uint8Array): boolean {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || jwk.x === undefined || jwk.y === undefined) return false;
  const qx = BigInt(`0x${Buffer.from(jwk.x, 'base64url').toString('hex')}`);
  const qy = BigInt(`0x${Buffer.from(jwk.y, 'base64url').toString('hex')}`);
  const rs = derInts(sig);
  if (rs === undefined) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const e = BigInt(`0x${Buffer.from(digest).toString('hex')}`);
  const w = inv(s, N);
  const pt = add(mul(mod(e * w, N), [GX, GY, 1n]), mul(mod(r * w, N), [qx, qy, 1n]));
  if (pt[2] === 0n) return false;
  const zi = inv(pt[2], P);
  const x = mod(pt[0] * zi * zi, P);
  return mod(x, N) === r;
}

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Verifies `sig` over the SHA-256 `digest` with an ECDSA P-256 or RSA key; other key types → false. */
export function verifyPrehashed(key: KeyObject, digest: Uint8Array, sig: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === 'ec') return verifyP256(key, digest, sig);
    if (key.asymmetricKeyType === 'rsa') {
      const info = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
      return info.equals(Buffer.concat([SHA256_DIGEST_INFO, digest]));
    }
    return false;
  } catch {
    return false;
  }
}
