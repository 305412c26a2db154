import { describe, expect, it } from 'vitest';
import { addressIdOfReturnPath, returnPathFor } from './return-path.js';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const ID = '0b6f3c9e-5d1a-4c2b-9f8e-7a6b5c4d3e2f';

describe('VERP return paths', () => {
  it('round-trips an address id, within the 64-octet local part of RFC 5321', () => {
    const rp = returnPathFor('bounces@sigwatch.example', SECRET, ID);
    expect(rp).toMatch(/^bounces\+0b6f3c9e5d1a4c2b9f8e7a6b5c4d3e2f\.[A-Za-z0-9_-]{12}@sigwatch\.example$/);
    expect(rp.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(returnPathFor('a-sixteen-chars-@x.example', SECRET, ID).split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(addressIdOfReturnPath('bounces@sigwatch.example', SECRET, rp)).toBe(ID);
    // mail servers may change the case of the fixed parts
    const [local, domain] = rp.split('@') as [string, string];
    expect(addressIdOfReturnPath('bounces@sigwatch.example', SECRET, `BOUNCES${local.slice(7)}@${domain.toUpperCase()}`)).toBe(ID);
  });

  it('refuses another secret, a changed tag or id, another base, and anything that is not a return path', () => {
    const rp = returnPathFor('bounces@sigwatch.example', SECRET, ID);
    const [local, domain] = rp.split('@') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
    const refused = [
      returnPathFor('bounces@sigwatch.example', 'another-secret-of-thirty-two-characters!', ID),
      `${flip(local, local.length - 1)}@${domain}`, // mac
      `${flip(local, 9)}@${domain}`, // id
      `${local}@other.example`,
      `other${local.slice(7)}@${domain}`,
      'bounces@sigwatch.example',
      `bounces+${ID.replaceAll('-', '')}@sigwatch.example`,
      'bounces+not-hex.AAAAAAAAAAAA@sigwatch.example',
    ];
    for (const r of refused) expect(addressIdOfReturnPath('bounces@sigwatch.example', SECRET, r), r).toBeUndefined();
    expect(() => returnPathFor('bounces@sigwatch.example', SECRET, 'not-a-uuid')).toThrow(/not an address id/);
  });
});
