/**
 * Errors as RFC 9457 problem details (`application/problem+json`). The domain never picks an
 * HTTP status: this file owns a total map from every ErrorCode to a status and a fixed title.
 * Anything that is not an AppError becomes a generic 500 carrying the request id; its message
 * and stack go to the log only.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, type ErrorCode, codeSlug, isAppError } from '../src/errors.js';
import { stateOf } from './context.js';

/** The base of every problem `type` URI (RFC 4151 tag URI: stable, never dereferenced). */
export const PROBLEM_TYPE_BASE = 'tag:salvage,2026:problem/';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: ErrorCode): string {
  return PROBLEM_TYPE_BASE + codeSlug(code);
}

/** Every code's HTTP status and title: a total map, so tsc flags a new code without one. */
export const HTTP: Record<ErrorCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: 'Request is not valid' },
  UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Not allowed for this role' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  MAILBOX_NOT_FOUND: { status: 404, title: 'Mailbox not found' },
  MAILBOX_EXISTS: { status: 409, title: 'Mailbox already exists' },
  FOLDER_NOT_FOUND: { status: 404, title: 'Folder not found' },
  MESSAGE_NOT_FOUND: { status: 404, title: 'Item not found' },
  MESSAGE_INVALID: { status: 400, title: 'Not an RFC 5322 message' },
  MESSAGE_TOO_LARGE: { status: 413, title: 'Message too large' },
  RSG_NOT_FOUND: { status: 404, title: 'Recovery group not found' },
  RSG_NOT_MOUNTED: { status: 409, title: 'Recovery group not mounted' },
  RSG_READ_ONLY: { status: 409, title: 'Restored database is read-only' },
  MERGE_NOT_FOUND: { status: 404, title: 'Merge not found' },
  MERGE_CONFLICT: { status: 409, title: 'Merge conflict' },
  JOB_NOT_FOUND: { status: 404, title: 'Job not found' },
  JOB_INVALID: { status: 400, title: 'Job is not valid' },
  BLOB_MISSING: { status: 500, title: 'Stored message content is missing' },
  SOURCE_CORRUPT: { status: 422, title: 'Source is corrupt' },
  SOURCE_NOT_FOUND: { status: 404, title: 'Source not found' },
  DATABASE_NOT_FOUND: { status: 404, title: 'Database not found' },
  DATABASE_EXISTS: { status: 409, title: 'Database already exists' },
  DATABASE_LOCKED: { status: 409, title: 'Database is locked' },
  DATABASE_VERSION_UNSUPPORTED: { status: 409, title: 'Database schema version not supported' },
  LOG_CORRUPT: { status: 500, title: 'Transaction log is corrupt' },
  BACKUP_CORRUPT: { status: 422, title: 'Backup is corrupt' },
  BACKUP_NOT_FOUND: { status: 404, title: 'Backup not found' },
  BACKUP_EXISTS: { status: 409, title: 'Backup already exists' },
  QUERY_INVALID: { status: 400, title: 'Search query is not valid' },
  SMTP_FAILED: { status: 502, title: 'Mail server refused the message' },
  INTERNAL: { status: 500, title: 'Internal error' },
  TOKEN_NOT_FOUND: { status: 404, title: 'Token not found' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId: string;
  [extension: string]: unknown;
}

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId']);
const GENERIC_DETAIL = 'An unexpected error occurred; the request id identifies it in the server log';

/** Turn errors of Express and body-parser (http-errors with an exposable 4xx status) into AppErrors. */
function fromHttpError(err: unknown): AppError | undefined {
  if (!(err instanceof Error) || !('status' in err) || typeof err.status !== 'number') {
    return undefined;
  }
  const e = err as Error & { status: number; type?: string; expose?: boolean; limit?: number };
  if (e.type === 'entity.too.large') {
    return new AppError(
      'PAYLOAD_TOO_LARGE',
      `The request body is larger than the limit of ${e.limit} bytes`,
      {
        limit: e.limit,
      },
    );
  }
  if (e.type === 'entity.parse.failed') {
    return new AppError('VALIDATION_FAILED', 'The request body is not valid JSON', {
      errors: [{ where: 'body', path: '', message: 'malformed JSON' }],
    });
  }
  if (e instanceof URIError) {
    return new AppError('VALIDATION_FAILED', 'The request path has a malformed percent-encoding', {
      errors: [{ where: 'params', path: '', message: 'malformed percent-encoding' }],
    });
  }
  if (e.status >= 400 && e.status < 500 && e.expose !== false) {
    return new AppError('VALIDATION_FAILED', e.message, {
      errors: [{ where: 'body', path: '', message: e.message }],
    });
  }
  return undefined;
}

/** The request path as the client sent it (no query string): the problem's `instance`. */
export function instanceOf(req: Request): string {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Build the problem document of an error. 5xx details stay in the log. */
export function toProblem(err: unknown, instance: string, requestId: string): Problem {
  const e = isAppError(err) ? err : fromHttpError(err);
  const code: ErrorCode = e?.code ?? 'INTERNAL';
  const { status, title } = HTTP[code];
  const exposed = e !== undefined && status < 500;
  const extensions = exposed ? Object.entries(e.details).filter(([k]) => !RESERVED.has(k)) : [];
  return {
    type: problemType(code),
    title,
    status,
    detail: exposed ? e.message : GENERIC_DETAIL,
    instance,
    code,
    requestId,
    ...Object.fromEntries(extensions),
  };
}

/** Send a problem, with the headers its code calls for (Retry-After, Allow). */
export function sendProblem(res: Response, p: Problem): void {
  if (p.code === 'RATE_LIMITED' && typeof p.retryAfterSeconds === 'number') {
    res.set('Retry-After', String(p.retryAfterSeconds));
  }
  if (p.code === 'METHOD_NOT_ALLOWED' && Array.isArray(p.allow)) {
    res.set('Allow', p.allow.join(', '));
  }
  res.status(p.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(p));
}

/** The last middleware: every error becomes a problem; 4xx logged at debug, 5xx at error. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const requestId = stateOf(res).requestId;
    const p = toProblem(err, instanceOf(req), requestId);
    if (p.status >= 500) {
      logger.error({ err, requestId, code: p.code }, 'request failed');
    } else {
      logger.debug({ requestId, code: p.code, detail: p.detail }, 'request refused');
    }
    sendProblem(res, p);
  };
}
