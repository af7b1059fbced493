/**
 * Shared zod atoms, so the API, the CLI and the readers agree on what a mailbox address,
 * a folder path or an id is.
 */
import { z } from 'zod';

/** A mailbox name: an e-mail address, or a plain name from a dump (`beck-s`). No slashes, no NUL. */
export const MailboxAddress = z
  .string()
  .min(1)
  .max(254)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._%+\-@]*$/, 'a mailbox address: letters, digits and . _ % + - @');

/**
 * A mailbox of a recovery group, named as its source named it: an address, or the directory or
 * file name of a dump (`beck-s`, `Local Folders`). Printable, no '/' or '\', not '.' or '..'.
 */
export const RsgMailboxName = z
  .string()
  .min(1)
  .max(254)
  .refine(
    (n) => ![...n].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f'),
    'a mailbox name without control characters',
  )
  .refine((n) => !/[/\\]/.test(n), 'a mailbox name without / or \\')
  .refine((n) => n !== '.' && n !== '..', "a mailbox name other than '.' or '..'");

/** A '/'-separated folder path: no empty, '.' or '..' segments, no control characters. */
export const FolderPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => ![...p].some((c) => c.charCodeAt(0) < 0x20), 'no control characters')
  .refine(
    (p) => p.split('/').every((s) => s.trim() !== '' && s !== '.' && s !== '..'),
    "no empty, '.' or '..' segments",
  );

export const ItemId = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const RetentionDays = z.coerce.number().int().min(0).max(36_500);
