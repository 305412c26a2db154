/** /docs: the OpenAPI document as a plain HTML listing (every operation, its parameters and body). */
import { html, type Html } from './html.js';

export interface OpenApiDoc {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, { summary?: string; description?: string; tags?: string[]; parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: unknown }>>;
}

export function apiDocsPage(doc: OpenApiDoc): Html {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${doc.info.title}</title><link rel="stylesheet" href="/assets/style.css"></head><body><header><a class="brand" href="/">Sigwatch</a></header><main>
<h1>${doc.info.title}</h1><p>${doc.info.description ?? ''}</p><p>Machine-readable OpenAPI 3: <a href="/docs/json">/docs/json</a>. Webhook payloads: <a href="/docs/webhooks">webhook format</a>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Parameters</th></tr></thead><tbody>
${ops.map(
  ({ path, method, op }) =>
    html`<tr><td><code>${method}</code></td><td><code>${path}</code></td><td>${op.summary ?? ''}</td><td>${(op.parameters ?? []).map((p) => html`<code>${p.name}</code> (${p.in}${p.required ? ', required' : ''}) `)}${op.requestBody ? html`JSON body` : ''}</td></tr>`,
)}
</tbody></table></main></body></html>`;
}
