/**
 * Validation at the edge: `parse` reports every issue (not just the first) as
 * VALIDATION_FAILED with `errors: [{ where, path, message }]`, and the schemas shared by routers.
 */
import { z } from 'zod';
import { AppError } from '../src/errors.js';
import { MAX_CURSOR_CHARS } from '../src/lib/cursor.js';
import { MailboxAddress } from '../src/schemas.js';

export type Where = 'params' | 'query' | 'body';

export interface ValidationIssue {
  where: Where;
  path: string;
  message: string;
}

/** Parse `value` with `schema`, or throw VALIDATION_FAILED listing every issue. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: Where): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) {
    return r.data;
  }
  const errors: ValidationIssue[] = r.error.issues.map((i) => ({
    where,
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  throw new AppError(
    'VALIDATION_FAILED',
    `The request ${where === 'body' ? 'body' : where === 'query' ? 'query string' : 'path'} is not valid`,
    { errors },
  );
}

/** An id in a path: digits only (no signs, exponents, hex or spaces), a safe positive integer. */
export const PathId = z
  .string()
  .max(16)
  .regex(/^[1-9][0-9]*$/, 'a positive whole number')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'too large');

export const MailboxParams = z.object({ address: MailboxAddress });
export const ItemParams = z.object({ address: MailboxAddress, id: PathId });
export const IdParams = z.object({ id: PathId });

/** Page size and cursor of every list. */
export const PageQuery = z.object({
  cursor: z.string().min(1).max(MAX_CURSOR_CHARS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
