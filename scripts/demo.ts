/**
 * `npm run demo`: everything on this machine, no internet. Starts the log simulator in steady traffic mode
 * (Rekor v1, Rekor v2 and CT with real keys and trees), a local SMTP catcher, the worker following the
 * simulator, and the API, whose `/dev/mail` page (demo only) lists the mails the catcher received.
 * Sign up, verify through the mail at /dev/mail, subscribe to a demo identity such as the GitHub repository
 * `acme/widget`, and watch alerts arrive within seconds.
 */
import 'reflect-metadata';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { startSimulator } from '../test/sim/server.js';
import { startSmtpCapture, type CapturedMail } from '../test/harness/smtp-capture.js';
import { loadConfig } from '../apps/api/src/config.js';
import { createDeps } from '../apps/api/src/deps.js';
import { buildApp } from '../apps/api/src/app.js';
import { startProcess } from './run-services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function mailPage(messages: readonly CapturedMail[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) => `<article><h2>${esc(m.subject)}</h2><p><b>To:</b> ${esc(m.to.join(', '))} · <b>From:</b> ${esc(m.from)}</p>` +
        `<pre>${esc(m.text).replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')}</pre></article>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo mailbox · Sigwatch</title>
<meta http-equiv="refresh" content="5"><style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
article{border:1px solid #ccc;border-radius:6px;padding:0 1rem;margin:1rem 0}pre{white-space:pre-wrap}</style></head>
<body><h1>Demo mailbox</h1><p>Every mail Sigwatch sent in this demo (refreshes every 5 s). <a href="/">Back to Sigwatch</a></p>
${rows || '<p>No mail yet.</p>'}</body></html>`;
}

async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 8080);
  const dir = resolve(root, '.sigwatch', 'demo-sim');
  await mkdir(dir, { recursive: true });
  const rate = Number(process.env['DEMO_RATE'] ?? 5);
  const sim = await startSimulator({ dir, port: Number(process.env['DEMO_SIM_PORT'] ?? 0), rate });
  const smtp = await startSmtpCapture();
  const env = {
    ...process.env,
    PUBLIC_URL: `http://localhost:${port}`,
    PORT: String(port),
    SMTP_URL: smtp.url,
    SIGWATCH_LOGS: sim.logsJsonPath,
    SIGWATCH_TRUSTED_ROOT: sim.trustedRootPath,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    REDIS_PREFIX: process.env['REDIS_PREFIX'] ?? 'sigwatch-demo',
  };
  const worker = startProcess('worker', 'apps/worker/src/main.ts', env);

  const config = loadConfig(env);
  const deps = createDeps(config);
  const app = Fastify({ logger: false });
  await buildApp(app, deps);
  app.get('/dev/mail', async (_req, reply) => reply.type('text/html; charset=utf-8').send(mailPage(smtp.messages)));
  await app.listen({ port, host: config.HOST });

  process.stdout.write(
    [
      '',
      `  Sigwatch demo is running: http://localhost:${port}`,
      `  Mails it sends:           http://localhost:${port}/dev/mail`,
      `  Log simulator:            ${sim.url} (${rate} entries/s per log)`,
      '',
      '  Sign up, open the verification mail at /dev/mail, then subscribe with the template',
      '  "GitHub repository" and acme/widget (or the e-mail alice@example.com): alerts arrive within seconds.',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );

  const stop = async () => {
    worker.kill('SIGTERM');
    await app.close();
    await deps.close();
    await sim.close();
    await smtp.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  worker.on('exit', (code) => {
    process.stdout.write(`worker exited with code ${code}; stopping the demo\n`);
    void stop();
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
