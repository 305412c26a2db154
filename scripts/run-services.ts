/**
 * `npm start` (after the bootstrap): runs the API and the worker in the foreground, each line prefixed with
 * its process name and pino's JSON turned into one readable line. Ctrl-C / SIGTERM stop both; if one
 * exits, the other is stopped too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

export function formatLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, time, msg, pid: _pid, hostname: _h, app: _a, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${when} ${(LEVELS[Number(level)] ?? String(level)).padEnd(5)} ${String(msg ?? '')} ${fields}`.trimEnd();
  } catch {
    return line;
  }
}

export function startProcess(name: string, script: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, script)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${name.padEnd(6)} | ${formatLine(line)}\n`));
  }
  return child;
}

export async function runServices(children: Array<[string, string]>): Promise<number> {
  const procs = children.map(([name, script]) => startProcess(name, script));
  let exiting = false;
  const stopAll = (signal: NodeJS.Signals) => {
    exiting = true;
    for (const p of procs) if (p.exitCode === null) p.kill(signal);
  };
  process.on('SIGINT', () => stopAll('SIGTERM'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  const codes = await Promise.all(
    procs.map(
      (p, i) =>
        new Promise<number>((res) =>
          p.on('exit', (code) => {
            if (!exiting) {
              process.stdout.write(`${children[i]?.[0]} exited with code ${code}; stopping the others\n`);
              stopAll('SIGTERM');
            }
            res(code ?? 1);
          }),
        ),
    ),
  );
  return codes.every((c) => c === 0) && exiting ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runServices([
    ['api', 'apps/api/src/server.ts'],
    ['worker', 'apps/worker/src/main.ts'],
  ]).then((code) => process.exit(code));
}
