/**
 * Starts what this process runs (WORKER_ROLES): followers, matcher, sender, inbound mail. Each role module registers
 * its BullMQ workers through the registry and returns a stop function.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '@sigwatch/db';
import type { WorkerConfig } from './config.js';
import type { WorkerRegistry } from './workers.js';
import { trustedRootSource, type TrustedRootSource } from './logs/trusted-root-source.js';
import { startDeliverRole } from './deliver/role.js';
import { startFollowRole } from './follow/role.js';
import { startInboundRole } from './inbound/role.js';
import { startMatchRole } from './match/role.js';

export interface RoleDeps {
  config: WorkerConfig;
  db: Db;
  redis: Redis;
  workers: WorkerRegistry;
  log: Logger;
  /** Where the follow and match roles get the trusted root: one per process (startRoles makes it when absent). */
  trustedRoot?: TrustedRootSource;
}

export interface RunningRoles {
  stop(): Promise<void>;
}

export async function startRoles(given: RoleDeps): Promise<RunningRoles> {
  const roles = given.config.WORKER_ROLES;
  const needsRoot = roles.includes('follow') || roles.includes('match');
  const deps = needsRoot && given.trustedRoot === undefined ? { ...given, trustedRoot: trustedRootSource(given.config, given.log) } : given;
  const stops: Array<() => Promise<void>> = [];
  if (deps.config.WORKER_ROLES.includes('match')) stops.push(await startMatchRole(deps));
  if (deps.config.WORKER_ROLES.includes('follow')) stops.push(await startFollowRole(deps));
  deps.log.debug({ roles: deps.config.WORKER_ROLES }, 'starting roles');
  if (deps.config.WORKER_ROLES.includes('deliver')) stops.push(await startDeliverRole(deps));
  if (deps.config.WORKER_ROLES.includes('inbound')) stops.push(await startInboundRole(deps));
  return {
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
