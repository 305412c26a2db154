/** Alert history list and detail (event, why it matched, each delivery and its attempts, retry). */
import type { DeliveryView, MatchView } from '../services/alerts.js';
import { buttonForm } from './forms.js';
import { html, type Html } from './html.js';

function deliveries(csrf: string, list: DeliveryView[], back: string): Html {
  if (list.length === 0) return html`<small>no channel</small>`;
  return html`<ul>${list.map(
    (d) => html`<li>${d.channel}: <span class="status-${d.status}">${d.status}</span>, ${d.attemptCount} attempt(s)${d.lastError ? html` — ${d.lastError}` : ''}
${d.status === 'failed' || d.status === 'disabled' ? buttonForm(`/deliveries/${d.id}/retry`, 'Retry', csrf, { hidden: { back } }) : ''}
${d.attempts.length > 0 ? html`<ul>${d.attempts.map((a) => html`<li>#${a.number} ${a.startedAt}: ${a.ok ? 'ok' : 'failed'}${a.statusCode !== null ? ` HTTP ${a.statusCode}` : ''}${a.error ? ` — ${a.error}` : ''} (${a.durationMs} ms)</li>`)}</ul>` : ''}</li>`,
  )}</ul>`;
}

type ChainStatus = 'valid' | 'invalid' | 'unknown';

/** The certificate's chain status recorded with the event, if it has a certificate. */
function chainOf(event: unknown): ChainStatus | undefined {
  const chain = (event as { certificate?: { chain?: unknown } } | null)?.certificate?.chain;
  return chain === 'valid' || chain === 'invalid' || chain === 'unknown' ? chain : undefined;
}

const CHAIN_TEXT: Record<ChainStatus, string> = {
  valid: 'chains to a trusted Fulcio CA of the Sigstore trusted root (and was logged in its CT log where one was due)',
  invalid: "does NOT chain to a trusted Fulcio CA, or was never logged in the CA's CT log",
  unknown: 'was not verified (Sigwatch could not check its chain)',
};

function chainWarning(chain: ChainStatus | undefined): Html | string {
  if (chain !== 'invalid') return '';
  return html`<p class="untrusted" role="alert"><strong>Untrusted certificate.</strong> The certificate of this entry was not issued by a trusted
Fulcio certificate authority: someone made it themselves and logged it under this identity. Sigstore clients reject it, but if you did not
sign this artifact, someone is trying to impersonate you. Do not trust the artifact, and check who can publish under this identity.</p>`;
}

export function alertList(csrf: string, items: MatchView[], nextCursor: string | null, subscription?: string): Html {
  if (items.length === 0) return html`<p>No alerts yet. When a log records an entry that matches one of your subscriptions, it appears here.</p>`;
  return html`<table><thead><tr><th>When</th><th>Subscription</th><th>Log entry</th><th>Matched</th><th>Deliveries</th></tr></thead><tbody>
${items.map(
  (m) => html`<tr><td><a href="/alerts/${m.id}">${m.createdAt}</a></td><td>${m.subscriptionName}</td><td><code>${m.logId}</code> #${m.logIndex}</td>
<td>${m.field} = <code>${m.value}</code>${chainOf(m.event) === 'invalid' ? html` <strong class="untrusted-badge">untrusted certificate</strong>` : ''}</td><td>${deliveries(csrf, m.deliveries, '/alerts')}</td></tr>`,
)}</tbody></table>
${nextCursor ? html`<p><a href="/alerts?cursor=${nextCursor}${subscription ? `&subscription=${subscription}` : ''}">Older alerts</a></p>` : ''}`;
}

export function alertDetail(csrf: string, m: MatchView): Html {
  const ev = m.event as { log?: { origin?: string; kind?: string }; globalIndex?: string; kind?: string } | null;
  const search = ev?.log?.kind === 'rekor-v1' && ev.globalIndex ? `https://search.sigstore.dev/?logIndex=${ev.globalIndex}` : null;
  const chain = chainOf(m.event);
  return html`${chainWarning(chain)}<p>Subscription <a href="/subscriptions/${m.subscriptionId}">${m.subscriptionName}</a> matched entry ${m.logIndex} of <code>${ev?.log?.origin ?? m.logId}</code>
because ${m.field} was <code>${m.value}</code>.${search ? html` <a href="${search}">Open in Sigstore search</a>.` : ''}</p>
${chain !== undefined ? html`<p>Certificate: <span class="chain-${chain}">${CHAIN_TEXT[chain]}</span>.</p>` : ''}
<h2>Deliveries</h2>${deliveries(csrf, m.deliveries, `/alerts/${m.id}`)}
<h2>Signing event</h2><pre>${JSON.stringify(m.event, null, 2)}</pre>`;
}
