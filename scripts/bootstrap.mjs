#!/usr/bin/env node
// The two commands of the README (`npm start`, `npm test`, and `npm run demo`) start here. Plain Node, no
// dependencies: it must run on a fresh clone. It installs pnpm if missing, installs dependencies from the
// lockfile, makes sure PostgreSQL and Redis are reachable (running ones on localhost; else `docker compose`
// where a Docker engine runs; else, as root on Debian, apt), creates the database, applies migrations,
// generates the Prisma client, then starts the service, runs the tests or starts the demo.
// A missing prerequisite ends with one sentence saying what to do, never a stack trace.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '12.21.0';
const mode = process.argv[2] ?? 'start';
const quiet = process.env.CI === 'true';

class Stop extends Error {}
const say = (msg) => process.stderr.write(`[sigwatch] ${msg}\n`);
const fail = (msg) => {
  throw new Stop(msg);
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: opts.capture ? 'pipe' : 'inherit', encoding: 'utf8', env: opts.env ?? process.env });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '', error: r.error };
}
const has = (cmd) => run('sh', ['-c', `command -v ${cmd}`], { capture: true }).ok;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function loadDotEnv() {
  const file = resolve(root, '.env');
  if (!existsSync(file) && process.env.SESSION_SECRET === undefined) {
    // First start (gopherwatch genconf): a working local configuration with a random session secret.
    const example = readFileSync(resolve(root, '.env.example'), 'utf8');
    writeFileSync(file, example.replace(/^SESSION_SECRET=$/m, `SESSION_SECRET=${randomBytes(32).toString('base64url')}`), { mode: 0o600 });
    say('wrote .env from .env.example with a random SESSION_SECRET');
  }
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    const value = m[2].replace(/^(['"])(.*)\1$/, '$2');
    if (process.env[m[1]] === undefined) process.env[m[1]] = value;
  }
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: install Node 20.19 or newer and run this again.`);
}

function ensurePnpm() {
  const v = run('pnpm', ['--version'], { capture: true });
  if (v.ok && v.stdout.trim() === PNPM_VERSION) return ['pnpm'];
  say(`installing pnpm ${PNPM_VERSION} …`);
  if (run('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`], { capture: quiet }).ok) {
    const again = run('pnpm', ['--version'], { capture: true });
    if (again.ok && again.stdout.trim() === PNPM_VERSION) return ['pnpm'];
  }
  // No permission for a global install: run it through npx instead.
  if (run('npx', ['--yes', `pnpm@${PNPM_VERSION}`, '--version'], { capture: true }).ok) return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
  fail(`could not install pnpm ${PNPM_VERSION}: run "npm install -g pnpm@${PNPM_VERSION}" and try again.`);
}

function pnpm(pn, args, opts) {
  return run(pn[0], [...pn.slice(1), ...args], opts);
}

function installDependencies(pn) {
  const stamp = resolve(root, 'node_modules', '.sigwatch-lock-hash');
  const lock = readFileSync(resolve(root, 'pnpm-lock.yaml'));
  const hash = createHash('sha256').update(lock).update(process.version).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  say('installing dependencies (pnpm install --frozen-lockfile) …');
  if (!pnpm(pn, ['install', '--frozen-lockfile'], { capture: quiet }).ok) fail('dependency installation failed: check that the npm registry is reachable, then run this again.');
  writeFileSync(stamp, hash);
}

function probe(host, port, timeoutMs = 1500) {
  return new Promise((res) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      res(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 2; i++) {
    if (await probe(host, port)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

const hostPort = (url, fallbackPort) => {
  const u = new URL(url);
  return { host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, port: Number(u.port || fallbackPort) };
};

async function ensureServices() {
  const pg = hostPort(process.env.DATABASE_URL, 5432);
  const redis = hostPort(process.env.REDIS_URL, 6379);
  let pgUp = await probe(pg.host, pg.port);
  let redisUp = await probe(redis.host, redis.port);
  if (pgUp && redisUp) return;
  const local = (h) => h === '127.0.0.1' || h === '::1';
  if (!local(pg.host) && !pgUp) fail(`PostgreSQL at ${pg.host}:${pg.port} is not reachable: start it or fix DATABASE_URL.`);
  if (!local(redis.host) && !redisUp) fail(`Redis at ${redis.host}:${redis.port} is not reachable: start it or fix REDIS_URL.`);

  if (has('docker') && run('docker', ['info'], { capture: true }).ok) {
    say('starting PostgreSQL and Redis with docker compose …');
    run('docker', ['compose', 'up', '-d', 'postgres', 'redis'], { capture: quiet });
  } else if (isRoot && has('apt-get')) {
    // Debian, as root: install the services from apt when missing, then start them.
    if (!pgUp) {
      if (!has('pg_ctlcluster')) {
        say('installing PostgreSQL with apt …');
        run('apt-get', ['update'], { capture: true });
        if (!run('apt-get', ['install', '-y', 'postgresql'], { capture: quiet, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).ok) fail('apt-get could not install postgresql: install PostgreSQL yourself and run this again.');
        configureTrustAuth();
      }
      const version = run('sh', ['-c', 'ls /etc/postgresql | sort -n | tail -1'], { capture: true }).out.trim();
      run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { capture: true });
    }
    if (!redisUp) {
      if (!has('redis-server')) {
        say('installing Redis with apt …');
        run('apt-get', ['update'], { capture: true });
        if (!run('apt-get', ['install', '-y', 'redis-server'], { capture: quiet, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).ok) fail('apt-get could not install redis-server: install Redis yourself and run this again.');
      }
      run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(redis.port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { capture: true });
    }
  } else {
    fail(`PostgreSQL (${pgUp ? 'up' : 'down'}) and Redis (${redisUp ? 'up' : 'down'}) must both run on localhost: start them (or run "docker compose up -d postgres redis"), then run this again.`);
  }
  pgUp = await waitFor(pg.host, pg.port, 60);
  redisUp = await waitFor(redis.host, redis.port, 30);
  if (!pgUp) fail(`PostgreSQL did not come up on ${pg.host}:${pg.port}: start it yourself and run this again.`);
  if (!redisUp) fail(`Redis did not come up on ${redis.host}:${redis.port}: start it yourself and run this again.`);
}

// A fresh apt install of PostgreSQL allows only peer login; the default DATABASE_URL logs in as
// postgres over TCP without a password (development machines only).
function configureTrustAuth() {
  const hba = run('sh', ['-c', 'ls /etc/postgresql/*/main/pg_hba.conf | tail -1'], { capture: true }).out.trim();
  if (!hba) return;
  run('sh', ['-c', `sed -i -E 's/^(host\\s+all\\s+all\\s+(127\\.0\\.0\\.1\\/32|::1\\/128)\\s+)\\S+/\\1trust/' ${hba}`], { capture: true });
}

async function ensureDatabase(pn) {
  // Create the database when missing (pg is installed by now).
  const r = run(process.execPath, [resolve(root, 'scripts', 'ensure-database.mjs')], { capture: true });
  if (!r.ok) fail(`could not create the database: ${r.out.trim().split('\n').pop()}`);
  // Generate the Prisma client when the schema changed since the last generation.
  const schema = readFileSync(resolve(root, 'prisma', 'schema.prisma'));
  const stampDir = resolve(root, 'packages', 'db', 'src', 'generated');
  const stamp = resolve(stampDir, '.schema-hash');
  const hash = createHash('sha256').update(schema).digest('hex');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
    say('generating the Prisma client …');
    if (!pnpm(pn, ['exec', 'prisma', 'generate'], { capture: true }).ok) fail('prisma generate failed: run "pnpm exec prisma generate" to see why.');
    mkdirSync(stampDir, { recursive: true });
    writeFileSync(stamp, hash);
  }
  const status = run(process.execPath, [resolve(root, 'scripts', 'ensure-database.mjs'), '--pending'], { capture: true });
  if (status.out.trim() !== '0') {
    say('applying database migrations …');
    const m = pnpm(pn, ['exec', 'prisma', 'migrate', 'deploy'], { capture: true });
    if (!m.ok) fail(`database migration failed: ${m.out.trim().split('\n').slice(-3).join(' ')}`);
  }
}

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (isRoot && has('apt-get')) {
    say('installing Debian chromium for the browser tests …');
    run('apt-get', ['update'], { capture: true });
    if (run('apt-get', ['install', '-y', 'chromium'], { capture: quiet, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).ok) return;
  }
  fail('the browser tests need Debian\'s chromium at /usr/bin/chromium: run "apt-get install -y chromium" as root, then run this again.');
}

async function main() {
  checkNode();
  loadDotEnv();
  process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/sigwatch';
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  const pn = ensurePnpm();
  installDependencies(pn);
  await ensureServices();
  await ensureDatabase(pn);
  if (mode === 'test') {
    ensureChromium();
    say('type-checking …');
    if (!pnpm(pn, ['run', '--silent', 'typecheck']).ok) return 1;
    const r = pnpm(pn, ['exec', 'vitest', 'run', ...process.argv.slice(3)]);
    return r.ok ? 0 : 1;
  }
  const script = mode === 'demo' ? 'scripts/demo.ts' : 'scripts/run-services.ts';
  const child = spawn(pn[0], [...pn.slice(1), 'exec', 'tsx', script, ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  return await new Promise((res) => child.on('exit', (code) => res(code ?? 0)));
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof Stop) {
      say(err.message);
      process.exit(1);
    }
    say(`unexpected failure: ${err?.message ?? err}`);
    process.exit(1);
  },
);
