/**
 * Every module that keeps tables and operations of its own in the live database. Whoever opens
 * the live database (the service, the CLI) passes this list, so that replay knows every operation.
 */
import type { StoreExtension } from './store/index.js';

export const LIVE_EXTENSIONS: readonly StoreExtension[] = [];
