/**
 * What one mail received by the inbound role means, and its effect (idempotent: a mail server that
 * delivers the same report twice changes nothing the second time).
 *
 * To a VERP return path (MAIL_RETURN_PATH, deliver/return-path.ts), naming one EmailAddress:
 * - a delivery status notification (RFC 3464) whose recipient failed with a status saying the address is
 *   gone (5.1.x, 5.2.1; deliver/bounces.ts): a hard bounce. The address gets `bouncedAt` and the reason,
 *   no alert mail goes to it until its owner resumes it, and the alert the bounce returned (its
 *   Message-ID, `delivery-<id>@…`) turns from `sent` to `failed`. Other permanent failures (policy,
 *   content, a full mailbox) fail that alert only. Delays and 4.x.x failures are soft: counted and logged,
 *   nothing changes (the sending server retries).
 * - a spam complaint (ARF, RFC 5965): the recipient does not want the mail; the address is unsubscribed.
 * - anything else (an auto-reply despite Auto-Submitted): ignored, counted and logged.
 * To MAIL_FROM's address, a mail client's `List-Unsubscribe: <mailto:…?subject=unsubscribe TOKEN>`: the
 * signed token (deliver/links.ts) unsubscribes its address, as the one-click link does.
 */
import { SignedTokenError, verifyToken } from '@sigwatch/config';
import type { Db } from '@sigwatch/db';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import { bounceReasonText, markAddressBounced } from '../deliver/bounces.js';
import { bounceClass, parseDeliveryStatus, type DsnRecipient } from './dsn.js';

/** Whom an accepted recipient of the mail stands for. */
export type InboundTarget = { readonly kind: 'return-path'; readonly addressId: string } | { readonly kind: 'unsubscribe-mailbox' };

export type InboundKind = 'bounce' | 'complaint' | 'unsubscribe' | 'other';
export type InboundOutcome = 'hard' | 'rejected' | 'soft' | 'none' | 'done' | 'invalid' | 'ignored';

export interface InboundResult {
  readonly kind: InboundKind;
  readonly outcome: InboundOutcome;
  /** For the log: what was found and done. */
  readonly detail: string;
}

export interface InboundDeps {
  db: Db;
  log: Logger;
  /** Verifies unsubscribe tokens (UNSUBSCRIBE_SECRET or SESSION_SECRET). */
  secret: string;
  now: () => Date;
  /** Queue the job of a new delivery (the notice to the account's address about a bounce). */
  enqueue: (deliveryId: string) => Promise<void>;
}

/**
 * Parse `raw` once and act on it for each target. A mail that does not parse is `invalid` for every target
 * (taken and logged: asking the sender to retry would not make it parse); only a failure to act (the
 * database) rejects, so that the listener answers 451.
 */
export async function handleInboundMail(deps: InboundDeps, raw: Buffer, targets: readonly InboundTarget[]): Promise<InboundResult[]> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextLinks: true, skipTextToHtml: true });
  } catch (err) {
    return targets.map(() => ({ kind: 'other', outcome: 'invalid', detail: `the mail does not parse: ${(err as Error).message}` }));
  }
  const out: InboundResult[] = [];
  for (const t of targets) out.push(t.kind === 'return-path' ? await onReturnPath(deps, mail, t.addressId) : await onUnsubscribeMail(deps, mail));
  return out;
}

async function onReturnPath(deps: InboundDeps, mail: ParsedMail, addressId: string): Promise<InboundResult> {
  const reportType = reportTypeOf(mail);
  if (reportType === 'feedback-report') return complaint(deps, addressId);
  if (reportType !== 'delivery-status') return { kind: 'other', outcome: 'ignored', detail: `not a delivery report (${contentTypeOf(mail).value}, subject "${(mail.subject ?? '').slice(0, 80)}")` };
  const status = mail.attachments.find((a) => a.contentType.toLowerCase() === 'message/delivery-status');
  if (status === undefined) return { kind: 'bounce', outcome: 'invalid', detail: 'a delivery report without a message/delivery-status part' };
  const recipients = parseDeliveryStatus(status.content.toString('utf8'));
  const hard = recipients.find((r) => bounceClass(r) === 'hard');
  if (hard !== undefined) return permanentFailure(deps, mail, addressId, hard, 'hard');
  const rejected = recipients.find((r) => bounceClass(r) === 'rejected');
  if (rejected !== undefined) return permanentFailure(deps, mail, addressId, rejected, 'rejected');
  const soft = recipients.find((r) => bounceClass(r) === 'soft');
  if (soft !== undefined) return { kind: 'bounce', outcome: 'soft', detail: `${soft.action} ${soft.status ?? ''} ${soft.diagnostic ?? ''}`.trim() };
  if (recipients.length === 0) return { kind: 'bounce', outcome: 'invalid', detail: 'a delivery report with no recipient block' };
  return { kind: 'bounce', outcome: 'none', detail: `reported ${recipients.map((r) => r.action).join(', ')}` };
}

/**
 * A failure for good: `hard` (the address is gone) marks the address bounced; `rejected` (this message
 * was refused for another reason) does not. Either way the alert the report returned, when it went to
 * this very address, turns from `sent` to `failed` with the reason: a valid tag for one address cannot
 * touch another address's alerts.
 */
async function permanentFailure(deps: InboundDeps, mail: ParsedMail, addressId: string, r: DsnRecipient, cls: 'hard' | 'rejected'): Promise<InboundResult> {
  const reason = bounceReasonText(r.status, r.diagnostic).slice(0, 300);
  const deliveryId = originalDeliveryId(mail);
  const failed =
    deliveryId === undefined
      ? 0
      : (
          await deps.db.delivery.updateMany({
            where: { id: deliveryId, emailAddressId: addressId, status: 'sent' },
            data: { status: 'failed', lastError: `${cls === 'hard' ? 'bounced' : 'refused after acceptance'}: ${reason}` },
          })
        ).count;
  const alert = failed > 0 ? `; alert ${deliveryId} failed` : '';
  if (cls === 'rejected') return { kind: 'bounce', outcome: 'rejected', detail: `message refused, address kept: ${reason}${alert}` };
  const { address, marked, noticeId } = await markAddressBounced(deps.db, addressId, reason, deps.now(), 'report');
  if (noticeId !== undefined) await deps.enqueue(noticeId);
  if (address === undefined) return { kind: 'bounce', outcome: 'ignored', detail: `hard bounce for an address that no longer exists: ${reason}` };
  return { kind: 'bounce', outcome: 'hard', detail: `${address.address}: ${reason}${marked ? '' : ' (already marked)'}${alert}` };
}

async function complaint(deps: InboundDeps, addressId: string): Promise<InboundResult> {
  const done = await unsubscribe(deps, addressId, 'complaint');
  if (done === undefined) return { kind: 'complaint', outcome: 'ignored', detail: 'a complaint about an address that no longer exists' };
  return { kind: 'complaint', outcome: 'done', detail: `${done.address} unsubscribed after a spam complaint${done.changed ? '' : ' (already)'}` };
}

/** Stop alert mail to the address (once; audited with how). Undefined when the address no longer exists. */
async function unsubscribe(deps: InboundDeps, addressId: string, via: 'complaint' | 'mailto'): Promise<{ address: string; changed: boolean } | undefined> {
  const address = await deps.db.emailAddress.findUnique({ where: { id: addressId } });
  if (address === null) return undefined;
  const res = await deps.db.emailAddress.updateMany({ where: { id: addressId, unsubscribedAt: null }, data: { unsubscribedAt: deps.now() } });
  if (res.count > 0) await deps.db.auditEvent.create({ data: { userId: address.userId, action: 'email.unsubscribed', detail: { address: address.address, via } } });
  return { address: address.address, changed: res.count > 0 };
}

async function onUnsubscribeMail(deps: InboundDeps, mail: ParsedMail): Promise<InboundResult> {
  const token = /\bunsubscribe\s+(sw1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/i.exec(mail.subject ?? '')?.[1];
  if (token === undefined) return { kind: 'other', outcome: 'ignored', detail: `mail to the sender address without an unsubscribe token (subject "${(mail.subject ?? '').slice(0, 80)}")` };
  let addressId: string;
  try {
    addressId = verifyToken(deps.secret, 'unsubscribe-alerts', token, { now: deps.now() }).sub;
  } catch (err) {
    if (err instanceof SignedTokenError) return { kind: 'unsubscribe', outcome: 'invalid', detail: `unsubscribe token refused: ${err.code}` };
    throw err;
  }
  const done = await unsubscribe(deps, addressId, 'mailto');
  if (done === undefined) return { kind: 'unsubscribe', outcome: 'ignored', detail: 'unsubscribe for an address that no longer exists' };
  return { kind: 'unsubscribe', outcome: 'done', detail: `${done.address} unsubscribed by mail${done.changed ? '' : ' (already)'}` };
}

/** The mail's Content-Type as mailparser gives it: its value lower-cased and its parameters. */
function contentTypeOf(mail: ParsedMail): { value: string; params: Record<string, string> } {
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | string | undefined;
  if (typeof ct === 'string') return { value: ct.toLowerCase(), params: {} };
  return { value: (ct?.value ?? 'text/plain').toLowerCase(), params: ct?.params ?? {} };
}

/** `delivery-status`, `feedback-report` … of a multipart/report; undefined for other mail. */
function reportTypeOf(mail: ParsedMail): string | undefined {
  const ct = contentTypeOf(mail);
  return ct.value === 'multipart/report' ? ct.params['report-type']?.toLowerCase() : undefined;
}

/** The delivery a bounce returns, from the Message-ID in its copy of the original's headers. */
function originalDeliveryId(mail: ParsedMail): string | undefined {
  for (const a of mail.attachments) {
    const type = a.contentType.toLowerCase();
    if (type !== 'text/rfc822-headers' && type !== 'message/rfc822' && type !== 'message/global-headers') continue;
    const m = /^message-id:\s*<delivery-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^>]*>/im.exec(a.content.toString('utf8'));
    if (m !== null) return m[1];
  }
  return undefined;
}
