import { describe, expect, it } from 'vitest';
import { ConfigError } from '@sigwatch/config';
import { loadConfig } from './config.js';
import { loadConfig as loadWorkerConfig } from '../../worker/src/config.js';

const good = { SESSION_SECRET: 'x'.repeat(40) };

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => i.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('API config', () => {
  it('accepts defaults with only SESSION_SECRET set, and treats blank as unset', () => {
    const c = loadConfig({ ...good, PORT: '', WEBHOOK_ALLOW_PRIVATE: '' });
    expect(c.PORT).toBe(8080);
    expect(c.WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(c.SIGWATCH_LOGS).toBe('public-good');
    expect(c.DATABASE_URL).toMatch(/^postgresql:/);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every bad variable at once', () => {
    const bad = {
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'not a url',
      SMTP_URL: 'http://mail',
      MAIL_FROM: 'nobody',
      PUBLIC_URL: 'ftp://x',
      PORT: '70000',
      SESSION_SECRET: 'short',
      WEBHOOK_ALLOW_PRIVATE: 'maybe',
    };
    expect(issuesOf(() => loadConfig(bad)).sort()).toEqual(Object.keys(bad).sort());
  });

  it('reports a missing SESSION_SECRET as required, with what to do', () => {
    try {
      loadConfig({});
      throw new Error('expected failure');
    } catch (e) {
      expect((e as ConfigError).message).toContain('SESSION_SECRET: is required');
    }
  });

  it('parses booleans the documented ways', () => {
    for (const [raw, want] of [['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['no', false]] as const) {
      expect(loadConfig({ ...good, WEBHOOK_ALLOW_PRIVATE: raw }).WEBHOOK_ALLOW_PRIVATE).toBe(want);
    }
  });
});

describe('worker config', () => {
  it('parses roles and names bad worker variables', () => {
    expect(loadWorkerConfig({ WORKER_ROLES: 'match, deliver' }).WORKER_ROLES).toEqual(['match', 'deliver']);
    expect(issuesOf(() => loadWorkerConfig({ WORKER_ROLES: 'dance', POLL_INTERVAL_MS: '5', WORKER_PORT: 'x' })).sort()).toEqual(
      ['POLL_INTERVAL_MS', 'WORKER_PORT', 'WORKER_ROLES'].sort(),
    );
  });
});

describe('.env.example', () => {
  it('is a valid configuration for both apps once SESSION_SECRET is filled in (blank values mean defaults)', async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const text = readFileSync(fileURLToPath(new URL('../../../.env.example', import.meta.url)), 'utf8');
    const env: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
      if (m) env[m[1] as string] = m[2] as string;
    }
    expect(Object.keys(env)).toContain('SIGWATCH_TRUSTED_ROOT');
    env['SESSION_SECRET'] = 'x'.repeat(40);
    const api = loadConfig(env);
    expect(api.SIGWATCH_TRUSTED_ROOT).toBeUndefined();
    expect(loadWorkerConfig(env).SIGWATCH_LOGS).toBe('public-good');
  });
});
