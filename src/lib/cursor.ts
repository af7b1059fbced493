/**
 * Opaque page cursors: a list's keyset position, tagged with the list's kind so that a cursor
 * of one list is refused by another. Clients must treat them as opaque strings.
 */
import { AppError } from '../errors.js';

/** Longest cursor accepted, in characters: keeps hostile input cheap to refuse. */
export const MAX_CURSOR_CHARS = 512;

const PREFIX = 'c1.';

/** Encode a keyset position (JSON-serialisable) for the list named `kind`. */
export function encodeCursor(kind: string, key: unknown): string {
  return PREFIX + Buffer.from(JSON.stringify([kind, key]), 'utf8').toString('base64url');
}

/**
 * Decode a cursor made by `encodeCursor(kind, …)`; `check` narrows the key's shape.
 * @throws VALIDATION_FAILED (where: query, path: cursor) when it is not such a cursor
 */
export function decodeCursor<T>(kind: string, cursor: string, check: (key: unknown) => key is T): T {
  const bad = (): AppError =>
    new AppError('VALIDATION_FAILED', 'The cursor is not valid for this list', {
      errors: [{ where: 'query', path: 'cursor', message: 'not a cursor of this list' }],
    });
  if (cursor.length > MAX_CURSOR_CHARS || !cursor.startsWith(PREFIX)) {
    throw bad();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    // a cursor that is not base64url JSON is simply not one of ours
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== kind || !check(parsed[1])) {
    throw bad();
  }
  return parsed[1];
}

/** A page of a list: its items and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The page of a list read with one row more than `limit` (that look-ahead row says whether a
 * next page exists): the first `limit` rows, and a cursor of the last of them when more follow.
 */
export function pageOf<T>(rows: T[], limit: number, kind: string, keyOf: (last: T) => unknown): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(kind, keyOf(last)) : null,
  };
}

/** True when `v` is a finite integer (cursor key checks). */
export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}
