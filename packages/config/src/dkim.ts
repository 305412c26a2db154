/**
 * DKIM signing of outgoing mail (RFC 6376), so that receivers can tell Sigwatch's alerts and account mail
 * from forgeries and DMARC can pass. Off unless both DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE are set; the
 * signing domain is MAIL_FROM's domain (DMARC alignment). Publish the public key as a TXT record at
 * `<selector>._domainkey.<domain>`: `v=DKIM1; k=rsa; p=<base64 DER SubjectPublicKeyInfo>` (k=ed25519 for
 * an Ed25519 key).
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { ConfigError } from './env.js';

/** What nodemailer's `dkim` option takes. */
export interface DkimOptions {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

const SELECTOR = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The bare address inside MAIL_FROM (`Name <a@b>` or `a@b`). */
export function addressOf(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m?.[1] ?? from).trim();
}

/** The domain of MAIL_FROM's address: the DKIM signing domain. */
function mailDomain(from: string): string {
  const address = addressOf(from);
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The DKIM options for the configured variables, undefined when signing is off. Throws ConfigError
 * naming the variable when only one of the two is set, the selector is not a DNS label sequence, or the
 * key file cannot be read or is not an RSA (≥ 1024 bits) or Ed25519 private key in PEM.
 */
export function loadDkim(config: { readonly DKIM_SELECTOR?: string | undefined; readonly DKIM_PRIVATE_KEY_FILE?: string | undefined; readonly MAIL_FROM: string }): DkimOptions | undefined {
  const { DKIM_SELECTOR: selector, DKIM_PRIVATE_KEY_FILE: file } = config;
  if (selector === undefined && file === undefined) return undefined;
  if (selector === undefined || file === undefined) {
    const missing = selector === undefined ? 'DKIM_SELECTOR' : 'DKIM_PRIVATE_KEY_FILE';
    throw new ConfigError([{ variable: missing, message: 'DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE go together: set both to sign mail, or neither' }]);
  }
  if (!SELECTOR.test(selector)) throw new ConfigError([{ variable: 'DKIM_SELECTOR', message: 'must be DNS labels (letters, digits, hyphens, dots)' }]);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ variable: 'DKIM_PRIVATE_KEY_FILE', message: `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  let type: string | undefined;
  let bits: number | undefined;
  try {
    const key = createPrivateKey(pem);
    type = key.asymmetricKeyType;
    bits = key.asymmetricKeyDetails?.modulusLength;
  } catch (e) {
    throw new ConfigError([{ variable: 'DKIM_PRIVATE_KEY_FILE', message: `${file} is not a PEM private key (${e instanceof Error ? e.message : String(e)})` }]);
  }
  if (!(type === 'ed25519' || (type === 'rsa' && (bits ?? 0) >= 1024))) {
    throw new ConfigError([{ variable: 'DKIM_PRIVATE_KEY_FILE', message: `${file} holds a ${type ?? 'unknown'}${bits !== undefined ? ` ${bits}-bit` : ''} key: DKIM takes RSA (2048 bits recommended) or Ed25519` }]);
  }
  return { domainName: mailDomain(config.MAIL_FROM), keySelector: selector, privateKey: pem };
}
