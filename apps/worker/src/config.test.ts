import { describe, expect, it } from 'vitest';
import { ConfigError } from '@sigwatch/config';
import { loadConfig, tileTailWaitMs } from './config.js';

function issues(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.variable);
    throw e;
  }
  return [];
}

describe('follow settings', () => {
  it('TILE_TAIL_WAIT_MS: blank waits one poll interval, 0 reads every tail at once', () => {
    expect(tileTailWaitMs(loadConfig({}))).toBe(1_000);
    expect(tileTailWaitMs(loadConfig({ POLL_INTERVAL_MS: '250', TILE_TAIL_WAIT_MS: '' }))).toBe(250);
    expect(tileTailWaitMs(loadConfig({ POLL_INTERVAL_MS: '250', TILE_TAIL_WAIT_MS: '0' }))).toBe(0);
    expect(tileTailWaitMs(loadConfig({ TILE_TAIL_WAIT_MS: '5000' }))).toBe(5_000);
    expect(issues({ TILE_TAIL_WAIT_MS: '-1' })).toEqual(['TILE_TAIL_WAIT_MS']);
    expect(issues({ TILE_TAIL_WAIT_MS: 'soon' })).toEqual(['TILE_TAIL_WAIT_MS']);
  });

  it('LOGS_REFRESH_INTERVAL_MS: five minutes by default, 0 = read the logs once', () => {
    expect(loadConfig({}).LOGS_REFRESH_INTERVAL_MS).toBe(300_000);
    expect(loadConfig({ LOGS_REFRESH_INTERVAL_MS: '0' }).LOGS_REFRESH_INTERVAL_MS).toBe(0);
    expect(issues({ LOGS_REFRESH_INTERVAL_MS: '1.5' })).toEqual(['LOGS_REFRESH_INTERVAL_MS']);
  });
});

describe('inbound mail settings', () => {
  it('MAIL_RETURN_PATH: blank means none; a plain address with a short local part; the inbound role is opt-in', () => {
    expect(loadConfig({}).MAIL_RETURN_PATH).toBeUndefined();
    expect(loadConfig({ MAIL_RETURN_PATH: ' ' }).MAIL_RETURN_PATH).toBeUndefined();
    expect(loadConfig({ MAIL_RETURN_PATH: 'bounces@sigwatch.example' }).MAIL_RETURN_PATH).toBe('bounces@sigwatch.example');
    for (const bad of ['Sigwatch <bounces@sigwatch.example>', 'a-local-part-too-long@x.example', 'bounces+x@sigwatch.example', 'nobody']) {
      expect(issues({ MAIL_RETURN_PATH: bad }), bad).toEqual(['MAIL_RETURN_PATH']);
    }
    expect(loadConfig({}).WORKER_ROLES).toEqual(['follow', 'match', 'deliver']);
    expect(loadConfig({ WORKER_ROLES: 'deliver,inbound' }).WORKER_ROLES).toEqual(['deliver', 'inbound']);
    expect(loadConfig({}).INBOUND_SMTP_PORT).toBe(2525);
    expect(issues({ WORKER_ROLES: 'deliver,mail' })).toEqual(['WORKER_ROLES']);
  });
});
