import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { bounceClass, parseDeliveryStatus } from './dsn.js';
import { dsnMail } from './testing/report-mail.js';

async function statusPart(raw: string): Promise<string> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true });
  const part = mail.attachments.find((a) => a.contentType === 'message/delivery-status');
  if (part === undefined) throw new Error('no delivery-status part');
  return part.content.toString('utf8');
}

const long = '550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown in virtual mailbox table';

describe('parseDeliveryStatus', () => {
  it('reads a Postfix bounce: recipient, action, status and the folded diagnostic, unfolded', async () => {
    const text = await statusPart(dsnMail({ to: 'b+x@s.example', failedRecipient: 'Gone@Example.net', action: 'failed', status: '5.1.1', diagnostic: long, originalMessageId: 'delivery-x@s.example' }));
    expect(text).toMatch(/\r?\n {4}\S/); // the fixture really is folded
    const [r, ...rest] = parseDeliveryStatus(text);
    expect(rest).toEqual([]);
    expect(r).toEqual({ recipient: 'gone@example.net', action: 'failed', status: '5.1.1', diagnostic: long });
    expect(bounceClass(r!)).toBe('hard');
  });

  it('classes delays and 4.x.x failures as soft, deliveries as none', () => {
    const block = (action: string, status: string) => `Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; a@b.example\nAction: ${action}\nStatus: ${status}\n`;
    expect(parseDeliveryStatus(block('delayed', '4.4.1')).map(bounceClass)).toEqual(['soft']);
    expect(parseDeliveryStatus(block('failed', '4.2.2')).map(bounceClass)).toEqual(['soft']);
    expect(parseDeliveryStatus(block('Delivered', '2.0.0')).map(bounceClass)).toEqual(['none']);
    expect(parseDeliveryStatus(block('failed', '5.1.10')).map(bounceClass)).toEqual(['hard']); // null MX
    expect(parseDeliveryStatus(block('failed', '5.2.1')).map(bounceClass)).toEqual(['hard']); // mailbox disabled
    // refusals about the message or a full mailbox, not the address
    for (const status of ['5.7.1', '5.2.2', '5.3.4', '5.1.8', '5.0.0']) expect(parseDeliveryStatus(block('failed', status)).map(bounceClass), status).toEqual(['rejected']);
  });

  it('keeps every recipient block, skips blocks without an Action and tolerates a missing or malformed status', () => {
    const text = [
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822;one@b.example',
      'Action: failed',
      'Status: 5.2.2',
      '',
      'Final-Recipient: rfc822; no-action@b.example',
      'Status: 5.1.1',
      '',
      'Original-Recipient: rfc822; two@b.example',
      'Action: failed',
      'Status: mailbox gone',
      '',
    ].join('\r\n');
    expect(parseDeliveryStatus(text)).toEqual([
      { recipient: 'one@b.example', action: 'failed', status: '5.2.2', diagnostic: undefined },
      { recipient: 'two@b.example', action: 'failed', status: undefined, diagnostic: undefined },
    ]);
    // a failure without a status code fails the message but says nothing about the address
    expect(bounceClass(parseDeliveryStatus(text)[1]!)).toBe('rejected');
    expect(parseDeliveryStatus('')).toEqual([]);
    expect(parseDeliveryStatus('not a report at all')).toEqual([]);
  });
});
