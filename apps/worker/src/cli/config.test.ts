/**
 * `sigwatch config check` as a user runs it (a child process with its own environment): a valid setup
 * prints the effective configuration with secrets redacted and exits 0; a bad one lists every problem by
 * app and variable and exits 1 — the DKIM key file included, which is read and checked as at start.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../../test/harness/paths.js';

const exec = promisify(execFile);
const BASE = { PATH: process.env['PATH'] ?? '', SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!', MAIL_FROM: 'Sigwatch <alerts@sigwatch.example>' };

async function check(env: Record<string, string>): Promise<{ code: number; out: Record<string, unknown> }> {
  try {
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'apps/worker/src/cli/main.ts', 'config', 'check'], { cwd: repoRoot, env: { ...BASE, ...env } });
    return { code: 0, out: JSON.parse(stdout) as Record<string, unknown> };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: JSON.parse(err.stdout) as Record<string, unknown> };
  }
}

describe('sigwatch config check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigwatch-config-'));
  const key = join(dir, 'dkim.pem');
  writeFileSync(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));

  it('accepts a valid setup with DKIM and redacts the secrets', async () => {
    const { code, out } = await check({ DKIM_SELECTOR: 'sw1', DKIM_PRIVATE_KEY_FILE: key });
    expect(code).toBe(0);
    expect(out['ok']).toBe(true);
    expect(out['api']).toMatchObject({ DKIM_SELECTOR: 'sw1', DKIM_PRIVATE_KEY_FILE: key });
    expect(JSON.stringify(out)).not.toContain(BASE.SESSION_SECRET);
  });

  it('shows where the trusted root comes from, and refuses a TUF mirror without its first root.json', async () => {
    expect((await check({})).out['worker']).toMatchObject({ trustedRootFrom: 'TUF https://tuf-repo-cdn.sigstore.dev' });
    expect((await check({ SIGWATCH_TUF_MIRROR: 'off' })).out['worker']).toMatchObject({ trustedRootFrom: 'the root embedded in @sigstore/tuf' });
    const custom = await check({ SIGWATCH_TUF_MIRROR: 'https://tuf.example.org' });
    expect(custom.code).toBe(1);
    expect(custom.out['problems']).toEqual([{ app: 'worker', variable: 'SIGWATCH_TUF_ROOT', message: expect.stringMatching(/set SIGWATCH_TUF_ROOT to that repository's first root.json/) }]);
    const bad = await check({ SIGWATCH_TUF_MIRROR: 'ftp://tuf.example.org' });
    expect(bad.out['problems']).toEqual([{ app: 'worker', variable: 'SIGWATCH_TUF_MIRROR', message: 'must be off or an http(s) URL' }]);
  });

  it("checks the inbound role's STARTTLS pair as at start, naming the variable", async () => {
    const pem = join(dir, 'not-a-cert.pem');
    writeFileSync(pem, 'neither a certificate nor a key\n');
    const half = await check({ INBOUND_TLS_KEY_FILE: key });
    expect(half.code).toBe(1);
    expect(half.out['problems']).toEqual([expect.objectContaining({ app: 'worker', variable: 'INBOUND_TLS_CERT_FILE', message: expect.stringMatching(/needs both/) })]);
    const bad = await check({ INBOUND_TLS_CERT_FILE: pem, INBOUND_TLS_KEY_FILE: key });
    expect(bad.out['problems']).toEqual([expect.objectContaining({ variable: 'INBOUND_TLS_CERT_FILE', message: expect.stringMatching(/not a PEM certificate/) })]);
  });

  it('names the DKIM problem for both apps, from the key file itself', async () => {
    const notAKey = join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'not a key');
    const { code, out } = await check({ DKIM_SELECTOR: 'sw1', DKIM_PRIVATE_KEY_FILE: notAKey });
    expect(code).toBe(1);
    expect(out).toMatchObject({ ok: false, code: 'INVALID_CONFIG' });
    const problems = out['problems'] as Array<{ app: string; variable: string; message: string }>;
    expect(problems.map((p) => `${p.app} ${p.variable}`).sort()).toEqual(['api DKIM_PRIVATE_KEY_FILE', 'worker DKIM_PRIVATE_KEY_FILE']);
    expect(problems[0]?.message).toMatch(/is not a PEM private key/);
  });
});
