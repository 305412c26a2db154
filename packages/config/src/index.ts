export * from './env.js';
export * from './common.js';
export * from './signed-token.js';
export * from './dkim.js';
