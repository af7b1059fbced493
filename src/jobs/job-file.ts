/**
 * The bulk-merge job file (JSON or YAML): validated with zod, every problem reported with its
 * path, refused before anything is written. See samples/jobs/dial-tone.yaml for a commented example.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { MailboxAddress, RsgMailboxName } from '../schemas.js';

/** A calendar day as YYYY-MM-DD (2001-02-30 is refused: the search language could not use it). */
const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00Z`);
    return !/^\d{4}-\d{2}-\d{2}$/.test(s) || (!Number.isNaN(t) && new Date(t).toISOString().startsWith(s));
  }, 'a date as YYYY-MM-DD that exists');
const Range = z.object({ from: IsoDay.optional(), to: IsoDay.optional() }).strict();
const Folder = z.string().min(1).max(1024);

export const JobDocument = z
  .object({
    source: z.union(
      [
        z
          .object({
            rsg: z
              .string({
                error: (iss) =>
                  typeof iss.input === 'number'
                    ? 'an RSG id, as text: quote it (YAML reads an id like 123e4567 as a number)'
                    : undefined,
              })
              .regex(/^[a-z0-9]{4,32}$/, 'an RSG id'),
          })
          .strict(),
        z
          .object({
            mount: z
              .object({
                source: z.enum(['backup', 'database', 'maildir', 'eml-tree', 'mbox', 'pst']),
                path: z.string().min(1),
                label: z.string().min(1).max(200).optional(),
                mailbox: RsgMailboxName.optional(),
                until: z.string().optional(),
              })
              .strict(),
          })
          .strict(),
      ],
      { error: 'either rsg (the id of a mounted recovery group) or mount (a source to mount), not both' },
    ),
    mailboxes: z
      .union([
        z.literal('all'),
        z.array(z.object({ from: RsgMailboxName, to: MailboxAddress }).strict()).min(1),
      ])
      .optional(),
    mailboxListFile: z.string().min(1).optional(),
    createMissingMailboxes: z.boolean().default(false),
    filters: z
      .object({
        received: Range.optional(),
        sent: Range.optional(),
        subjectKeywords: z.array(z.string().min(1)).optional(),
        senders: z.array(z.string().min(1)).optional(),
        recipients: z.array(z.string().min(1)).optional(),
        attachmentNames: z.array(z.string().min(1)).optional(),
        includeFolders: z.array(Folder).optional(),
        excludeFolders: z.array(Folder).optional(),
        query: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    folders: z.enum(['original', 'recovered']).default('original'),
    conflict: z.enum(['skip', 'keep-both', 'update']).default('skip'),
    overrides: z
      .object({
        expired: z.boolean().optional(),
        deletedSinceBackup: z.boolean().optional(),
        purged: z.boolean().optional(),
      })
      .strict()
      .default({}),
    badItemLimit: z.number().int().min(0).default(0),
    concurrency: z.number().int().min(1).max(64).optional(),
    report: z.string().min(1).optional(),
  })
  .strict()
  .refine((d) => d.mailboxes !== undefined || d.mailboxListFile !== undefined, {
    message: 'name the mailboxes: a list of {from, to}, "all", or mailboxListFile',
    path: ['mailboxes'],
  });
export type JobDocument = z.infer<typeof JobDocument>;

export interface Mapping {
  from: string;
  to: string;
  /** Where the job names it ('mailboxes.2', 'mailboxListFile:7'), for error paths. */
  at?: string;
}

/** The path of a mapping's `from` or `to` in the job, as errors name it. */
export function mappingPath(m: Mapping, field: 'from' | 'to'): string {
  if (m.at === undefined) {
    return 'mailboxes';
  }
  return m.at.startsWith('mailboxListFile') ? m.at : `${m.at}.${field}`;
}

function invalid(message: string, errors: { path: string; message: string }[]): AppError {
  return new AppError('JOB_INVALID', message, { errors: errors.map((e) => ({ where: 'job', ...e })) });
}

/** Parse and validate a job document's text. @throws JOB_INVALID listing every problem with its path */
export function parseJobText(text: string, name: string): JobDocument {
  let raw: unknown;
  try {
    raw = name.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    throw invalid(`${name} is not valid ${name.endsWith('.json') ? 'JSON' : 'YAML'}: ${message}`, [
      { path: '(syntax)', message: message.split('\n')[0]! },
    ]);
  }
  return validateJob(raw, name);
}

/**
 * The issues of a union (the job's `source`: `rsg` or `mount`) as those of the branch whose keys
 * the input has, which say what is wrong ("source.rsg: …"), instead of the union's bare
 * "Invalid input"; any other issue as it is.
 */
function unionBranch(i: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (i.code !== 'invalid_union') {
    return [i];
  }
  const fitting = i.errors.filter(
    (b) => !b.some((x) => x.code === 'unrecognized_keys' && x.path.length === 0),
  );
  if (fitting.length !== 1) {
    return [i];
  }
  return fitting[0]!.flatMap((x) => unionBranch({ ...x, path: [...i.path, ...x.path] }));
}

/** @throws JOB_INVALID */
export function validateJob(raw: unknown, name = 'the job'): JobDocument {
  const r = JobDocument.safeParse(raw);
  if (!r.success) {
    // an unknown key is named by its own path ('filters.subjectKeyword'), not its parent's
    const errors = r.error.issues
      .flatMap(unionBranch)
      .flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: [...i.path, k].join('.'), message: `unrecognized key "${k}"` }))
          : [{ path: i.path.join('.') || '(root)', message: i.message }],
      );
    throw invalid(
      `${name} is not a valid job: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      errors,
    );
  }
  return r.data;
}

/** Read a job file. @throws JOB_INVALID, NOT_FOUND */
export function readJobFile(file: string): { doc: JobDocument; text: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('NOT_FOUND', `Cannot read the job file ${file}`, { file }, { cause: err });
  }
  return { doc: parseJobText(text, file), text };
}

/** The mailbox list file: one "from to" pair per line; '#' starts a comment. @throws JOB_INVALID */
export function readMailboxList(file: string): Mapping[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`Cannot read the mailbox list file ${file}: ${(err as NodeJS.ErrnoException).code ?? ''}`, [
      { path: 'mailboxListFile', message: 'cannot be read' },
    ]);
  }
  const out: Mapping[] = [];
  const errors: { path: string; message: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.replace(/#.*/, '').trim();
    if (l === '') {
      return;
    }
    const parts = l.split(/[\s,;]+/);
    const from = MailboxAddress.safeParse(parts[0]);
    const to = MailboxAddress.safeParse(parts[1] ?? parts[0]);
    if (parts.length > 2 || !from.success || !to.success) {
      errors.push({
        path: `mailboxListFile:${i + 1}`,
        message: `expected "from to", got '${l.slice(0, 100)}'`,
      });
    } else {
      out.push({ from: from.data, to: to.data, at: `mailboxListFile:${i + 1}` });
    }
  });
  if (errors.length > 0) {
    throw invalid(`${path.basename(file)}: ${errors.length} bad line(s)`, errors);
  }
  return out;
}

/** Quote a term for the query language. */
function q(term: string): string {
  return /^[\w@.\-*]+$/.test(term) ? term : `"${term.replaceAll('"', '')}"`;
}

/**
 * The job's filters as one query in the search language (ExMerge's filters, with the boolean
 * written out): every filter must hold; within a list, any entry may. Attachment-name globs
 * and folders are applied by the merge selection, not by the query.
 */
export function filtersToQuery(f: JobDocument['filters']): string | undefined {
  const parts: string[] = [];
  const range = (field: string, r?: { from?: string; to?: string }): void => {
    if (r?.from && r.to) {
      parts.push(`${field}:${r.from}..${r.to}`);
    } else if (r?.from) {
      parts.push(`${field}>=${r.from}`);
    } else if (r?.to) {
      parts.push(`${field}<=${r.to}`);
    }
  };
  const any = (terms: string[] | undefined, fields: string[]): void => {
    if (terms && terms.length > 0) {
      parts.push(`(${terms.flatMap((t) => fields.map((fl) => `${fl}:${q(t)}`)).join(' OR ')})`);
    }
  };
  range('received', f.received);
  range('sent', f.sent);
  any(f.subjectKeywords, ['subject']);
  any(f.senders, ['from']);
  any(f.recipients, ['to', 'cc', 'bcc']);
  // attachmentNames are not turned into query words: a glob's '?' or inner '*' has no exact
  // counterpart there ('budget-??.pdf' would become the phrase "budget pdf" and miss
  // budget-01.pdf); the merge selection tests every name against the globs itself
  if (f.query) {
    parts.push(`(${f.query})`);
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}
