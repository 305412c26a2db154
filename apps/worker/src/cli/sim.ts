/**
 * `sigwatch sim --port <n> --dir <state dir> [--seed <s>] [--rate <entries/s>] [--host <addr>] [--max-get-entries <n>]`
 *
 * Runs the log simulator (test/sim: Rekor v1, Rekor v2 tiles, RFC 6962 CT on one port) until SIGINT/SIGTERM.
 * When listening it prints one JSON line: {"ok":true,"url":…,"dir":…,"logs":…,"trustedRoot":…}; `logs` is the
 * path of logs.json (the worker's SIGWATCH_LOGS).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';

const USAGE = 'usage: sigwatch sim --port <n> --dir <state dir> [--seed <s>] [--rate <entries/s>] [--host <addr>] [--max-get-entries <n>]';

function fail(message: string): number {
  process.stdout.write(JSON.stringify({ ok: false, code: 'USAGE', message: `${message}\n${USAGE}` }) + '\n');
  return 2;
}

export async function run(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        dir: { type: 'string' },
        seed: { type: 'string' },
        rate: { type: 'string' },
        host: { type: 'string' },
        'max-get-entries': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const port = Number(values['port'] ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail('--port must be an integer 0–65535');
  if (typeof values['dir'] !== 'string' || values['dir'] === '') return fail('--dir is required');
  const rate = Number(values['rate'] ?? '0');
  if (!Number.isFinite(rate) || rate < 0 || rate > 10_000) return fail('--rate must be a number 0–10000 (entries/s per log)');
  const maxGetEntries = Number(values['max-get-entries'] ?? '256');
  if (!Number.isInteger(maxGetEntries) || maxGetEntries < 1) return fail('--max-get-entries must be a positive integer');

  const { startSimulator } = await import('../../../../test/sim/server.js');
  const dir = resolve(values['dir']);
  const sim = await startSimulator({
    dir,
    port,
    rate,
    maxGetEntries,
    ...(typeof values['host'] === 'string' ? { host: values['host'] } : {}),
    ...(typeof values['seed'] === 'string' ? { seed: values['seed'] } : {}),
  });
  process.stdout.write(JSON.stringify({ ok: true, pid: process.pid, url: sim.url, dir, logs: sim.logsJsonPath, trustedRoot: sim.trustedRootPath }) + '\n');
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
  return 0;
}
