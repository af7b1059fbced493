import type { ErrorCode } from '../errors.js';

/** CLI exit codes (DESIGN.md "The CLI contract"). */
export const EXIT = { ok: 0, failure: 1, invalid: 2, notFound: 3, conflict: 4, partial: 5 } as const;

/** Every error code's exit code: a total map, so tsc flags a new code without one. */
export const EXIT_FOR: Record<ErrorCode, number> = {
  VALIDATION_FAILED: EXIT.invalid,
  UNAUTHORIZED: EXIT.invalid,
  FORBIDDEN: EXIT.invalid,
  RATE_LIMITED: EXIT.failure,
  NOT_FOUND: EXIT.notFound,
  MAILBOX_NOT_FOUND: EXIT.notFound,
  MAILBOX_EXISTS: EXIT.conflict,
  FOLDER_NOT_FOUND: EXIT.notFound,
  MESSAGE_NOT_FOUND: EXIT.notFound,
  MESSAGE_INVALID: EXIT.invalid,
  MESSAGE_TOO_LARGE: EXIT.invalid,
  RSG_NOT_FOUND: EXIT.notFound,
  RSG_NOT_MOUNTED: EXIT.conflict,
  RSG_READ_ONLY: EXIT.conflict,
  MERGE_NOT_FOUND: EXIT.notFound,
  MERGE_CONFLICT: EXIT.conflict,
  JOB_NOT_FOUND: EXIT.notFound,
  JOB_INVALID: EXIT.invalid,
  BLOB_MISSING: EXIT.failure,
  SOURCE_CORRUPT: EXIT.invalid,
  SOURCE_NOT_FOUND: EXIT.notFound,
  DATABASE_NOT_FOUND: EXIT.notFound,
  DATABASE_EXISTS: EXIT.conflict,
  DATABASE_LOCKED: EXIT.conflict,
  DATABASE_VERSION_UNSUPPORTED: EXIT.conflict,
  LOG_CORRUPT: EXIT.failure,
  BACKUP_CORRUPT: EXIT.invalid,
  BACKUP_NOT_FOUND: EXIT.notFound,
  BACKUP_EXISTS: EXIT.conflict,
  QUERY_INVALID: EXIT.invalid,
  SMTP_FAILED: EXIT.failure,
  INTERNAL: EXIT.failure,
  TOKEN_NOT_FOUND: EXIT.notFound,
  PAYLOAD_TOO_LARGE: EXIT.invalid,
  METHOD_NOT_ALLOWED: EXIT.invalid,
};
