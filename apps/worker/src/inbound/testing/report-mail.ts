/**
 * Bounce and complaint mails as mail servers write them, for tests: a Postfix-style delivery status
 * notification (RFC 3464: multipart/report with a human part, message/delivery-status and the
 * original's headers) and an ARF spam complaint (RFC 5965, report-type=feedback-report).
 */

export interface DsnSpec {
  /** The envelope recipient of the report (the VERP return path of the original). */
  to: string;
  /** The address that did not take the original. */
  failedRecipient: string;
  action: 'failed' | 'delayed' | 'delivered';
  status: string;
  diagnostic: string;
  /** Message-ID of the original (without angle brackets). */
  originalMessageId: string;
}

const BOUNDARY = '3F1A2B3C4D.1765074600/mx.example.net';

/** A field folded before 78 characters at a space, continuation lines indented by four spaces. */
function foldedField(name: string, value: string): string[] {
  const lines: string[] = [];
  let line = `${name}: ${value}`;
  while (line.length > 78) {
    const cut = line.lastIndexOf(' ', 78);
    if (cut <= name.length + 2) break;
    lines.push(line.slice(0, cut));
    line = `    ${line.slice(cut + 1)}`;
  }
  lines.push(line);
  return lines;
}

export function dsnMail(s: DsnSpec): string {
  return [
    'Date: Mon,  7 Dec 2026 02:30:00 +0000 (UTC)',
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    `Subject: ${s.action === 'delayed' ? 'Delayed Mail (still being retried)' : 'Undelivered Mail Returned to Sender'}`,
    `To: ${s.to}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    `\tboundary="${BOUNDARY}"`,
    'Message-Id: <20261207023000.3F1A2B3C4D@mx.example.net>',
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${BOUNDARY}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.net.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    `<${s.failedRecipient}>: host mx2.example.net[192.0.2.10] said: ${s.diagnostic}`,
    '',
    `--${BOUNDARY}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'X-Postfix-Queue-ID: 3F1A2B3C4D',
    `X-Postfix-Sender: rfc822; ${s.to}`,
    'Arrival-Date: Mon,  7 Dec 2026 02:29:58 +0000 (UTC)',
    '',
    `Final-Recipient: rfc822; ${s.failedRecipient}`,
    `Original-Recipient: rfc822;${s.failedRecipient}`,
    `Action: ${s.action}`,
    `Status: ${s.status}`,
    'Remote-MTA: dns; mx2.example.net',
    // folded at a space, as Postfix writes long diagnostics
    ...foldedField('Diagnostic-Code', `smtp; ${s.diagnostic}`),
    '',
    `--${BOUNDARY}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `Return-Path: <${s.to}>`,
    'From: Sigwatch <alerts@sigwatch.example>',
    `To: ${s.failedRecipient}`,
    'Subject: [Sigwatch] new signature by a watched identity',
    `Message-ID: <${s.originalMessageId}>`,
    'Auto-Submitted: auto-generated',
    '',
    `--${BOUNDARY}--`,
    '',
  ].join('\r\n');
}

/** An ARF complaint (the recipient pressed "spam"), sent by a mailbox provider's feedback loop. */
export function complaintMail(to: string, complainer: string, originalMessageId: string): string {
  const b = 'arf-boundary-1765074600';
  return [
    'From: Feedback Loop <fbl@mailbox.example.net>',
    `To: ${to}`,
    'Subject: FW: [Sigwatch] new signature by a watched identity',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.1.',
    '',
    `--${b}`,
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    `Original-Rcpt-To: ${complainer}`,
    '',
    `--${b}`,
    'Content-Type: text/rfc822-headers',
    '',
    `To: ${complainer}`,
    `Message-ID: <${originalMessageId}>`,
    '',
    `--${b}--`,
    '',
  ].join('\r\n');
}
