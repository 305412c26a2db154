/** Passwords: argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1) via @node-rs/argon2. */
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// Algorithm.Argon2id (a const enum, which isolated modules cannot read).
const ARGON2ID = 2 as Algorithm;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Verified against when the account does not exist or has no password, so a login takes the same time
// either way (no account enumeration by timing).
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(phc: string | null | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('sigwatch-dummy-password');
  const target = phc ?? (await dummyHash);
  try {
    const ok = await verify(target, password);
    return ok && phc !== null && phc !== undefined;
  } catch {
    return false;
  }
}
