/**
 * Alert mail over SMTP (nodemailer, SMTP_URL). Every message carries (scale-and-safety §2.8, RFC 8058,
 * RFC 3834):
 * - `List-Unsubscribe: <https link>, <mailto:>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`,
 *   the link holding a signed single-use token (packages/config signed-token.ts) that works without a
 *   session. When DKIM is added, both headers must be in its `h=` list.
 * - `Auto-Submitted: auto-generated` so auto-responders stay quiet.
 * - A Message-ID derived from the delivery id, so a message can be traced back to its delivery and a
 *   duplicate is recognisable as one.
 * Errors become DeliveryError: SMTP 5xx is permanent, anything else (4xx, connection) transient.
 */
import { createTransport } from 'nodemailer';
import { addressOf, type DkimOptions } from '@sigwatch/config';
import { DeliveryError } from './errors.js';
import { returnPathFor } from './return-path.js';
import type { RenderedMail } from './email-templates.js';

export interface OutgoingMail {
  to: string;
  mail: RenderedMail;
  /** Without angle brackets: `<id>@<domain>`. */
  messageId: string;
  /** Present on alert mail (not on account notices): the one-click link and the mailto fallback. */
  unsubscribe?: { url: string; mailto: string };
  /** The EmailAddress the mail goes to: with MAIL_RETURN_PATH set, its bounces come back tagged with it. */
  recipientId?: string;
}

/** VERP bounces (return-path.ts): the base address (MAIL_RETURN_PATH) and the secret that signs the tags. */
export interface ReturnPathOptions {
  base: string;
  secret: string;
}

export interface Mailer {
  readonly fromAddress: string;
  send(m: OutgoingMail): Promise<{ response: string }>;
  close(): void;
}


/**
 * `dkim`: sign every message (DKIM_SELECTOR / DKIM_PRIVATE_KEY_FILE, @sigwatch/config dkim.ts).
 * `returnPath`: the envelope sender of mail with a `recipientId` is its VERP return path; without it (or
 * for mail without one) it is MAIL_RETURN_PATH's base, else MAIL_FROM's address.
 */
export function createMailer(smtpUrl: string, from: string, options: { dkim?: DkimOptions | undefined; returnPath?: ReturnPathOptions | undefined } = {}): Mailer {
  const { dkim, returnPath } = options;
  const transport = createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 4,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(dkim !== undefined ? { dkim } : {}),
  });
  const fromAddress = addressOf(from);
  return {
    fromAddress,
    async send(m) {
      const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };
      if (m.unsubscribe !== undefined) {
        headers['List-Unsubscribe'] = `<${m.unsubscribe.url}>, <${m.unsubscribe.mailto}>`;
        headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      }
      const envelopeFrom =
        returnPath === undefined ? fromAddress : m.recipientId === undefined ? returnPath.base : returnPathFor(returnPath.base, returnPath.secret, m.recipientId);
      try {
        const info = await transport.sendMail({
          from,
          to: m.to,
          envelope: { from: envelopeFrom, to: m.to },
          subject: m.mail.subject,
          text: m.mail.text,
          html: m.mail.html,
          messageId: `<${m.messageId}>`,
          headers,
        });
        return { response: String(info.response ?? '') };
      } catch (err) {
        throw smtpError(err);
      }
    },
    close() {
      transport.close();
    },
  };
}

function smtpError(err: unknown): DeliveryError {
  const e = err as Error & { responseCode?: number; code?: string; response?: string };
  const status = e.responseCode;
  const text = (e.response ?? e.message).slice(0, 300);
  if (status !== undefined && status >= 500) return new DeliveryError('SMTP_PERMANENT', `the mail server refused: ${text}`, true, { cause: err, statusCode: status });
  return new DeliveryError('SMTP_TRANSIENT', `the mail server did not take the message${e.code === undefined ? '' : ` (${e.code})`}: ${text}`, false, {
    cause: err,
    ...(status === undefined ? {} : { statusCode: status }),
  });
}
