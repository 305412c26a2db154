/**
 * The inbound role: an SMTP listener (smtp-server) where the MX of MAIL_RETURN_PATH's and MAIL_FROM's
 * domains points, taking bounces and complaints for VERP return paths and mailto: unsubscribes for
 * MAIL_FROM's address (inbound-mail.ts says what each means).
 *
 * It answers like a mail server, so nothing is lost silently:
 * - RCPT TO any other address: 550 5.1.1 (the sender learns at once; nothing is accepted and dropped);
 * - a message over 1 MiB: 552; more than 20 recipients: 452 for the rest;
 * - a mail it accepted but could not act on (the database unreachable): 451, so the sender tries again;
 * - every accepted mail is counted by kind and outcome (sigwatch_inbound_mail_total) and logged.
 * No AUTH (an MX takes mail from anyone). STARTTLS with INBOUND_TLS_CERT_FILE and INBOUND_TLS_KEY_FILE
 * (offered, not required: senders fall back to plain text as they do with any MX); without them none.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { Counter } from 'prom-client';
import { addressOf, tokenSecret } from '@sigwatch/config';
import { Producer, QueueName, deliveryJobId } from '@sigwatch/queue';
import { registry } from '../metrics.js';
import type { RoleDeps } from '../roles.js';
import { addressIdOfReturnPath } from '../deliver/return-path.js';
import { handleInboundMail, type InboundTarget } from './inbound-mail.js';

const MAX_BYTES = 1_048_576;
const MAX_RECIPIENTS = 20;

const mailTotal = new Counter({
  name: 'sigwatch_inbound_mail_total',
  help: 'Mail taken by the inbound role, by kind (bounce, complaint, unsubscribe, other) and outcome (hard, rejected, soft, none, done, invalid, ignored)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});
const refusedTotal = new Counter({
  name: 'sigwatch_inbound_refused_total',
  help: 'Mail the inbound role refused, by reason (unknown_recipient, too_large, too_many_recipients, handling_failed)',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export interface InboundServer {
  /** The port it listens on (INBOUND_SMTP_PORT, or the one the system chose for 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startInboundServer(deps: RoleDeps, options: { now?: () => Date } = {}): Promise<InboundServer> {
  const { config, db } = deps;
  const log = deps.log.child({ role: 'inbound' });
  const secret = tokenSecret(config);
  if (secret === undefined) throw new Error('the inbound role checks signed tokens and return paths: set UNSUBSCRIBE_SECRET (or SESSION_SECRET, shared with the API)');
  const now = options.now ?? (() => new Date());
  const unsubscribeMailbox = addressOf(config.MAIL_FROM).toLowerCase();
  const returnPath = config.MAIL_RETURN_PATH;
  if (returnPath === undefined) log.warn('MAIL_RETURN_PATH is not set: alert mail carries no VERP return path, so bounces cannot be told apart; only mailto: unsubscribes are handled');

  const targetOf = (recipient: string): InboundTarget | undefined => {
    if (recipient.toLowerCase() === unsubscribeMailbox) return { kind: 'unsubscribe-mailbox' };
    if (returnPath === undefined) return undefined;
    const addressId = addressIdOfReturnPath(returnPath, secret, recipient);
    return addressId === undefined ? undefined : { kind: 'return-path', addressId };
  };

  const tls = inboundTls(config);
  const producer = new Producer(QueueName.Deliveries, deps.redis, config.REDIS_PREFIX);
  const enqueue = async (deliveryId: string): Promise<void> => {
    await producer.add(deliveryJobId(deliveryId), { deliveryId });
  };
  const server = new SMTPServer({
    ...(tls === undefined ? {} : { key: tls.key, cert: tls.cert }),
    name: new URL(config.PUBLIC_URL).hostname,
    banner: 'Sigwatch inbound (bounces and unsubscribes)',
    authOptional: true,
    disabledCommands: tls === undefined ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    size: MAX_BYTES,
    maxClients: 50,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    logger: false,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) {
        refusedTotal.inc({ reason: 'too_many_recipients' });
        return callback(smtpError(452, '4.5.3 Too many recipients'));
      }
      if (targetOf(address.address) === undefined) {
        refusedTotal.inc({ reason: 'unknown_recipient' });
        return callback(smtpError(550, '5.1.1 No such mailbox here'));
      }
      return callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(c);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          refusedTotal.inc({ reason: 'too_large' });
          return callback(smtpError(552, `5.3.4 Message too big (at most ${MAX_BYTES} bytes)`));
        }
        // this transaction's accepted recipients (smtp-server keeps them per transaction; RSET clears them)
        const byAddress = new Map<string, InboundTarget>();
        for (const r of session.envelope.rcptTo) {
          const t = targetOf(r.address);
          if (t !== undefined) byAddress.set(r.address.toLowerCase(), t);
        }
        const targets = [...byAddress.values()];
        handleInboundMail({ db, log, secret, now, enqueue }, Buffer.concat(chunks), targets).then(
          (results) => {
            for (const r of results) {
              mailTotal.inc({ kind: r.kind, outcome: r.outcome });
              log.info({ kind: r.kind, outcome: r.outcome, from: session.envelope.mailFrom === false ? '<>' : session.envelope.mailFrom.address }, r.detail);
            }
            callback(null, 'OK: taken');
          },
          (err: unknown) => {
            refusedTotal.inc({ reason: 'handling_failed' });
            log.error({ err: (err as Error).message }, 'could not act on an inbound mail; the sender is told to try again');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      });
    },
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.INBOUND_SMTP_PORT, config.INBOUND_SMTP_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await producer.close();
    throw new Error(`the inbound role cannot listen on ${config.INBOUND_SMTP_HOST}:${config.INBOUND_SMTP_PORT} (INBOUND_SMTP_HOST/PORT): ${(err as Error).message}`, { cause: err });
  }
  server.on('error', (err: Error) => log.error({ err: err.message }, 'inbound SMTP server error'));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.INBOUND_SMTP_PORT;
  log.info({ host: config.INBOUND_SMTP_HOST, port, starttls: tls !== undefined, returnPath: returnPath ?? null, unsubscribeMailbox }, 'inbound role listening');
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await producer.close();
    },
  };
}

export async function startInboundRole(deps: RoleDeps): Promise<() => Promise<void>> {
  const server = await startInboundServer(deps);
  return () => server.close();
}

/** A STARTTLS setting that cannot work, naming the variable to fix. */
export class InboundTlsError extends Error {
  constructor(
    readonly variable: 'INBOUND_TLS_CERT_FILE' | 'INBOUND_TLS_KEY_FILE',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InboundTlsError';
  }
}

/**
 * The STARTTLS certificate and key, read and checked as at start (also by `sigwatch config check`): a half
 * or unreadable pair, or files that are not a matching PEM certificate and key, throw InboundTlsError.
 */
export function inboundTls(config: Pick<RoleDeps['config'], 'INBOUND_TLS_CERT_FILE' | 'INBOUND_TLS_KEY_FILE'>): { key: Buffer; cert: Buffer } | undefined {
  const certFile = config.INBOUND_TLS_CERT_FILE;
  const keyFile = config.INBOUND_TLS_KEY_FILE;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined) throw new InboundTlsError('INBOUND_TLS_CERT_FILE', 'STARTTLS of the inbound role needs both INBOUND_TLS_CERT_FILE and INBOUND_TLS_KEY_FILE (or neither)');
  if (keyFile === undefined) throw new InboundTlsError('INBOUND_TLS_KEY_FILE', 'STARTTLS of the inbound role needs both INBOUND_TLS_CERT_FILE and INBOUND_TLS_KEY_FILE (or neither)');
  const read = (name: 'INBOUND_TLS_CERT_FILE' | 'INBOUND_TLS_KEY_FILE', file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new InboundTlsError(name, `${name}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  const pair = { cert: read('INBOUND_TLS_CERT_FILE', certFile), key: read('INBOUND_TLS_KEY_FILE', keyFile) };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new InboundTlsError(
      'INBOUND_TLS_CERT_FILE',
      `INBOUND_TLS_CERT_FILE / INBOUND_TLS_KEY_FILE are not a PEM certificate and its private key: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return pair;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
