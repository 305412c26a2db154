/**
 * Account mail (verification, login link, password reset, "you already have an account") through
 * nodemailer over SMTP_URL. Sends are started without awaiting the SMTP dialogue, so a sign-up for a new
 * and for an existing address answer in the same time; `idle()` waits for sends in flight (shutdown, tests).
 */
import nodemailer from 'nodemailer';
import type { DkimOptions } from '@sigwatch/config';
import type { FastifyBaseLogger } from 'fastify';

export interface AccountMail {
  to: string;
  subject: string;
  text: string;
}

export interface AccountMailer {
  send(mail: AccountMail): void;
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** `dkim`: sign every message (DKIM_SELECTOR / DKIM_PRIVATE_KEY_FILE, @sigwatch/config dkim.ts). */
export function createAccountMailer(smtpUrl: string, from: string, log?: Pick<FastifyBaseLogger, 'warn'>, dkim?: DkimOptions): AccountMailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, ...(dkim !== undefined ? { dkim } : {}) });
  const inFlight = new Set<Promise<void>>();
  return {
    send(mail) {
      const p = transport
        .sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text })
        .then(
          () => undefined,
          (err: unknown) => log?.warn({ err, subject: mail.subject }, 'account mail not sent'),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close() {
      await this.idle();
      transport.close();
    },
  };
}

/** The texts of account mail; links are absolute, built from PUBLIC_URL (never from the Host header). */
export const accountMails = {
  verify: (to: string, link: string): AccountMail => ({
    to,
    subject: 'Confirm your Sigwatch account',
    text: `Welcome to Sigwatch.\n\nConfirm your e-mail address by opening this link (valid 24 hours):\n\n${link}\n\nIf you did not sign up, ignore this message.\n`,
  }),
  existing: (to: string, loginLink: string, resetLink: string): AccountMail => ({
    to,
    subject: 'Sign-up attempt for your Sigwatch account',
    text: `Someone (maybe you) tried to sign up with this address, but it already has a Sigwatch account.\n\nLog in: ${loginLink}\nForgot your password? ${resetLink}\n\nIf it was not you, ignore this message.\n`,
  }),
  loginLink: (to: string, link: string): AccountMail => ({
    to,
    subject: 'Your Sigwatch login link',
    text: `Open this link to log in to Sigwatch. It works once and expires in 15 minutes:\n\n${link}\n\nIf you did not ask for it, ignore this message.\n`,
  }),
  reset: (to: string, link: string): AccountMail => ({
    to,
    subject: 'Reset your Sigwatch password',
    text: `Open this link to choose a new password. It works once and expires in 30 minutes:\n\n${link}\n\nIf you did not ask for it, ignore this message; your password stays as it is.\n`,
  }),
  address: (to: string, link: string): AccountMail => ({
    to,
    subject: 'Confirm this address for Sigwatch alerts',
    text: `Confirm that Sigwatch may send alerts to this address by opening this link (valid 24 hours):\n\n${link}\n\nIf you did not add it, ignore this message.\n`,
  }),
};
