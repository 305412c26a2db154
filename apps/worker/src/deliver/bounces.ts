/**
 * An address that takes no mail: told by a delivery report to the inbound role (inbound/inbound-mail.ts)
 * or by the relay refusing the recipient while the alert is sent (delivery-worker.ts). Either way the
 * address is marked bounced with the reason, once, audited, and alert mail stops going to it until its
 * owner resumes it (the API's resumeEmail).
 */
import type { Db } from '@sigwatch/db';
import { createAccountNotice } from './delivery-store.js';

/**
 * Enhanced status codes (RFC 3463) that say the recipient address itself is gone: X.1.x addressing (bad
 * mailbox, bad system, bad syntax, moved, null MX) except X.1.7/X.1.8 (the sender's address), and X.2.1
 * (mailbox disabled). Only permanent (5.x.x) ones count: policy, content or size refusals (5.7.x, 5.6.x,
 * 5.3.4) are about the message, and a full mailbox (5.2.2) may empty.
 */
export function addressGone(status: string | undefined): boolean {
  const m = /^5\.(\d{1,3})\.(\d{1,3})$/.exec(status ?? '');
  if (m === null) return false;
  const subject = Number(m[1]);
  const detail = Number(m[2]);
  return (subject === 1 && detail !== 7 && detail !== 8) || (subject === 2 && detail === 1);
}

/** The first enhanced status code in an SMTP reply text (`550 5.1.1 <x>: …` or a multi-line `550-5.1.1 …` → `5.1.1`). */
export function enhancedStatusIn(text: string): string | undefined {
  return /(?:^|[\s:;(]|\b\d{3}-)([245]\.\d{1,3}\.\d{1,3})(?=$|[\s:;,)])/.exec(text)?.[1];
}

/** What the user is shown: the server's words, led by the status code unless they hold it already. */
export function bounceReasonText(status: string | undefined, words: string | undefined): string {
  if (words === undefined || words === '') return status ?? 'no status';
  if (status === undefined || words.includes(status)) return words;
  return `${status} ${words}`;
}

export interface BounceMarked {
  /** The address (undefined: it no longer exists). */
  readonly address: { readonly address: string; readonly userId: string } | undefined;
  /** False when it was already marked (the first reason stays). */
  readonly marked: boolean;
  /** The notice delivery to the account's own address, when one was made: enqueue its job. */
  readonly noticeId: string | undefined;
}

/**
 * Mark the address bounced (once; audited) and, the first time, tell the user at the account's own address
 * when that is another, working one (a `notice` delivery, as for a disabled webhook): the alerts that would
 * have told them are what stopped.
 */
export async function markAddressBounced(db: Db, addressId: string, reason: string, now: Date, via: 'report' | 'smtp'): Promise<BounceMarked> {
  const bounceReason = reason.slice(0, 300);
  return db.$transaction(async (tx) => {
    const address = await tx.emailAddress.findUnique({ where: { id: addressId }, include: { user: true } });
    if (address === null) return { address: undefined, marked: false, noticeId: undefined };
    const res = await tx.emailAddress.updateMany({ where: { id: addressId, bouncedAt: null }, data: { bouncedAt: now, bounceReason } });
    const found = { address: address.address, userId: address.userId };
    if (res.count === 0) return { address: found, marked: false, noticeId: undefined };
    await tx.auditEvent.create({ data: { userId: address.userId, action: 'email.bounced', detail: { address: address.address, reason: bounceReason, via } } });
    const user = address.user;
    if (user.verifiedAt === null || user.email === address.address) return { address: found, marked: true, noticeId: undefined };
    const noticeId = await createAccountNotice(tx, user, { type: 'email.bounced', to: user.email, address: address.address, reason: bounceReason });
    return { address: found, marked: true, noticeId };
  });
}
