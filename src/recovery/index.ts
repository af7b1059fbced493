/**
 * The recovery side for the edges (REST, web): recovery groups (mount, browse, preview,
 * search, export, send) and merges and bulk jobs, authorised and audited. The domain work is
 * in src/rsg, src/search, src/merge, src/jobs and src/export; this module decides who may do
 * it and records that they did.
 */
export { RecoveryService, type SendRequest } from './recovery-service.js';
export { MergeService } from './merge-service.js';
export { buildRecovery } from './build.js';
