/**
 * The text and HTML of every mail the deliver role sends: an alert, a digest of alerts, an incident, and the
 * notice that a webhook was disabled. Pure functions of their input. Log data is attacker-controlled: every
 * value is HTML-escaped, control characters are dropped from the subject, and only https URLs become links.
 */
import { CHAIN_SUMMARY, UNTRUSTED_CERTIFICATE_WARNING, type AlertView, type MatchReason } from './alert-view.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface AlertLinks {
  subscription: string;
  mute: string;
  unsubscribe: string;
}

export interface AlertMailInput {
  subscriptionName: string;
  view: AlertView;
  reason: MatchReason;
  links: AlertLinks;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** One line, no control characters, at most `max` characters: safe for a Subject header. */
export function oneLine(s: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

type Row = [label: string, value: string | undefined, href?: string | undefined];

function rows(view: AlertView, reason: MatchReason): Row[] {
  return [
    ['Identity', view.identity],
    ['Issuer', view.issuer],
    ['Certificate', view.chain === undefined ? undefined : CHAIN_SUMMARY[view.chain]],
    ['Workflow', view.workflow],
    ['Repository', view.repository],
    ['Ref', view.ref],
    ['Run', view.runUrl, view.runUrl],
    ['Artifact', view.digest],
    ['Entry kind', view.entryKind],
    ['When', view.integratedAt?.toISOString()],
    ['Log', view.logOrigin],
    ['Index', view.globalIndex === view.logIndex ? view.logIndex : `${view.globalIndex} (shard index ${view.logIndex})`],
    ['Entry', view.entryUrl, view.entryUrl],
    ['Matched', `${reason.field} = ${reason.value}`],
  ];
}

function textTable(r: Row[]): string {
  const present = r.filter((x): x is [string, string, (string | undefined)?] => x[1] !== undefined);
  const width = Math.max(12, ...present.map(([k]) => k.length + 2));
  return present.map(([k, v]) => `${`${k}:`.padEnd(width)}${oneLine(v, 2000)}`).join('\n');
}

function htmlTable(r: Row[]): string {
  const cells = r
    .filter((x): x is [string, string, (string | undefined)?] => x[1] !== undefined)
    .map(([k, v, href]) => {
      const value = href === undefined ? esc(v) : `<a href="${esc(href)}">${esc(v)}</a>`;
      return `<tr><th align="left" style="padding:2px 12px 2px 0">${esc(k)}</th><td style="font-family:monospace">${value}</td></tr>`;
    });
  return `<table>${cells.join('')}</table>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif">${body}</body></html>`;
}

function footerText(l: AlertLinks): string {
  return `Subscription: ${l.subscription}\nMute this subscription: ${l.mute}\nStop all alert mail to this address: ${l.unsubscribe}\n`;
}

function footerHtml(l: AlertLinks): string {
  return `<p style="color:#555;font-size:90%"><a href="${esc(l.subscription)}">Subscription</a> · <a href="${esc(l.mute)}">Mute this subscription</a> · <a href="${esc(l.unsubscribe)}">Stop all alert mail to this address</a></p>`;
}

/** The untrusted-certificate warning, first thing in the mail, when the chain does not verify. */
function warningText(view: AlertView): string {
  return view.chain === 'invalid' ? `${UNTRUSTED_CERTIFICATE_WARNING}\n\n` : '';
}

function warningHtml(view: AlertView): string {
  return view.chain === 'invalid'
    ? `<p role="alert" style="border:2px solid #b42318;background:#fef3f2;color:#b42318;padding:10px 12px;font-weight:bold">${esc(UNTRUSTED_CERTIFICATE_WARNING)}</p>`
    : '';
}

export function renderAlert(m: AlertMailInput): RenderedMail {
  const who = m.view.identity ?? 'an unknown identity';
  const flag = m.view.chain === 'invalid' ? 'UNTRUSTED CERTIFICATE: ' : '';
  const subject = oneLine(`[Sigwatch] ${flag}${m.subscriptionName}: ${who} signed ${m.view.entryKind}`, 160);
  const intro = `Subscription "${m.subscriptionName}" matched an entry in ${m.view.logOrigin}.`;
  const r = rows(m.view, m.reason);
  return {
    subject,
    text: `${warningText(m.view)}${intro}\n\n${textTable(r)}\n\n${footerText(m.links)}`,
    html: page(subject, `${warningHtml(m.view)}<p>${esc(intro)}</p>${htmlTable(r)}${footerHtml(m.links)}`),
  };
}

export interface DigestItem {
  subscriptionName: string;
  view: AlertView;
  reason: MatchReason;
}

/** `why` says what made this a digest: the address's hourly cap or the subscription's digest setting. */
export function renderDigest(items: readonly DigestItem[], why: string, links: Pick<AlertLinks, 'unsubscribe'> & { alerts: string }): RenderedMail {
  const untrusted = items.filter((it) => it.view.chain === 'invalid').length;
  const flag = untrusted > 0 ? ` (${untrusted} with an UNTRUSTED CERTIFICATE)` : '';
  const subject = oneLine(`[Sigwatch] Digest: ${items.length} alert${items.length === 1 ? '' : 's'}${flag}`);
  const text = items
    .map((it, i) => `${i + 1}. ${oneLine(it.subscriptionName)}\n${warningText(it.view)}${textTable(rows(it.view, it.reason))}`)
    .join('\n\n');
  const html = items
    .map((it, i) => `<h3>${i + 1}. ${esc(it.subscriptionName)}</h3>${warningHtml(it.view)}${htmlTable(rows(it.view, it.reason))}`)
    .join('');
  const foot = `All alerts: ${links.alerts}\nStop all alert mail to this address: ${links.unsubscribe}\n`;
  return {
    subject,
    text: `${why}\n\n${text}\n\n${foot}`,
    html: page(subject, `<p>${esc(why)}</p>${html}<p style="color:#555;font-size:90%"><a href="${esc(links.alerts)}">All alerts</a> · <a href="${esc(links.unsubscribe)}">Stop all alert mail to this address</a></p>`),
  };
}

export interface IncidentMailInput {
  logOrigin: string;
  code: string;
  message: string;
  openedAt: Date;
  links: Pick<AlertLinks, 'unsubscribe'> & { incident: string };
}

export function renderIncident(m: IncidentMailInput): RenderedMail {
  const subject = oneLine(`[Sigwatch] Log incident: ${m.logOrigin} (${m.code})`);
  const intro = `Sigwatch stopped trusting ${m.logOrigin} at ${m.openedAt.toISOString()}: ${m.message}. Nothing from this log is matched until the incident is resolved.`;
  return {
    subject,
    text: `${intro}\n\nDetails and evidence: ${m.links.incident}\nStop all alert mail to this address: ${m.links.unsubscribe}\n`,
    html: page(subject, `<p>${esc(intro)}</p><p><a href="${esc(m.links.incident)}">Details and evidence</a> · <a href="${esc(m.links.unsubscribe)}">Stop all alert mail to this address</a></p>`),
  };
}

export interface AddressBouncedInput {
  address: string;
  reason: string;
  emailsPage: string;
}

/** To the account's own address when an alert address bounced: the alerts to it stop until resumed. */
export function renderAddressBounced(m: AddressBouncedInput): RenderedMail {
  const subject = '[Sigwatch] Alert mail to one of your addresses bounced';
  const intro = `Alert mail to ${m.address} bounced: ${m.reason}. Sigwatch sends no more alert mail there until you fix the mailbox and press "Resume alerts".`;
  return {
    subject,
    text: `${intro}

Your e-mail addresses: ${m.emailsPage}
`,
    html: page(subject, `<p>${esc(intro)}</p><p><a href="${esc(m.emailsPage)}">Your e-mail addresses</a></p>`),
  };
}

export interface WebhookDisabledInput {
  url: string;
  reason: string;
  endpointPage: string;
}

export function renderWebhookDisabled(m: WebhookDisabledInput): RenderedMail {
  const subject = '[Sigwatch] A webhook endpoint was disabled';
  const intro = `Sigwatch disabled your webhook endpoint ${m.url} after it failed: ${m.reason}. No further events are sent to it until you enable it again.`;
  return {
    subject,
    text: `${intro}\n\nEndpoint and its delivery log: ${m.endpointPage}\n`,
    html: page(subject, `<p>${esc(intro)}</p><p><a href="${esc(m.endpointPage)}">Endpoint and its delivery log</a></p>`),
  };
}
