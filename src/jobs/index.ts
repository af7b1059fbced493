/**
 * ExMerge-style bulk merges: a job file (JSON or YAML) maps many source mailboxes to live
 * ones, with filters, folder mode, conflict policy and overrides; each mapping runs as a
 * merge job; the report is summary.json, summary.csv and items.csv.
 *
 * Invariants: a job file is validated whole before anything is written; a dry run writes
 * nothing to the live database; a resumed or repeated job handles each item at most once.
 */
export * from './job-file.js';
export * from './report.js';
export { jobsExtension, type BulkJobRow } from './schema.js';
export {
  getJobStatus,
  runJob,
  type JobDeps,
  type JobProgress,
  type JobStatus,
  type RunJobOptions,
} from './run.js';
