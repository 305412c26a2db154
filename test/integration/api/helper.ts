/**
 * API test helpers (fastify/demo's test/helper.ts): the real app on the run's database and a fresh Redis
 * prefix, an SMTP capture, a cookie-keeping page agent that reads CSRF tokens from forms, and shortcuts
 * to make verified users and API tokens.
 */
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../../apps/api/src/config.js';
import { createDeps, type ApiDeps } from '../../../apps/api/src/deps.js';
import { buildApp } from '../../../apps/api/src/app.js';
import { hashPassword } from '../../../apps/api/src/services/passwords.js';
import { createApiToken } from '../../../apps/api/src/services/api-tokens.js';
import { testEnv } from '../../harness/env.js';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture.js';

export interface TestApp {
  app: FastifyInstance;
  deps: ApiDeps;
  smtp: SmtpCapture;
  close(): Promise<void>;
}

export async function buildTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const smtp = await startSmtpCapture();
  const deps = createDeps(loadConfig(testEnv({ SMTP_URL: smtp.url, WEBHOOK_ALLOW_PRIVATE: 'true', ...env })));
  const app = Fastify({ logger: false });
  await buildApp(app, deps);
  await app.ready();
  return {
    app,
    deps,
    smtp,
    async close() {
      await app.close();
      await deps.close();
      await smtp.close();
    },
  };
}

let ipCounter = 1;
/** A distinct client address per agent, so per-IP rate limits of one test do not leak into another. */
export function nextIp(): string {
  ipCounter++;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export class PageAgent {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly app: FastifyInstance,
    readonly ip = nextIp(),
  ) {}

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      if (c.value === '' || (c.expires !== undefined && c.expires.getTime() < Date.now()) || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, remoteAddress: this.ip, headers: { accept: 'text/html', cookie: this.cookieHeader } }));
  }

  /** POST a form as a browser would; `_csrf` is taken from the session unless given. */
  async post(url: string, form: Record<string, string>, opts: { csrf?: string | false } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams(form);
    if (opts.csrf !== false) body.set('_csrf', opts.csrf ?? (await this.csrf()));
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.ip,
        headers: { accept: 'text/html', cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      }),
    );
  }

  /** The CSRF token of the current session (loads a page with a form to get one). */
  async csrf(): Promise<string> {
    // Logged in, every page's "Log out" form carries it; logged out, the login form does.
    for (const url of ['/', '/login']) {
      const m = /name="_csrf" value="([^"]+)"/.exec((await this.get(url)).body);
      if (m?.[1] !== undefined) return m[1];
    }
    throw new Error('no CSRF token on / or /login');
  }
}

let userCounter = 0;
export function uniqueEmail(label = 'user'): string {
  userCounter++;
  return `${label}-${Date.now().toString(36)}-${userCounter}@example.com`;
}

/** A verified user with a password, straight into the database. */
export async function createUser(deps: ApiDeps, email = uniqueEmail(), password = 'correct horse battery'): Promise<{ id: string; email: string; password: string }> {
  const now = new Date();
  const user = await deps.db.user.create({
    data: { email, passwordHash: await hashPassword(password), verifiedAt: now, emailAddresses: { create: { address: email, verifiedAt: now } } },
  });
  return { id: user.id, email, password };
}

/** A logged-in page agent for a new verified user. */
export async function loggedInAgent(t: TestApp): Promise<{ agent: PageAgent; user: { id: string; email: string; password: string } }> {
  const user = await createUser(t.deps);
  const agent = new PageAgent(t.app);
  const res = await agent.post('/login', { email: user.email, password: user.password });
  if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return { agent, user };
}

/** A new verified user and a bearer token for them. */
export async function tokenUser(t: TestApp): Promise<{ user: { id: string; email: string }; token: string; auth: { authorization: string } }> {
  const user = await createUser(t.deps);
  const { token } = await createApiToken(t.deps.db, user.id, 'test');
  return { user, token, auth: { authorization: `Bearer ${token}` } };
}
