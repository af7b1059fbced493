/**
 * Running a job file: resolve the source and the mailbox mappings, then one merge job per
 * mapping (several mailboxes at a time), then the report. Resumable: the bulk job records the
 * merge id of each mapping, and each merge records every item it handled.
 */
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import {
  type MergeDeps,
  type MergeReport,
  type MergeRequest,
  createMergeJobTx,
  dryRunMerge,
  emptyCounts,
  listMergeItems,
  loadJob,
  runMergeJob,
  toReport,
} from '../merge/index.js';
import { MailboxAddress } from '../schemas.js';
import type { RecoveryGroup, RsgCatalogue } from '../rsg/index.js';
import { type Database, createMailboxTx, findMailbox } from '../store/index.js';
import { type JobDocument, type Mapping, filtersToQuery, mappingPath, readMailboxList } from './job-file.js';
import { type ItemLine, type JobReport, type MailboxSummary, writeReport } from './report.js';
import type { BulkJobRow } from './schema.js';

export interface JobDeps {
  live: Database;
  catalogue: RsgCatalogue;
  merge: MergeDeps;
}

export interface JobProgress {
  mailbox: string;
  done: number;
  total: number;
  itemsPerSecond: number;
  etaSeconds: number;
  overall: { done: number; total: number };
}

export interface RunJobOptions {
  name: string;
  /** Relative paths in the document (mailboxListFile, report, mount path) resolve against this. */
  baseDir: string;
  dryRun?: boolean;
  resume?: boolean;
  actor?: string;
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
  /** Plain progress lines (start and end of each mailbox). */
  onLine?: (line: string) => void;
  /** Called once the job has its id (after the source is mounted and the job validated). */
  onStarted?: (id: number) => void;
}

function docHash(doc: JobDocument): string {
  return sha256Hex(Buffer.from(JSON.stringify(doc)));
}

async function resolveSource(
  deps: JobDeps,
  doc: JobDocument,
  baseDir: string,
  onLine?: (l: string) => void,
): Promise<string> {
  if ('rsg' in doc.source) {
    const info = deps.catalogue.get(doc.source.rsg);
    if (info.state !== 'mounted') {
      throw new AppError('RSG_NOT_MOUNTED', `Recovery group ${info.id} is ${info.state}`, { rsg: info.id });
    }
    return info.id;
  }
  const m = doc.source.mount;
  onLine?.(`mounting ${m.source} ${m.path}`);
  const info = await deps.catalogue.mount({
    source: m.source,
    path: path.resolve(baseDir, m.path),
    label: m.label,
    mailbox: m.mailbox,
  });
  if (info.state !== 'mounted') {
    throw new AppError('SOURCE_CORRUPT', `Mounting the job's source failed: ${info.error?.message ?? ''}`, {
      rsg: info.id,
    });
  }
  return info.id;
}

function resolveMappings(doc: JobDocument, group: RecoveryGroup, baseDir: string): Mapping[] {
  const sourceBoxes = group.listMailboxes().map((m) => m.address);
  let maps: Mapping[];
  if (doc.mailboxes === 'all') {
    maps = sourceBoxes.map((a) => ({ from: a, to: a }));
  } else {
    maps = (doc.mailboxes ?? []).map((m, i) => ({ ...m, at: `mailboxes.${i}` }));
  }
  if (doc.mailboxListFile) {
    maps.push(...readMailboxList(path.resolve(baseDir, doc.mailboxListFile)));
  }
  const known = new Set(sourceBoxes.map((a) => a.toLowerCase()));
  const errors = maps
    .filter((m) => !known.has(m.from.toLowerCase()))
    .map((m) => ({
      where: 'job',
      path: mappingPath(m, 'from'),
      message: `no mailbox '${m.from}' in the source`,
    }));
  if (errors.length > 0) {
    throw new AppError('JOB_INVALID', `${errors.length} source mailbox(es) are not in the recovery group`, {
      errors,
    });
  }
  // `all` takes each source name as the live address: a dump's `Local Folders` is not one
  const unaddressable = maps.filter((m) => !MailboxAddress.safeParse(m.to).success);
  if (unaddressable.length > 0) {
    throw new AppError(
      'JOB_INVALID',
      `${unaddressable.length} source mailbox name(s) cannot be live addresses; map them in 'mailboxes'`,
      {
        errors: unaddressable.map((m) => ({
          where: 'job',
          path: mappingPath(m, 'to'),
          message: `'${m.to}' is not a mailbox address: name a target for it`,
        })),
      },
    );
  }
  return maps;
}

function mergeRequest(doc: JobDocument, rsg: string, map: Mapping): MergeRequest {
  return {
    rsg,
    target: map.to,
    selection: {
      mailbox: map.from,
      query: filtersToQuery(doc.filters),
      includeFolders: doc.filters.includeFolders,
      excludeFolders: doc.filters.excludeFolders,
      attachmentNames: doc.filters.attachmentNames,
    },
    folders: doc.folders,
    conflict: doc.conflict,
    overrides: doc.overrides,
    badItemLimit: doc.badItemLimit,
  };
}

function summaryOf(map: Mapping, r: MergeReport | undefined, error: string | null): MailboxSummary {
  return {
    from: map.from,
    to: map.to,
    mergeId: r?.id ?? null,
    state: error ? 'failed' : (r?.state ?? 'not run'),
    counts: r?.counts ?? emptyCounts(),
    bytesCopied: r?.bytesCopied ?? 0,
    bytesShared: r?.bytesShared ?? 0,
    error: error ?? r?.error ?? null,
  };
}

function totalsOf(boxes: MailboxSummary[]): JobReport['totals'] {
  const t = { ...emptyCounts(), bytesCopied: 0, bytesShared: 0 };
  for (const b of boxes) {
    for (const k of Object.keys(b.counts) as (keyof typeof b.counts)[]) {
      t[k] += b.counts[k];
    }
    t.bytesCopied += b.bytesCopied;
    t.bytesShared += b.bytesShared;
  }
  return t;
}

function* itemLines(deps: JobDeps, group: RecoveryGroup, boxes: MailboxSummary[]): Generator<ItemLine> {
  for (const b of boxes) {
    if (b.mergeId === null) {
      continue;
    }
    for (const r of listMergeItems(deps.live, b.mergeId)) {
      const src = group.item(r.sourceItemId);
      yield {
        sourceMailbox: b.from,
        sourceFolder: src.folder,
        sourceItemId: r.sourceItemId,
        messageId: src.messageId ?? '',
        targetMailbox: b.to,
        targetFolder: r.targetFolder ?? '',
        targetItemId: r.targetItemId,
        class: r.class,
        action: r.action,
        reason: r.reason ?? '',
      };
    }
  }
}

function loadBulk(live: Database, hash: string): BulkJobRow | undefined {
  return live.sql
    .prepare(
      `SELECT id, name, doc_hash AS docHash, document, rsg_id AS rsgId, state, merges, actor, created_ms AS createdMs,
              updated_ms AS updatedMs FROM bulk_jobs WHERE doc_hash = ? ORDER BY id DESC LIMIT 1`,
    )
    .get(hash) as BulkJobRow | undefined;
}

/**
 * Run a job document. A dry run plans every mailbox and writes the report, changing nothing in
 * the live database. @throws JOB_INVALID, JOB_NOT_FOUND (--resume of an unknown job), RSG_*
 */
export async function runJob(deps: JobDeps, doc: JobDocument, opts: RunJobOptions): Promise<JobReport> {
  const startedMs = deps.live.clock.now();
  const hash = docHash(doc);
  const previous = opts.resume ? loadBulk(deps.live, hash) : undefined;
  if (opts.resume && !previous) {
    throw new AppError('JOB_NOT_FOUND', `No earlier run of ${opts.name} to resume`, { job: opts.name });
  }
  const rsg = previous?.rsgId ?? (await resolveSource(deps, doc, opts.baseDir, opts.onLine));
  const group = deps.catalogue.group(rsg);
  const maps = resolveMappings(doc, group, opts.baseDir);
  const missingMaps = maps.filter((m) => !findMailbox(deps.live.sql, m.to));
  const missing = missingMaps.map((m) => m.to);
  if (missing.length > 0 && !doc.createMissingMailboxes) {
    throw new AppError(
      'JOB_INVALID',
      `${missing.length} target mailbox(es) do not exist: ${missing.slice(0, 5).join(', ')}`,
      {
        errors: missingMaps.map((m) => ({
          where: 'job',
          path: mappingPath(m, 'to'),
          message: `no live mailbox '${m.to}' (set createMissingMailboxes)`,
        })),
      },
    );
  }
  const reportDir = doc.report ? path.resolve(opts.baseDir, doc.report) : null;
  const key = (m: Mapping): string => `${m.from} ${m.to}`;
  const results = new Map<string, { r?: MergeReport; error: string | null }>();
  let bulkId: number | null = null;
  if (opts.dryRun) {
    for (const m of maps) {
      const { items: _i, ...r } = dryRunMerge(deps.merge, mergeRequest(doc, rsg, m), {
        assumeEmptyTarget: true,
      });
      results.set(key(m), { r, error: null });
    }
  } else {
    const merges = JSON.parse(previous?.merges ?? '{}') as Record<string, number>;
    bulkId = deps.live.writeSync((tx) => {
      for (const to of new Set(missing)) {
        createMailboxTx(tx, { address: to });
      }
      const id = previous?.id ?? tx.nextId('bulk_jobs');
      tx.emit({
        t: 'bulk.job',
        job: previous
          ? { id, state: 'running', updatedMs: tx.now }
          : {
              id,
              name: opts.name,
              docHash: hash,
              document: JSON.stringify(doc),
              rsgId: rsg,
              state: 'running',
              merges: '{}',
              actor: opts.actor ?? null,
              createdMs: tx.now,
              updatedMs: tx.now,
            },
      });
      return id;
    });
    opts.onStarted?.(bulkId);
    const overall = { done: 0, total: 0 };
    const queue = [...maps];
    const worker = async (): Promise<void> => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        if (opts.signal?.aborted) {
          return;
        }
        const k = key(m);
        try {
          let id = merges[k];
          if (id === undefined) {
            // the merge and the bulk job's record of it in one transaction (one fsync, not two);
            // `merges` is updated inside it, so a mailbox whose write shares the transaction
            // records this merge too
            id = await deps.live
              .write((tx) => {
                const created = createMergeJobTx(tx, group, mergeRequest(doc, rsg, m), opts.actor ?? null);
                const all = { ...merges, [k]: created };
                tx.emit({
                  t: 'bulk.job',
                  job: { id: bulkId, merges: JSON.stringify(all), updatedMs: tx.now },
                });
                merges[k] = created;
                return created;
              })
              .catch((err: unknown) => {
                delete merges[k]; // the transaction was rolled back
                throw err;
              });
          }
          opts.onLine?.(`${m.from} → ${m.to}: merging (merge ${id})`);
          let last = 0;
          const r = await runMergeJob(deps.merge, id, {
            signal: opts.signal,
            onProgress: (p) => {
              overall.done += p.done - last;
              overall.total += last === 0 ? p.total : 0;
              last = p.done;
              opts.onProgress?.({ mailbox: m.from, ...p, overall: { ...overall } });
            },
          });
          results.set(k, { r, error: null });
          opts.onLine?.(
            `${m.from} → ${m.to}: ${r.state}, created ${r.counts.created}, skipped ${r.counts.skipped}, failed ${r.counts.failed}`,
          );
        } catch (err) {
          const msg = err instanceof AppError ? `${err.code}: ${err.message}` : String(err);
          results.set(k, { error: msg });
          opts.onLine?.(`${m.from} → ${m.to}: failed: ${msg}`);
        }
      }
    };
    const n = Math.min(doc.concurrency ?? os.availableParallelism(), Math.max(1, maps.length));
    await Promise.all(Array.from({ length: n }, () => worker()));
  }
  const boxes = maps.map((m) => summaryOf(m, results.get(key(m))?.r, results.get(key(m))?.error ?? null));
  const stopped =
    opts.signal?.aborted === true || boxes.some((b) => b.state === 'stopped' || b.state === 'not run');
  const failed = boxes.some((b) => b.state === 'failed');
  const report: JobReport = {
    id: bulkId,
    name: opts.name,
    rsg,
    dryRun: opts.dryRun === true,
    state: opts.dryRun
      ? 'planned'
      : stopped
        ? 'stopped'
        : failed
          ? 'failed'
          : boxes.some((b) => b.counts.failed > 0)
            ? 'partial'
            : 'done',
    mailboxes: boxes,
    totals: totalsOf(boxes),
    startedMs,
    finishedMs: deps.live.clock.now(),
    reportDir,
  };
  if (bulkId !== null) {
    deps.live.writeSync((tx) =>
      tx.emit({ t: 'bulk.job', job: { id: bulkId, state: report.state, updatedMs: tx.now } }),
    );
  }
  if (reportDir) {
    writeReport(reportDir, report, opts.dryRun ? [] : itemLines(deps, group, boxes));
  }
  return report;
}

export interface JobStatus {
  id: number;
  name: string;
  rsg: string | null;
  state: string;
  createdMs: number;
  updatedMs: number;
  mailboxes: {
    from: string;
    to: string;
    mergeId: number;
    state: string;
    done: number;
    total: number;
    counts: MergeReport['counts'];
  }[];
}

/** A bulk job's state and, per mailbox, its merge's progress. @throws JOB_NOT_FOUND */
export function getJobStatus(live: Database, id: number): JobStatus {
  const row = live.sql
    .prepare(
      `SELECT id, name, rsg_id AS rsgId, state, merges, created_ms AS createdMs, updated_ms AS updatedMs
       FROM bulk_jobs WHERE id = ?`,
    )
    .get(id) as
    Pick<BulkJobRow, 'id' | 'name' | 'rsgId' | 'state' | 'merges' | 'createdMs' | 'updatedMs'> | undefined;
  if (!row) {
    throw new AppError('JOB_NOT_FOUND', `No job ${id}`, { jobId: id });
  }
  const merges = JSON.parse(row.merges) as Record<string, number>;
  return {
    id: row.id,
    name: row.name,
    rsg: row.rsgId,
    state: row.state,
    createdMs: row.createdMs,
    updatedMs: row.updatedMs,
    mailboxes: Object.entries(merges).map(([k, mergeId]) => {
      const [from = '', to = ''] = k.split(' ');
      const r = toReport(loadJob(live, mergeId));
      return { from, to, mergeId, state: r.state, done: r.done, total: r.total, counts: r.counts };
    }),
  };
}
