export * from './client.js';
export * from './migrations.js';
export * from './generated/client.js';
export * from './readiness.js';
