/**
 * Merges and bulk jobs for the edges: dry runs answer at once; applying runs as a job in the
 * background whose progress and report are read from the live database; each is audited with
 * its counts, and the use of an override is audited on its own.
 */
import type { AuditService } from '../audit/index.js';
import type { Principal } from '../auth/index.js';
import { mergeDeps } from '../catalogue.js';
import { AppError } from '../errors.js';
import { type JobDocument, type JobReport, type JobStatus, getJobStatus, runJob } from '../jobs/index.js';
import type { Clock } from '../lib/clock.js';
import { resolveInside } from '../lib/fs.js';
import { type Caller, auditContext } from '../live/caller.js';
import type { SelfRestoreBudget } from '../live/self-restore.js';
import {
  type MergeDeps,
  type MergeReport,
  type MergeRequest,
  type PlannedItem,
  type UndoReport,
  createMergeJob,
  dryRunMerge,
  listMergeItems,
  loadJob,
  runMergeJob,
  toReport,
  undoMerge,
} from '../merge/index.js';
import type { RsgCatalogue } from '../rsg/index.js';
import type { Database } from '../store/index.js';

/** Planned items returned with a dry run (the rest are counted only). */
const DRY_RUN_ITEMS = 200;

/** The overrides a merge request uses (each use is audited on its own). */
export function overridesUsed(req: MergeRequest): string[] {
  return Object.entries(req.overrides)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
}

export class MergeService {
  private readonly deps: MergeDeps;
  private readonly running = new Map<number, Promise<unknown>>();
  private readonly jobs = new Map<number, Promise<JobReport>>();

  constructor(
    private readonly live: Database,
    private readonly catalogue: RsgCatalogue,
    private readonly audit: AuditService,
    clock: Clock,
    private readonly selfRestores: SelfRestoreBudget,
  ) {
    this.deps = mergeDeps(live, catalogue, clock);
  }

  /**
   * Users merge only their own items — from their own mailbox, in RSGs with self-service on —
   * into their own mailbox; overrides are for administrators. A refusal is audited as denied.
   * @throws MAILBOX_NOT_FOUND (scope), MESSAGE_NOT_FOUND (an item of another mailbox), FORBIDDEN
   */
  private async authorise(caller: Caller, req: MergeRequest, action: string): Promise<void> {
    const refusal = this.refusal(caller.principal, req);
    if (refusal) {
      await this.audit.record({
        ...auditContext(caller),
        action,
        target: '/merges',
        outcome: 'denied',
        code: refusal.code,
        detail: {
          reason: refusal.code === 'FORBIDDEN' ? 'policy' : 'scope',
          rsg: req.rsg,
          target: req.target,
        },
      });
      throw refusal;
    }
  }

  /** Why `p` may not make this merge, or undefined. @throws RSG_NOT_FOUND, MESSAGE_NOT_FOUND (no such item) */
  private refusal(p: Principal, req: MergeRequest): AppError | undefined {
    if (overridesUsed(req).length > 0 && p.role !== 'admin') {
      return new AppError('FORBIDDEN', 'Overrides are for administrators', { role: p.role });
    }
    if (p.role !== 'user') {
      return undefined;
    }
    const own = (a: string | undefined): boolean =>
      a !== undefined && a.toLowerCase() === p.mailbox?.toLowerCase();
    if (!own(req.target)) {
      return new AppError('MAILBOX_NOT_FOUND', `No mailbox '${req.target}'`, { mailbox: req.target });
    }
    const info = this.catalogue.get(req.rsg);
    if (!info.selfService) {
      return new AppError('FORBIDDEN', 'This recovery group is not open to self-service', { role: p.role });
    }
    if (!own(req.selection.mailbox)) {
      return new AppError('FORBIDDEN', 'A user may merge only from their own mailbox (selection.mailbox)', {
        role: p.role,
      });
    }
    // item ids name items of any mailbox of the group: another mailbox's item is answered as
    // one that does not exist, as the guard answers another mailbox
    const group = this.deps.group(req.rsg);
    const foreign = req.selection.itemIds?.find((id) => !own(group.mailboxOf(group.item(id)).address));
    if (foreign !== undefined) {
      return new AppError('MESSAGE_NOT_FOUND', `No item ${foreign} in recovery group ${req.rsg}`, {
        itemId: foreign,
      });
    }
    return undefined;
  }

  async dryRun(caller: Caller, req: MergeRequest): Promise<MergeReport & { items: PlannedItem[] }> {
    await this.authorise(caller, req, 'createMerge');
    const r = dryRunMerge(this.deps, req);
    return { ...r, items: r.items.slice(0, DRY_RUN_ITEMS) };
  }

  /** Create the merge job and run it in the background. */
  async start(caller: Caller, req: MergeRequest, action = 'createMerge'): Promise<MergeReport> {
    await this.authorise(caller, req, action);
    const ctx = auditContext(caller);
    const id = await this.audit.audited(ctx, action, '/merges', () =>
      createMergeJob(this.deps, req, caller.principal.name),
    );
    if (overridesUsed(req).length > 0) {
      await this.audit.record({
        ...ctx,
        action: 'mergeOverride',
        target: `/merges/${id}`,
        outcome: 'ok',
        detail: { overrides: overridesUsed(req), target: req.target, rsg: req.rsg },
      });
    }
    this.runInBackground(caller, id);
    return this.get(id);
  }

  private runInBackground(caller: Caller, id: number): void {
    const run = this.audit.audited(
      auditContext(caller),
      'applyMerge',
      `/merges/${id}`,
      async () => {
        await new Promise((r) => setImmediate(r)); // answer the request first; the job runs after
        return runMergeJob(this.deps, id);
      },
      (r) => ({ state: r.state, counts: r.counts, bytesCopied: r.bytesCopied, bytesShared: r.bytesShared }),
    );
    this.running.set(id, run);
    void run.catch(() => undefined).finally(() => this.running.delete(id));
  }

  /** @throws MERGE_NOT_FOUND */
  get(id: number): MergeReport {
    return toReport(loadJob(this.live, id));
  }

  /** A merge as the caller may see it: a user only merges into their own mailbox. @throws MERGE_NOT_FOUND */
  getFor(caller: Caller, id: number): MergeReport {
    const r = this.get(id);
    const p = caller.principal;
    if (p.role === 'user' && r.target.toLowerCase() !== p.mailbox?.toLowerCase()) {
      throw new AppError('MERGE_NOT_FOUND', `No merge ${id}`, { mergeId: id });
    }
    return r;
  }

  /** @throws JOB_NOT_FOUND */
  job(id: number): JobStatus {
    return getJobStatus(this.live, id);
  }

  /** Resume or re-run a merge job (idempotent). @throws MERGE_NOT_FOUND, MERGE_CONFLICT */
  apply(caller: Caller, id: number): MergeReport {
    const job = this.get(id);
    if (job.state === 'undone') {
      throw new AppError('MERGE_CONFLICT', `Merge ${id} was undone`, { mergeId: id });
    }
    if (this.running.has(id)) {
      throw new AppError('MERGE_CONFLICT', `Merge ${id} is running`, { mergeId: id });
    }
    this.runInBackground(caller, id);
    return job;
  }

  async undo(caller: Caller, id: number): Promise<UndoReport> {
    if (this.running.has(id)) {
      throw new AppError('MERGE_CONFLICT', `Merge ${id} is still running`, { mergeId: id });
    }
    return this.audit.audited(
      auditContext(caller),
      'undoMerge',
      `/merges/${id}`,
      () => undoMerge(this.live, id),
      (r) => ({
        ...r,
      }),
    );
  }

  items(id: number): ReturnType<typeof listMergeItems> {
    this.get(id);
    return listMergeItems(this.live, id);
  }

  /**
   * A user's restore of their own items from a self-service recovery group, held to the user's
   * self-restore budget (one unit per requested item, shared with dumpster restores).
   * @throws RATE_LIMITED, VALIDATION_FAILED (more items than the hourly budget)
   */
  async selfRestore(caller: Caller, rsg: string, itemIds: number[]): Promise<MergeReport> {
    const own = caller.principal.mailbox;
    if (caller.principal.role !== 'user' || own === null) {
      throw new AppError('FORBIDDEN', 'Self-service restore is for user tokens');
    }
    let release: () => void;
    try {
      release = this.selfRestores.take(own, itemIds.length);
    } catch (err) {
      await this.audit.recordFailure(auditContext(caller), 'restoreMyRecoveryItems', '/merges', err);
      throw err;
    }
    try {
      return await this.start(
        caller,
        {
          rsg,
          target: own,
          selection: { mailbox: own, itemIds },
          folders: 'original',
          conflict: 'skip',
          overrides: {},
          badItemLimit: 0,
        },
        'restoreMyRecoveryItems',
      );
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Run a bulk job document in the background; resolves once its job id is known. */
  async startJob(caller: Caller, doc: JobDocument, root: string): Promise<{ id: number }> {
    confineJobPaths(doc, root);
    const ctx = auditContext(caller);
    let started: (id: number) => void = () => undefined;
    const idKnown = new Promise<number>((resolve) => (started = resolve));
    const run = this.audit.audited(
      ctx,
      'runJob',
      '/jobs',
      () =>
        runJob({ live: this.live, catalogue: this.catalogue, merge: this.deps }, doc, {
          name: 'api',
          baseDir: root,
          actor: caller.principal.name,
          onStarted: started,
        }),
      (r) => ({ id: r.id, state: r.state, totals: r.totals }),
    );
    const id = await Promise.race([idKnown, run.then((r) => r.id ?? -1)]);
    if (id >= 0) {
      this.jobs.set(id, run);
      void run.catch(() => undefined).finally(() => this.jobs.delete(id));
    }
    return { id };
  }

  /** Resolves when every merge and job started here has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values(), ...this.jobs.values()]);
  }
}

/**
 * A job submitted over the API may only name files inside `root` (the home): its report
 * directory, mailbox list file and mount source. @throws VALIDATION_FAILED
 */
function confineJobPaths(doc: JobDocument, root: string): void {
  const paths: [string, string | undefined][] = [
    ['report', doc.report],
    ['mailboxListFile', doc.mailboxListFile],
    ['source.mount.path', 'mount' in doc.source ? doc.source.mount.path : undefined],
  ];
  const errors = paths
    .filter(([, p]) => p !== undefined && resolveInside(root, p) === undefined)
    .map(([path]) => ({
      where: 'body',
      path: `document.${path}`,
      message: 'must stay inside the Salvage home',
    }));
  if (errors.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'A path of the job leaves the Salvage home', { errors });
  }
}
