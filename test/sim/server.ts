/**
 * `startSimulator`: the three simulated logs (Rekor v1, Rekor v2 tiles, RFC 6962 CT) on one Fastify server,
 * each under its own prefix, plus the loopback control API. State lives in `dir` and survives restarts.
 *
 *   const sim = await startSimulator({ dir, port: 0 });
 *   await sim.append('rekor-v1', { count: 10, identity: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1' });
 *   sim.misbehave('rekor-v2', 'fork');  …  sim.misbehave('rekor-v2', null);
 *   await sim.close();
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { FulcioCa } from './ca.js';
import { loadOrCreateCa } from './ca-store.js';
import { EntryFactory, type LogKind } from './entry-factory.js';
import { deriveLogKeys, loadOrCreateMeta } from './state.js';
import { RekorV1Log, registerRekorV1 } from './rekor-v1.js';
import { RekorV2Log, registerRekorV2 } from './rekor-v2.js';
import { CtLog, registerCt } from './ct.js';
import { writeClientFiles, type SimLogs } from './trusted-root.js';
import { Appender, logOf, type AppendOptions } from './append.js';
import { misbehaveOptionsSchema, type MisbehaveMode, type MisbehaveOptions } from './misbehave.js';
import { RateLimiter } from './rate-limit.js';
import { registerControl } from './control.js';
import type { SimLog } from './sim-log.js';
import { Traffic } from './traffic.js';

export interface SimulatorOptions {
  /** State directory (created if missing). */
  dir: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed for keys, CA and identities of a NEW state dir (an existing dir keeps its own). */
  seed?: string | number;
  /** Host name used in checkpoint origins/key names (default: `host`, or 127.0.0.1 for wildcard hosts). */
  hostname?: string;
  /** CT get-entries cap (default 256). */
  maxGetEntries?: number;
  /** Steady traffic: entries per second appended to each log (default 0 = off). */
  rate?: number;
  /** Fastify request logging (default off). */
  logger?: boolean;
}

export interface ServedRequest {
  method: string;
  /** Path and query as requested, e.g. `/rekor-v2/tile/entries/001`. */
  url: string;
  status: number;
}

export interface RequestRecorder {
  readonly served: ServedRequest[];
  stop(): void;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly trustedRootPath: string;
  readonly logsJsonPath: string;
  readonly logs: SimLogs;
  readonly ca: FulcioCa;
  readonly app: FastifyInstance;
  /** Appends real entries; returns their indexes. `append(log, opts)` or `append({log, …})`. */
  append(log: LogKind | AppendOptions, opts?: Omit<AppendOptions, 'log'>): Promise<number[]>;
  /** Sets (`mode`) or clears (`null`) a misbehaviour of one log. */
  misbehave(log: LogKind, mode: MisbehaveMode | null, options?: MisbehaveOptions): void;
  /** Per-client request budget for all log routes; `null` = unlimited. */
  setRateLimit(perMinute: number | null): void;
  /** Rekor v1 shard rollover: the active tree becomes an inactive shard; returns the new tree ID. */
  rollover(): string;
  /** Records every response sent from now until `stop()` (tests count what a client fetched). */
  recordRequests(): RequestRecorder;
  state(): Record<string, unknown>;
  close(): Promise<void>;
}

function clientOf(req: FastifyRequest): string {
  const h = req.headers['x-sim-client'];
  return typeof h === 'string' && h !== '' ? h : (req.socket.remoteAddress ?? 'unknown');
}

/** Per-prefix hooks: rate limit, http-429, slow, malformed-json. */
function registerMisbehaviourHooks(app: FastifyInstance, log: SimLog, limiter: RateLimiter): void {
  app.addHook('onRequest', async (req, reply) => {
    const retry = limiter.check(clientOf(req));
    if (retry !== undefined) {
      return reply.code(429).header('retry-after', String(retry)).send({ code: 429, message: 'rate limit exceeded' });
    }
    const mb = log.misbehavior;
    if (mb?.mode === 'http-429' && log.gate.shouldThrottle(mb.options.fraction ?? 0.5)) {
      return reply.code(429).header('retry-after', String(mb.options.retryAfter ?? 1)).send({ code: 429, message: 'too many requests (simulated)' });
    }
    if (mb?.mode === 'slow') await new Promise((r) => setTimeout(r, mb.options.delayMs ?? 2000));
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!log.is('malformed-json') || reply.statusCode !== 200) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.includes('json') && !type.startsWith('text/')) return payload;
    const s = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (s === undefined) return payload;
    return s.slice(0, Math.max(1, Math.floor(s.length / 2)));
  });
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const hostname = options.hostname ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const meta = loadOrCreateMeta(options.dir, options.seed === undefined ? undefined : String(options.seed));
  const keys = await deriveLogKeys(meta.seed);
  const ca = await loadOrCreateCa(options.dir, meta.seed);
  const factory = await EntryFactory.create(ca, meta.seed, keys.ct);
  const logs: SimLogs = {
    rekorV1: new RekorV1Log(options.dir, meta, keys.rekorV1, keys.rogueRekorV1, factory, hostname),
    rekorV2: new RekorV2Log(options.dir, keys.rekorV2, keys.rogueRekorV2, factory, hostname),
    ct: new CtLog(options.dir, keys.ct, keys.rogueCt, factory, options.maxGetEntries ?? 256),
  };
  const appender = new Appender(logs, factory, Number.parseInt(meta.seed.slice(0, 8), 16) || 1);
  const limiter = new RateLimiter();

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 4 * 1024 * 1024 });
  const recorders = new Set<ServedRequest[]>();
  app.addHook('onResponse', async (req, reply) => {
    for (const served of recorders) served.push({ method: req.method, url: req.url, status: reply.statusCode });
  });
  // eslint-disable-next-line prefer-const -- assigned once the server listens; control routes read it per request
  let sim: Simulator;
  await app.register(async (scope) => {
    registerMisbehaviourHooks(scope, logs.rekorV1, limiter);
    registerRekorV1(scope, logs.rekorV1);
  }, { prefix: '/rekor-v1' });
  await app.register(async (scope) => {
    registerMisbehaviourHooks(scope, logs.rekorV2, limiter);
    registerRekorV2(scope, logs.rekorV2);
  }, { prefix: '/rekor-v2' });
  await app.register(async (scope) => {
    registerMisbehaviourHooks(scope, logs.ct, limiter);
    registerCt(scope, logs.ct);
  }, { prefix: '/ct' });
  await app.register(async (scope) => registerControl(scope, () => sim), { prefix: '/control' });

  await app.listen({ port: options.port ?? 0, host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : (options.port ?? 0);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  const files = writeClientFiles(options.dir, url, logs, ca);
  const traffic = new Traffic(appender, options.rate ?? 0);

  sim = {
    url,
    port,
    dir: options.dir,
    ...files,
    logs,
    ca,
    app,
    append: (log, opts) => appender.append(typeof log === 'string' ? { ...opts, log } : log),
    misbehave: (log, mode, opts = {}) => logOf(logs, log).setMisbehavior(mode, misbehaveOptionsSchema.parse(opts)),
    setRateLimit: (perMinute) => limiter.set(perMinute),
    rollover: () => {
      const id = logs.rekorV1.rollover();
      writeClientFiles(options.dir, url, logs, ca);
      return id;
    },
    recordRequests: () => {
      const served: ServedRequest[] = [];
      recorders.add(served);
      return { served, stop: () => recorders.delete(served) };
    },
    state: () => ({
      url,
      rateLimitPerMinute: limiter.perMinute,
      logs: {
        'rekor-v1': { origin: logs.rekorV1.origin(), shards: logs.rekorV1.shards.map((s) => ({ treeId: s.treeId, size: s.store.size })), misbehavior: logs.rekorV1.misbehavior },
        'rekor-v2': { origin: logs.rekorV2.origin, size: logs.rekorV2.store.size, misbehavior: logs.rekorV2.misbehavior },
        ct: { size: logs.ct.store.size, misbehavior: logs.ct.misbehavior },
      },
    }),
    close: async () => {
      traffic.stop();
      await app.close();
      for (const s of logs.rekorV1.shards) s.store.close();
      logs.rekorV2.store.close();
      logs.ct.store.close();
    },
  };
  traffic.start();
  return sim;
}
