/** The log status table (home page and dashboard). */
import type { LogStatusView } from '../services/log-status.js';
import { html, type Html } from './html.js';

export function logStatusTable(logs: readonly LogStatusView[]): Html {
  if (logs.length === 0) return html`<p>No logs are followed yet.</p>`;
  return html`<table><caption>Transparency logs Sigwatch follows</caption><thead><tr><th>Log</th><th>Kind</th><th>Status</th><th>Verified size</th><th>Backlog</th><th>Last checkpoint</th></tr></thead><tbody>
${logs.map(
  (l) => html`<tr><td><code>${l.origin}</code>${l.verifiedRoot ? html`<br><small>root ${l.verifiedRoot.slice(0, 16)}…</small>` : ''}</td><td>${l.kind}</td>
<td class="status-${l.status}">${l.status}${l.openIncident ? html`<br><small>Incident: ${l.openIncident.code} — ${l.openIncident.message}</small>` : ''}</td>
<td>${l.verifiedSize ?? '—'}</td><td>${l.backlog ?? '—'}</td><td>${l.lastCheckpointAt ?? 'never'}</td></tr>`,
)}</tbody></table>`;
}
