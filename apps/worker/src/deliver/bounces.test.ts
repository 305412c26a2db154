import { describe, expect, it } from 'vitest';
import { addressGone, bounceReasonText, enhancedStatusIn } from './bounces.js';

describe('bounce status codes', () => {
  it('addressGone: permanent addressing failures and disabled mailboxes, nothing else', () => {
    for (const s of ['5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10', '5.2.1']) expect(addressGone(s), s).toBe(true);
    for (const s of ['4.1.1', '5.1.7', '5.1.8', '5.2.2', '5.7.1', '5.3.4', '5.0.0', '2.0.0', 'x.1.1', '5.1', '', undefined]) expect(addressGone(s), String(s)).toBe(false);
  });

  it('enhancedStatusIn: the first code in an SMTP reply, not parts of addresses or numbers', () => {
    expect(enhancedStatusIn('the mail server refused: 550 5.1.1 <gone@example.net>: Recipient address rejected')).toBe('5.1.1');
    expect(enhancedStatusIn('550-5.2.1 The email account that you tried to reach is disabled.\n550 5.2.1 https://support.example/')).toBe('5.2.1');
    expect(enhancedStatusIn('550 5.2.1 The email account that you tried to reach is disabled.')).toBe('5.2.1');
    expect(enhancedStatusIn('550 Requested action not taken: mailbox unavailable')).toBeUndefined();
    expect(enhancedStatusIn('550 <user5.1.1@example.net> unknown; host 10.5.1.12')).toBeUndefined();
  });

  it('bounceReasonText: the status only when the words lack it', () => {
    expect(bounceReasonText('5.1.1', '550 5.1.1 <x>: User unknown')).toBe('550 5.1.1 <x>: User unknown');
    expect(bounceReasonText('5.1.1', 'User unknown')).toBe('5.1.1 User unknown');
    expect(bounceReasonText(undefined, 'User unknown')).toBe('User unknown');
    expect(bounceReasonText('5.2.1', undefined)).toBe('5.2.1');
    expect(bounceReasonText(undefined, undefined)).toBe('no status');
  });
});
