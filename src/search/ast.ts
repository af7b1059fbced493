/**
 * The typed AST of the query language (see README.md in this directory). Every node keeps
 * the span of the query text it came from: [start, end) in UTF-16 code units.
 */
import type { DateValue } from './dates.js';

export interface Span {
  start: number;
  end: number;
}

/** Fields a word or phrase can be restricted to; 'any' = every text field (free words). */
export type TextField =
  'any' | 'from' | 'to' | 'cc' | 'bcc' | 'participants' | 'subject' | 'body' | 'attachment';

export type CompareOp = '=' | '<' | '<=' | '>' | '>=';

export type FlagName = 'hasattachment' | 'isread' | 'isflagged' | 'isdeleted';

export type QueryAst =
  | { type: 'and'; items: QueryAst[]; span: Span }
  | { type: 'or'; items: QueryAst[]; span: Span }
  | { type: 'not'; item: QueryAst; span: Span }
  /** word: stemmed; phrase: exact words in order; prefix: words starting with value */
  | { type: 'text'; field: TextField; match: 'word' | 'phrase' | 'prefix'; value: string; span: Span }
  | { type: 'date'; field: 'received' | 'sent'; op: CompareOp; value: DateValue; span: Span }
  | {
      type: 'dateRange';
      field: 'received' | 'sent';
      from: DateValue | null;
      to: DateValue | null;
      span: Span;
    }
  | { type: 'size'; op: CompareOp; bytes: number; span: Span }
  | { type: 'sizeRange'; min: number | null; max: number | null; span: Span }
  | { type: 'flag'; flag: FlagName; value: boolean; span: Span }
  | { type: 'folder'; path: string; span: Span }
  | { type: 'mailbox'; address: string; span: Span };

type PropertyKind =
  | { kind: 'text'; field: Exclude<TextField, 'any'> }
  | { kind: 'date'; field: 'received' | 'sent' }
  | { kind: 'size' }
  | { kind: 'flag'; flag: FlagName }
  | { kind: 'folder' }
  | { kind: 'mailbox' };

/** Property names (lower case) and what they restrict. `date` is an alias of `sent` (notmuch). */
const PROPERTIES: Readonly<Record<string, PropertyKind>> = {
  from: { kind: 'text', field: 'from' },
  to: { kind: 'text', field: 'to' },
  cc: { kind: 'text', field: 'cc' },
  bcc: { kind: 'text', field: 'bcc' },
  participants: { kind: 'text', field: 'participants' },
  subject: { kind: 'text', field: 'subject' },
  body: { kind: 'text', field: 'body' },
  attachment: { kind: 'text', field: 'attachment' },
  attachments: { kind: 'text', field: 'attachment' },
  received: { kind: 'date', field: 'received' },
  sent: { kind: 'date', field: 'sent' },
  date: { kind: 'date', field: 'sent' },
  size: { kind: 'size' },
  hasattachment: { kind: 'flag', flag: 'hasattachment' },
  hasattachments: { kind: 'flag', flag: 'hasattachment' },
  isread: { kind: 'flag', flag: 'isread' },
  isflagged: { kind: 'flag', flag: 'isflagged' },
  isdeleted: { kind: 'flag', flag: 'isdeleted' },
  folder: { kind: 'folder' },
  mailbox: { kind: 'mailbox' },
};

/** The property called `name` (any case), or undefined. */
export function findProperty(name: string): PropertyKind | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(PROPERTIES, key) ? PROPERTIES[key] : undefined;
}
