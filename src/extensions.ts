/**
 * Every module that keeps tables and operations of its own in the live database. Whoever opens
 * the live database (the service, the CLI) passes this list, so that replay knows every operation.
 */
import { AUDIT_EXTENSION } from './audit/index.js';
import { AUTH_EXTENSION } from './auth/index.js';
import { jobsExtension } from './jobs/index.js';
import { mergeExtension } from './merge/index.js';
import type { StoreExtension } from './store/index.js';

export const LIVE_EXTENSIONS: readonly StoreExtension[] = [
  AUTH_EXTENSION,
  AUDIT_EXTENSION,
  mergeExtension,
  jobsExtension,
];
