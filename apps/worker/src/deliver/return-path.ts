/**
 * VERP return paths (MAIL_RETURN_PATH): alert mail to an EmailAddress goes out with the envelope sender
 *
 *     <local>+<address id, 32 hex>.<mac>@<domain>
 *
 * so a bounce, which mail servers send to the envelope sender, names the address it is about without
 * anyone parsing the bounce's copy of the original message. `mac` is the first 12 base64url characters
 * (72 bits) of HMAC-SHA256(K, address id), K = HMAC-SHA256(secret, "sigwatch return-path v1"), secret as
 * for signed links (UNSUBSCRIBE_SECRET or SESSION_SECRET): a stranger who learns an address id cannot
 * forge a bounce that stops its alerts. The local part stays within RFC 5321's 64 octets (16 + 1 + 32 +
 * 1 + 12).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_CHARS = 12;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(secret: string, addressId: string): string {
  const key = createHmac('sha256', secret).update('sigwatch return-path v1').digest();
  return createHmac('sha256', key).update(addressId).digest('base64url').slice(0, MAC_CHARS);
}

function split(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The envelope sender of mail to EmailAddress `addressId`. */
export function returnPathFor(base: string, secret: string, addressId: string): string {
  if (!UUID.test(addressId)) throw new Error(`returnPathFor: not an address id: ${addressId}`);
  const { local, domain } = split(base);
  return `${local}+${addressId.replaceAll('-', '')}.${mac(secret, addressId)}@${domain}`;
}

/**
 * The EmailAddress id a recipient of the inbound role stands for, when it is a return path of `base` with a
 * valid tag; undefined for anything else (another address, a bad or forged tag). Case-insensitive in the
 * local part's fixed parts and the domain, as mail servers may change their case; the mac is exact.
 */
export function addressIdOfReturnPath(base: string, secret: string, recipient: string): string | undefined {
  const want = split(base.toLowerCase());
  const got = split(recipient);
  if (got.domain.toLowerCase() !== want.domain) return undefined;
  const plus = got.local.indexOf('+');
  if (plus < 0 || got.local.slice(0, plus).toLowerCase() !== want.local) return undefined;
  const m = /^([0-9a-fA-F]{32})\.([A-Za-z0-9_-]{12})$/.exec(got.local.slice(plus + 1));
  if (m === null) return undefined;
  const hex = m[1]!.toLowerCase();
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expected = Buffer.from(mac(secret, id));
  const given = Buffer.from(m[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}
