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

export function alertList(csrf: string, items: MatchView[], nextCursor: string | null, subscription?: string): Html {
  if (items.length === 0) return html`<p>No alerts yet. When a log records an entry that matches one of your subscriptions, it appears here.</p>`;
  return html`<table><thead><tr><th>When</th><th>Subscription</th><th>Log entry</th><th>Matched</th><th>Deliveries</th></tr></thead><tbody>
${items.map(
  (m) => html`<tr><td><a href="/alerts/${m.id}">${m.createdAt}</a></td><td>${m.subscriptionName}</td><td><code>${m.logId}</code> #${m.logIndex}</td>
<td>${m.field} = <code>${m.value}</code></td><td>${deliveries(csrf, m.deliveries, '/alerts')}</td></tr>`,
)}</tbody></table>
${nextCursor ? html`<p><a href="/alerts?cursor=${nextCursor}${subscription ? `&subscription=${subscription}` : ''}">Older alerts</a></p>` : ''}`;
}

export function alertDetail(csrf: string, m: MatchView): Html {
  const ev = m.event as { log?: { origin?: string; kind?: string }; globalIndex?: string; kind?: string } | null;
  const search = ev?.log?.kind === 'rekor-v1' && ev.globalIndex ? `https://search.sigstore.dev/?logIndex=${ev.globalIndex}` : null;
  return html`<p>Subscription <a href="/subscriptions/${m.subscriptionId}">${m.subscriptionName}</a> matched entry ${m.logIndex} of <code>${ev?.log?.origin ?? m.logId}</code>
because ${m.field} was <code>${m.value}</code>.${search ? html` <a href="${search}">Open in Sigstore search</a>.` : ''}</p>
<h2>Deliveries</h2>${deliveries(csrf, m.deliveries, `/alerts/${m.id}`)}
<h2>Signing event</h2><pre>${JSON.stringify(m.event, null, 2)}</pre>`;
}
