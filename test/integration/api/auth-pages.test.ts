/** Sign-up, verification, login (password and link), logout, reset: real DB, Redis, SMTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn } from '../../harness/smtp-capture.js';
import { buildTestApp, createUser, PageAgent, uniqueEmail, type TestApp } from './helper.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

function pathOf(link: string): string {
  const u = new URL(link);
  return u.pathname + u.search;
}

describe('sign-up and verification', () => {
  it('signs up, mails a link, verifies, then logs in with a rotated session', async () => {
    const agent = new PageAgent(t.app);
    const email = uniqueEmail('signup');
    const form = await agent.get('/signup');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<label for="f-email">');
    const res = await agent.post('/signup', { email, password: 'a long enough password' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/check-mail');
    const mail = await t.smtp.waitFor((m) => m.to.includes(email));
    expect(mail.subject).toContain('Confirm');

    const bad = await agent.post('/login', { email, password: 'a long enough password' });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('Confirm your e-mail address first');

    const verified = await agent.get(pathOf(linkIn(mail, '/verify-email')));
    expect(verified.statusCode).toBe(303);
    expect((await agent.get(pathOf(linkIn(mail, '/verify-email')))).statusCode).toBe(400); // single use

    const before = [...agent.cookies.values()][0];
    const login = await agent.post('/login', { email, password: 'a long enough password' });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/dashboard');
    const after = [...agent.cookies.values()][0];
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const user = await t.deps.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('names the field in validation errors, next to the field', async () => {
    const agent = new PageAgent(t.app);
    const res = await agent.post('/signup', { email: 'not-an-address', password: 'short' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="f-email-error">Enter an e-mail address/);
    expect(res.body).toMatch(/id="f-password-error">Use at least 10 characters/);
  });

  it('answers the same for an existing address and mails the owner instead', async () => {
    const user = await createUser(t.deps);
    const agent = new PageAgent(t.app);
    const res = await agent.post('/signup', { email: user.email, password: 'another long password' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/check-mail');
    const mail = await t.smtp.waitFor((m) => m.to.includes(user.email));
    expect(mail.subject).toContain('Sign-up attempt');
  });

  it('refuses a form without its CSRF token', async () => {
    const agent = new PageAgent(t.app);
    const res = await agent.post('/signup', { email: uniqueEmail(), password: 'a long enough password' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    const wrong = await agent.post('/signup', { email: uniqueEmail(), password: 'a long enough password' }, { csrf: 'x'.repeat(32) });
    expect(wrong.statusCode).toBe(403);
  });
});

describe('login and logout', () => {
  it('gives one message for a wrong password and an unknown address', async () => {
    const user = await createUser(t.deps);
    const agent = new PageAgent(t.app);
    const wrong = await agent.post('/login', { email: user.email, password: 'wrong password!' });
    const unknown = await agent.post('/login', { email: uniqueEmail('nobody'), password: 'wrong password!' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const msg = (b: string) => /role="alert">([^<]+)</.exec(b)?.[1];
    expect(msg(wrong.body)).toBe(msg(unknown.body));
  });

  it('destroys the session on the server at logout', async () => {
    const user = await createUser(t.deps);
    const agent = new PageAgent(t.app);
    await agent.post('/login', { email: user.email, password: user.password });
    const cookie = agent.cookieHeader;
    expect((await agent.get('/dashboard')).statusCode).toBe(200);
    const keys = await t.deps.redis.keys(`${t.deps.config.REDIS_PREFIX}:sess:*`);
    const out = await agent.post('/logout', {});
    expect(out.statusCode).toBe(303);
    expect((await t.deps.redis.keys(`${t.deps.config.REDIS_PREFIX}:sess:*`)).length).toBeLessThan(keys.length);
    // Replaying the old cookie gets nothing.
    const replay = await t.app.inject({ method: 'GET', url: '/dashboard', headers: { cookie, accept: 'text/html' } });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toMatch(/^\/login/);
  });

  it('logs in with a single-use e-mailed link', async () => {
    const user = await createUser(t.deps);
    const agent = new PageAgent(t.app);
    expect((await agent.post('/login/link/request', { email: user.email })).headers.location).toBe('/check-mail');
    const mail = await t.smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('login link'));
    const token = new URL(linkIn(mail, '/login/link')).searchParams.get('token') ?? '';
    const confirm = await agent.get(`/login/link?token=${token}`);
    expect(confirm.statusCode).toBe(200); // GET only shows a button
    const res = await agent.post('/login/link', { token });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard');
    const again = await new PageAgent(t.app).post('/login/link', { token });
    expect(again.statusCode).toBe(400);
  });

  it('resets a password through the mailed link, ending every other session of the account', async () => {
    const user = await createUser(t.deps);
    // Two browsers logged in before the reset (one of them, say, a thief's).
    const before = [new PageAgent(t.app), new PageAgent(t.app)];
    for (const b of before) expect((await b.post('/login', { email: user.email, password: user.password })).statusCode).toBe(303);
    for (const b of before) expect((await b.get('/dashboard')).statusCode).toBe(200);
    const agent = new PageAgent(t.app);
    expect((await agent.post('/forgot-password', { email: user.email })).statusCode).toBe(303);
    expect((await agent.post('/forgot-password', { email: uniqueEmail('ghost') })).headers.location).toBe('/check-mail');
    const mail = await t.smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('Reset'));
    const token = new URL(linkIn(mail, '/reset-password')).searchParams.get('token') ?? '';
    const short = await agent.post('/reset-password', { token, password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('id="f-password-error"');
    const ok = await agent.post('/reset-password', { token, password: 'my brand new password' });
    expect(ok.statusCode).toBe(303);
    // The resetting browser is logged in; the sessions from before the reset are not.
    expect((await agent.get('/dashboard')).statusCode).toBe(200);
    for (const b of before) {
      const res = await b.get('/dashboard');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toMatch(/^\/login/);
    }
    const login = await new PageAgent(t.app).post('/login', { email: user.email, password: 'my brand new password' });
    expect(login.statusCode).toBe(303);
    expect((await t.deps.db.auditEvent.findMany({ where: { userId: user.id, action: 'password.reset' } })).length).toBe(1);
  });

  it('logs out every other browser from the account page, keeping this one', async () => {
    const user = await createUser(t.deps);
    const [here, there] = [new PageAgent(t.app), new PageAgent(t.app)];
    for (const b of [here, there]) expect((await b.post('/login', { email: user.email, password: user.password })).statusCode).toBe(303);
    expect((await here.get('/account')).body).toContain('Log out everywhere else');
    const res = await here.post('/account/sessions/end', {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account');
    const page = await here.get('/account');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Every other session is logged out.');
    const gone = await there.get('/dashboard');
    expect(gone.statusCode).toBe(303);
    expect(gone.headers.location).toMatch(/^\/login/);
    // A new login afterwards is not affected.
    const again = new PageAgent(t.app);
    expect((await again.post('/login', { email: user.email, password: user.password })).statusCode).toBe(303);
    expect((await again.get('/dashboard')).statusCode).toBe(200);
    expect((await t.deps.db.auditEvent.findMany({ where: { userId: user.id, action: 'sessions.end' } })).length).toBe(1);
    // A visitor is sent to log in.
    const visitor = await new PageAgent(t.app).post('/account/sessions/end', {});
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/login/);
  });

  it('answers 429 after too many logins for one address', async () => {
    const user = await createUser(t.deps);
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await new PageAgent(t.app).post('/login', { email: user.email, password: 'wrong password!' })).statusCode;
    expect(last).toBe(429);
  });

  it('answers 429 after too many sign-ups from one address', async () => {
    const agent = new PageAgent(t.app);
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await agent.post('/signup', { email: uniqueEmail('flood'), password: 'a long enough password' })).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 303)).toBe(true);
    expect(codes[10]).toBe(429);
  });
});
