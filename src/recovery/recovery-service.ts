/**
 * Recovery groups for the edges: mount (a job with progress, in the background), browse,
 * preview, search with the live status of every hit, export and send — each audited.
 */
import { simpleParser } from 'mailparser';
import type { AuditService } from '../audit/index.js';
import { isPrivileged } from '../auth/index.js';
import { searchRsg } from '../catalogue.js';
import { AppError } from '../errors.js';
import {
  type ExportFormat,
  type ExportItem,
  type SmtpSettings,
  sendItems,
  writeExport,
} from '../export/index.js';
import { type ExportSelection, rsgExportItems } from '../export-items.js';
import { type Page, decodeCursor, isInt, pageOf } from '../lib/cursor.js';
import { asAsyncIterable } from '../lib/iter.js';
import { type Caller, auditContext } from '../live/caller.js';
import { type RenderedMessage, renderMessage } from '../live/message-view.js';
import type {
  MountProgress,
  MountRequest,
  RecoveryGroup,
  RsgCatalogue,
  RsgFolder,
  RsgInfo,
  RsgMailbox,
} from '../rsg/index.js';
import type { Database, Item } from '../store/index.js';

const isItemKey = (k: unknown): k is [number, number] =>
  Array.isArray(k) && k.length === 2 && isInt(k[0]) && isInt(k[1]);

export interface SendRequest extends ExportSelection {
  to: string;
  subject?: string;
  note?: string;
  split?: boolean;
}

export class RecoveryService {
  /** Mounts running in the background, by RSG id (tests and shutdown wait for them). */
  private readonly running = new Map<string, Promise<RsgInfo>>();
  /** The latest progress of each mount running here. */
  private readonly progress = new Map<string, MountProgress>();

  constructor(
    private readonly live: Database,
    readonly catalogue: RsgCatalogue,
    private readonly audit: AuditService,
    private readonly mail: { smtp?: SmtpSettings; from: string; maxMailBytes: number },
  ) {}

  list(): RsgInfo[] {
    return this.catalogue.list().map((r) => this.withProgress(r));
  }

  get(id: string): RsgInfo {
    return this.withProgress(this.catalogue.get(id));
  }

  /** A running mount shows its latest progress (rsg.json holds it at most once a second). */
  private withProgress(info: RsgInfo): RsgInfo {
    const p = info.state === 'mounting' ? this.progress.get(info.id) : undefined;
    return p ? { ...info, progress: p } : info;
  }

  group(id: string): RecoveryGroup {
    return this.catalogue.group(id);
  }

  /** Mounted recovery groups open to self-service that hold this mailbox. */
  selfService(address: string): RsgInfo[] {
    return this.catalogue.list().filter((r) => {
      if (r.state !== 'mounted' || !r.selfService) {
        return false;
      }
      return this.group(r.id)
        .listMailboxes()
        .some((m) => m.address.toLowerCase() === address.toLowerCase());
    });
  }

  /** The recovery group as a user may see it: self-service on, holding their mailbox. @throws RSG_NOT_FOUND */
  selfServiceGroup(id: string, address: string): RecoveryGroup {
    if (!this.selfService(address).some((r) => r.id === id)) {
      throw new AppError('RSG_NOT_FOUND', `No recovery group '${id}'`, { rsg: id });
    }
    return this.group(id);
  }

  /** Start a mount; it runs in the background. @throws VALIDATION_FAILED, SOURCE_NOT_FOUND */
  async mount(caller: Caller, req: MountRequest): Promise<RsgInfo> {
    return this.audit.audited(
      auditContext(caller),
      'mountRecoveryGroup',
      `/recovery-groups`,
      () => {
        const info = this.catalogue.begin(req);
        // progress from the start: a client polling the new group sees where the mount stands
        this.progress.set(info.id, {
          phase: req.source === 'backup' || req.source === 'database' ? 'restoring' : 'converting',
          items: 0,
          bytes: 0,
          itemsPerSecond: 0,
        });
        const onProgress = (p: MountProgress): void => {
          this.progress.set(info.id, p);
        };
        const run = this.catalogue.run(info.id, req, { onProgress }).then(async (done) => {
          await this.audit.record({
            ...auditContext(caller),
            action: 'mountRecoveryGroup.finished',
            target: `/recovery-groups/${done.id}`,
            outcome: done.state === 'mounted' ? 'ok' : 'failed',
            code: done.error?.code ?? null,
            detail: { items: done.counts.items, problems: done.report.problemCount },
          });
          return done;
        });
        this.running.set(info.id, run);
        void run
          .catch(() => undefined) // `run` records a failed mount in rsg.json; nothing more to report here
          .finally(() => {
            this.running.delete(info.id);
            this.progress.delete(info.id);
          });
        return this.withProgress(info);
      },
      (info) => ({ id: info.id, source: info.source.kind, path: info.source.path }),
    );
  }

  /** Resolves when every mount started here has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  async unmount(caller: Caller, id: string): Promise<RsgInfo> {
    return this.audit.audited(auditContext(caller), 'unmountRecoveryGroup', `/recovery-groups/${id}`, () =>
      this.catalogue.unmount(id),
    );
  }

  mailboxes(id: string): RsgMailbox[] {
    return this.group(id).listMailboxes();
  }

  folders(id: string, address: string): RsgFolder[] {
    return this.group(id).listFolders(address);
  }

  items(id: string, address: string, opts: { folder?: string; cursor?: string; limit: number }): Page<Item> {
    const key = opts.cursor === undefined ? undefined : decodeCursor('rsg-items', opts.cursor, isItemKey);
    const rows = this.group(id).listItems(address, {
      folder: opts.folder,
      after: key && { internalMs: key[0], id: key[1] },
      limit: opts.limit + 1,
    });
    return pageOf(rows, opts.limit, 'rsg-items', (it) => [it.internalMs, it.id]);
  }

  /** An item with headers, text, sanitised html and attachments; a privileged read is audited. */
  async read(
    caller: Caller,
    id: string,
    itemId: number,
  ): Promise<{ item: Item; mailbox: string; message: RenderedMessage }> {
    const g = this.group(id);
    const run = async (): Promise<{ item: Item; mailbox: string; message: RenderedMessage }> => {
      const item = g.item(itemId);
      return {
        item,
        mailbox: g.mailboxOf(item).address,
        message: await renderMessage(g.readItemBytes(itemId)),
      };
    };
    return isPrivileged(caller.principal)
      ? this.audit.audited(
          auditContext(caller),
          'getRecoveryItem',
          `/recovery-groups/${id}/items/${itemId}`,
          run,
        )
      : run();
  }

  async raw(caller: Caller, id: string, itemId: number): Promise<Buffer> {
    const g = this.group(id);
    return this.audit.audited(
      auditContext(caller),
      'getRecoveryItemRaw',
      `/recovery-groups/${id}/items/${itemId}`,
      () => g.readItemBytes(g.item(itemId).id), // an item of this group, or MESSAGE_NOT_FOUND naming it
    );
  }

  /** The n-th attachment (0-based, in the order of the detail's list). @throws NOT_FOUND */
  async attachment(
    caller: Caller,
    id: string,
    itemId: number,
    n: number,
  ): Promise<{ filename: string; contentType: string; content: Buffer }> {
    const bytes = await this.raw(caller, id, itemId);
    const parsed = await simpleParser(bytes);
    const a = parsed.attachments[n];
    if (!a) {
      throw new AppError('NOT_FOUND', `Item ${itemId} has no attachment ${n}`, { itemId, attachment: n });
    }
    return { filename: a.filename ?? `attachment-${n}`, contentType: a.contentType, content: a.content };
  }

  /** Search with the live status of every hit; searches by staff are audited. */
  async search(
    caller: Caller,
    id: string,
    q: string,
    opts: { mailbox?: string; cursor?: string; limit: number; sort?: 'relevance' | 'date' },
  ): Promise<ReturnType<typeof searchRsg>> {
    const g = this.group(id);
    const run = (): ReturnType<typeof searchRsg> => searchRsg(this.live, g, q, opts);
    return isPrivileged(caller.principal)
      ? this.audit.audited(
          auditContext(caller),
          'searchRecoveryGroup',
          `/recovery-groups/${id}`,
          run,
          (r) => ({
            q,
            mailbox: opts.mailbox ?? null,
            total: r.total,
          }),
        )
      : run();
  }

  exportItems(id: string, sel: ExportSelection): ExportItem[] {
    return rsgExportItems(this.group(id), sel, this.live.clock.now());
  }

  /** Stream an export to `out`; audited with its counts. */
  async export(
    caller: Caller,
    id: string,
    sel: ExportSelection,
    format: ExportFormat,
    out: NodeJS.WritableStream,
    opts: { signal?: AbortSignal; mboxPerFolder?: boolean } = {},
  ): Promise<{ items: number; bytes: number }> {
    const items = this.exportItems(id, sel);
    return this.audit.audited(
      auditContext(caller),
      'exportRecoveryGroup',
      `/recovery-groups/${id}`,
      () => writeExport(asAsyncIterable(items), format, out, opts),
      (r) => ({ format, items: r.items, bytes: r.bytes, mailbox: sel.mailbox ?? null }),
    );
  }

  /** Mail items as message/rfc822 attachments; audited with the recipient and the Message-IDs. */
  async send(caller: Caller, id: string, req: SendRequest): Promise<Awaited<ReturnType<typeof sendItems>>> {
    const smtp = this.mail.smtp;
    if (!smtp) {
      throw new AppError('VALIDATION_FAILED', 'No SMTP relay is configured (salvage.json: "smtp")');
    }
    const items = this.exportItems(id, req);
    return this.audit.audited(
      auditContext(caller),
      'sendRecoveryItems',
      `/recovery-groups/${id}`,
      () =>
        sendItems(items, {
          smtp,
          from: this.mail.from,
          to: req.to,
          subject: req.subject ?? 'Recovered messages',
          coverText: req.note ?? 'The messages you asked for are attached, as they were.',
          maxMailBytes: this.mail.maxMailBytes,
          splitLarge: req.split === true,
        }),
      (r) => ({ to: req.to, messageIds: r.mails.flatMap((m) => m.messageIds) }),
    );
  }

  close(): void {
    this.catalogue.close();
  }
}
