/** The webhook documentation: Standard Webhooks headers, payload types and a verification sample. */
import { html, type Html } from './html.js';

const MATCH_EXAMPLE = `{
  "type": "match.created",
  "timestamp": "2026-11-22T10:00:00.000Z",
  "data": {
    "match": { "id": "…", "rule_id": "…", "field": "extension", "value": "https://github.com/acme/widget", "log_id": "rekor-sigstore-dev" },
    "subscription": { "id": "…", "name": "acme/widget releases", "url": "https://sigwatch.example/subscriptions/…" },
    "event": { "log": { "origin": "rekor.sigstore.dev - 1193050959916656506", "kind": "rekor-v1" },
               "index": "649584075", "globalIndex": "771488337", "kind": "hashedrekord", "apiVersion": "0.0.1",
               "digests": [{ "algorithm": "sha256", "value": "…" }],
               "certificate": { "sans": [{ "type": "uri", "value": "https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3" }],
                                "issuer": "https://token.actions.githubusercontent.com", "extensions": { "1.3.6.1.4.1.57264.1.12": "https://github.com/acme/widget" },
                                "chain": "valid", "…": "…" } },
    "certificate_chain": { "status": "valid", "trusted": true, "message": "issued by a trusted Fulcio CA (…)", "warning": null },
    "links": { "entry": "https://search.sigstore.dev/?logIndex=771488337" }
  }
}`;

const INCIDENT_EXAMPLE = `{
  "type": "log.incident",
  "timestamp": "2026-11-22T10:00:00.000Z",
  "data": {
    "incident": { "id": "…", "code": "INCONSISTENT_TREE", "message": "…", "opened_at": "…", "resolved_at": null },
    "log": { "id": "…", "origin": "rekor.sigstore.dev - 1193050959916656506" }
  }
}`;

const VERIFY_SAMPLE = `import { createHmac, timingSafeEqual } from 'node:crypto';

// secret: the whsec_… value shown when you created the webhook.
export function verifySigwatch(secret, headers, rawBody, toleranceSeconds = 300) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = (headers['webhook-signature'] ?? '').split(' ');
  if (!id || !timestamp) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false; // replay
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(\`\${id}.\${timestamp}.\${rawBody}\`).digest();
  return signatures.some((s) => {
    const [version, mac] = s.split(',');
    if (version !== 'v1' || !mac) return false;
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}`;

export function webhookDocs(): Html {
  return html`<p>Sigwatch sends each alert as an HTTP <code>POST</code> with a JSON body to your endpoint, signed as the
<a href="https://www.standardwebhooks.com/">Standard Webhooks</a> specification describes. Answer with any 2xx status within 10 seconds;
anything else is retried with exponential backoff for about three days (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h).
An endpoint that keeps failing is disabled, and you get an e-mail; re-enable it on its page.</p>
<h2>Headers</h2>
<table><tbody>
<tr><th><code>webhook-id</code></th><td>Unique per alert, the same on every retry: use it to ignore duplicates.</td></tr>
<tr><th><code>webhook-timestamp</code></th><td>Unix time (seconds) of this attempt. Reject values more than 5 minutes from your clock.</td></tr>
<tr><th><code>webhook-signature</code></th><td>Space-separated <code>v1,&lt;base64 signature&gt;</code> entries. While a secret rotation is in progress (24 hours) there are two: accept the request if any one verifies.</td></tr>
</tbody></table>
<h2>Signature</h2>
<p>The signature is <code>base64(HMAC-SHA256(key, webhook-id + "." + webhook-timestamp + "." + body))</code>, where <code>key</code> is the
base64-decoded part of your secret after <code>whsec_</code>, and <code>body</code> is the raw request body exactly as received (do not re-serialise the JSON).</p>
<h2>Payload types</h2>
<p>Every body is <code>{"type", "timestamp", "data"}</code>.</p>
<h3><code>match.created</code></h3><p>An entry in a log matched one of your subscriptions.</p><pre>${MATCH_EXAMPLE}</pre>
<p><code>certificate_chain</code> (<code>null</code> when the entry was signed with a key, not a certificate) says whether the entry's certificate
chains to a Fulcio CA of the Sigstore trusted root and, for Rekor entries, carries an embedded SCT from one of its CT logs (Fulcio logs every
certificate it issues): <code>valid</code>, <code>invalid</code> — someone made the certificate themselves, or with the CA's key but never
logged it, and wrote it under this identity, so <code>warning</code> explains it and you should treat the alert as a likely impersonation — or <code>unknown</code> when Sigwatch
could not check it (the log could not be read again in time).</p>
<h3><code>log.incident</code></h3><p>A log misbehaved (bad signature, inconsistent tree, rollback …). Sent to endpoints that opted in.</p><pre>${INCIDENT_EXAMPLE}</pre>
<h3><code>test</code></h3><p>Sent by "Send test event": <code>data</code> is <code>{"message": "This is a test event from Sigwatch.", "endpoint_id": "…"}</code>.</p>
<h2>Verifying in Node.js</h2><pre>${VERIFY_SAMPLE}</pre>`;
}
