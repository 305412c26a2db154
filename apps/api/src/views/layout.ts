/** The page frame: head, navigation (by login state), a flash notice, main content. */
import { html, type Html } from './html.js';

export interface PageContext {
  user: { email: string } | null;
  csrf: string;
  flash?: string | undefined;
}

export function layout(ctx: PageContext, title: string, body: Html): Html {
  const nav = ctx.user
    ? html`<a href="/dashboard">Dashboard</a> <a href="/subscriptions">Subscriptions</a> <a href="/alerts">Alerts</a>
        <a href="/emails">E-mail</a> <a href="/webhooks">Webhooks</a> <a href="/tokens">API tokens</a> <a href="/account">Account</a>
        <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit" class="link">Log out</button></form>`
    : html`<a href="/login">Log in</a> <a href="/signup">Sign up</a>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Sigwatch</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><header><a class="brand" href="/">Sigwatch</a><nav aria-label="Main">${nav}</nav></header>
<main>${ctx.flash ? html`<p class="flash" role="status">${ctx.flash}</p>` : ''}<h1>${title}</h1>${body}</main>
<footer><a href="/docs">API docs</a> · <a href="/docs/webhooks">Webhook format</a></footer></body></html>`;
}
