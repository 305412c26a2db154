/**
 * The `message/delivery-status` body of a delivery status notification (RFC 3464): a block of
 * per-message fields, then one block per recipient, blocks separated by blank lines, fields in header
 * syntax (folded lines continue with white space). Sigwatch needs, per recipient, what happened (Action),
 * the enhanced status code (Status, RFC 3463) and the remote server's words (Diagnostic-Code).
 */
import { addressGone } from '../deliver/bounces.js';

export interface DsnRecipient {
  /** The address the report is about (Final-Recipient without its `rfc822;` type), lower-cased. */
  readonly recipient: string | undefined;
  /** failed, delayed, delivered, relayed or expanded (lower-cased). */
  readonly action: string;
  /** Enhanced status code, e.g. `5.1.1`; undefined when missing or malformed. */
  readonly status: string | undefined;
  /** Diagnostic-Code without its type, e.g. `550 5.1.1 <x@y>: Recipient address rejected`. */
  readonly diagnostic: string | undefined;
}

/**
 * hard: the address takes no mail (alerts to it stop); rejected: this message was refused for good for a
 * reason other than the address (policy, content, size: the alert failed, the address stays); soft: a
 * temporary failure; none: delivered, relayed or expanded.
 */
export type BounceClass = 'hard' | 'rejected' | 'soft' | 'none';

/** Parse the delivery-status text; recipient blocks without an Action are skipped (RFC 3464 requires one). */
export function parseDeliveryStatus(text: string): DsnRecipient[] {
  const blocks = text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/);
  const out: DsnRecipient[] = [];
  // the first block holds the per-message fields (Reporting-MTA, Arrival-Date …)
  for (const block of blocks.slice(1)) {
    const fields = headerFields(block);
    const action = fields.get('action')?.toLowerCase();
    if (action === undefined || action === '') continue;
    const status = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(fields.get('status') ?? '')?.[1];
    out.push({
      recipient: typedValue(fields.get('final-recipient') ?? fields.get('original-recipient'))?.toLowerCase(),
      action,
      status,
      diagnostic: typedValue(fields.get('diagnostic-code'))?.slice(0, 500),
    });
  }
  return out;
}

/** How to take one recipient's report (see BounceClass); a failure without a usable status is `rejected`. */
export function bounceClass(r: DsnRecipient): BounceClass {
  if (r.action === 'failed') {
    if (r.status?.startsWith('4.') === true) return 'soft';
    return addressGone(r.status) ? 'hard' : 'rejected';
  }
  if (r.action === 'delayed') return 'soft';
  return 'none';
}

/** Fields of one block, names lower-cased, folded lines joined; the first occurrence of a name wins. */
function headerFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let name: string | undefined;
  let value = '';
  const flush = (): void => {
    if (name !== undefined && !fields.has(name)) fields.set(name, value.trim());
  };
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line) && name !== undefined) {
      value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : undefined;
    value = colon > 0 ? line.slice(colon + 1) : '';
  }
  flush();
  return fields;
}

/** `rfc822; a@b` → `a@b`; `smtp; 550 …` → `550 …` (a value without a type is kept whole). */
function typedValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const semi = v.indexOf(';');
  const out = (semi >= 0 ? v.slice(semi + 1) : v).trim();
  return out === '' ? undefined : out;
}
