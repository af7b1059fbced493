/**
 * One error class and one closed list of codes for the whole product.
 * A code is a public contract (REST `code`/`type`, CLI `error[CODE]`, exit codes):
 * never rename or reuse one; deprecate it instead.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'NOT_FOUND',
  'MAILBOX_NOT_FOUND',
  'MAILBOX_EXISTS',
  'FOLDER_NOT_FOUND',
  'MESSAGE_NOT_FOUND',
  'MESSAGE_INVALID',
  'MESSAGE_TOO_LARGE',
  'RSG_NOT_FOUND',
  'RSG_NOT_MOUNTED',
  'RSG_READ_ONLY',
  'MERGE_NOT_FOUND',
  'MERGE_CONFLICT',
  'JOB_NOT_FOUND',
  'JOB_INVALID',
  'BLOB_MISSING',
  'SOURCE_CORRUPT',
  'SOURCE_NOT_FOUND',
  'DATABASE_NOT_FOUND',
  'DATABASE_EXISTS',
  'DATABASE_LOCKED',
  'DATABASE_VERSION_UNSUPPORTED',
  'LOG_CORRUPT',
  'BACKUP_CORRUPT',
  'BACKUP_NOT_FOUND',
  'BACKUP_EXISTS',
  'QUERY_INVALID',
  'SMTP_FAILED',
  'INTERNAL',
  'TOKEN_NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'METHOD_NOT_ALLOWED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Kebab-case form of a code, used in problem `type` URIs: MAILBOX_NOT_FOUND → mailbox-not-found. */
export function codeSlug(code: ErrorCode): string {
  return code.toLowerCase().replaceAll('_', '-');
}
