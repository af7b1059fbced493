/**
 * The PST folder walk, run inside the PST worker (pst-worker.ts); see pst.ts for the mapping
 * it implements. Before every call into pst-extractor that may stall on a corrupt file it
 * reports its position (`sink.at`), so that the parent can restart it past a bad spot with a
 * `ResumePlan`. Folder numbers are the order of the depth-first walk, the same on every run.
 */
import path from 'node:path';
import { PSTFile, type PSTFolder, type PSTMessage } from 'pst-extractor';
import { AppError } from '../errors.js';
import { guessFolderRole, isRecoverablePath, stripExtension } from './common.js';
import { pstMessageToMime } from './pst-mime.js';
import {
  entryNid,
  errText,
  findIpmChain,
  folderName,
  internals,
  nidOf,
  pstFlags,
  subfolders,
} from './pst-tree.js';
import type { FolderRole, ResolvedOptions, SourceEvent } from './types.js';

const PR_IPM_WASTEBASKET_ENTRYID = 0x35e3;
const PR_IPM_SENTMAIL_ENTRYID = 0x35e4;
const PR_DELETED_ON = 0x668f;
const PR_LAST_MODIFICATION_TIME = 0x3008;
const MAIL_CLASS_RE = /^(IPM\.Note|IPM\.Post|IPM\.Schedule\.Meeting|REPORT\.)/i;

/** Where the walk is: folder number, contents-table row, and what it is doing there. */
export interface WalkPosition {
  folder: number;
  folderPath: string;
  cursor: number;
  phase: 'open' | 'item' | 'convert' | 'subfolders';
}

/** How to restart after a stall: continue at `at`, never list the subfolders of `noSubfolders`. */
export interface ResumePlan {
  at?: { folder: number; cursor: number; itemsDone: boolean };
  noSubfolders: number[];
}

/** Where the walk sends its output. `emit` resolves when the consumer may take more. */
export interface WalkSink {
  at(pos: WalkPosition): void;
  emit(event: SourceEvent): Promise<void>;
}

/** Walks one PST; construct per run. */
class PstWalk {
  private folderCount = 0;
  private readonly seen = new Set<string>();
  private readonly roles = new Map<number, FolderRole>();
  private readonly mailbox: string;
  private readonly base: string;

  constructor(
    private readonly pst: PSTFile,
    private readonly file: string,
    private readonly opts: ResolvedOptions,
    private readonly resume: ResumePlan,
    private readonly sink: WalkSink,
  ) {
    this.mailbox = opts.mailbox ?? stripExtension(path.basename(file));
    this.base = path.basename(file);
    for (const [prop, role] of [
      [PR_IPM_WASTEBASKET_ENTRYID, 'deleted'],
      [PR_IPM_SENTMAIL_ENTRYID, 'sent'],
    ] as const) {
      const nid = entryNid(pst, prop);
      if (nid !== undefined) {
        this.roles.set(nid, role);
      }
    }
  }

  /** Stalls while the top of the tree is read cannot be skipped: they fail the source. */
  private top(): void {
    this.sink.at({ folder: -1, folderPath: '', cursor: 0, phase: 'open' });
  }

  async run(): Promise<void> {
    this.top();
    const chain = findIpmChain(this.pst);
    const ipm = chain[chain.length - 1];
    if (ipm !== undefined && chain.length > 1) {
      if (ipm.contentCount > 0) {
        await this.folder(ipm, [folderName(ipm)], false);
      }
      this.top();
      for (const child of subfolders(ipm)) {
        await this.folder(child, [folderName(child)], true);
      }
    }
    for (const ancestor of chain.slice(0, -1)) {
      this.top();
      for (const child of subfolders(ancestor)) {
        if (/^Recoverable Items$/i.test(child.displayName) && !chain.some((c) => nidOf(c) === nidOf(child))) {
          await this.folder(child, ['Recoverable Items'], true);
        }
      }
    }
  }

  private async folder(folder: PSTFolder, segments: string[], descend: boolean): Promise<void> {
    const index = this.folderCount++;
    const folderPath = segments.join('/');
    const at = this.resume.at;
    const recoverable = isRecoverablePath(folderPath);
    if (!this.seen.has(folderPath)) {
      this.seen.add(folderPath);
      if (at === undefined || index > at.folder) {
        const role = recoverable
          ? 'recoverable'
          : (this.roles.get(nidOf(folder)) ?? guessFolderRole(folderPath));
        await this.sink.emit({
          kind: 'folder',
          folder: { mailbox: this.mailbox, path: folderPath, ...(role ? { role } : {}) },
        });
      }
    }
    if (at === undefined || index > at.folder || (index === at.folder && !at.itemsDone)) {
      await this.items(folder, index, folderPath, recoverable, index === at?.folder ? at.cursor : 0);
    }
    if (!descend || this.resume.noSubfolders.includes(index)) {
      return;
    }
    let children: PSTFolder[];
    try {
      this.sink.at({ folder: index, folderPath, cursor: 0, phase: 'subfolders' });
      children = subfolders(folder);
    } catch (err) {
      if (at === undefined || index >= at.folder) {
        await this.problem(`${this.base}:${folderPath}`, `cannot list subfolders: ${errText(err)}`);
      }
      return;
    }
    for (const child of children) {
      await this.folder(child, [...segments, folderName(child)], true);
    }
  }

  private problem(origin: string, reason: string): Promise<void> {
    return this.sink.emit({ kind: 'problem', origin, reason });
  }

  private async items(
    folder: PSTFolder,
    index: number,
    folderPath: string,
    recoverable: boolean,
    start: number,
  ): Promise<void> {
    const where = `${this.base}:${folderPath}`;
    if (start > 0) {
      folder.moveChildCursorTo(start);
    }
    for (;;) {
      const before = internals(folder).currentEmailIndex;
      let msg: PSTMessage | null;
      try {
        this.sink.at({ folder: index, folderPath, cursor: before, phase: 'item' });
        msg = folder.getNextChild() as PSTMessage | null;
      } catch (err) {
        await this.problem(`${where}#row${before}`, `unreadable item: ${errText(err)}`);
        return; // the contents table itself is broken: nothing further is reachable
      }
      const after = internals(folder).currentEmailIndex;
      const lost = after - before - (msg === null ? 0 : 1);
      if (lost > 0) {
        // getNextChild swallows the error of an unreadable item and moves on to the next.
        await this.problem(`${where}#row${before}`, `${lost} unreadable item(s) skipped by pst-extractor`);
      }
      if (msg === null) {
        return;
      }
      this.sink.at({ folder: index, folderPath, cursor: after - 1, phase: 'convert' });
      await this.message(msg, folderPath, recoverable);
    }
  }

  private async message(msg: PSTMessage, folderPath: string, recoverable: boolean): Promise<void> {
    const origin = `${this.base}:${folderPath}#${msg.descriptorNodeId.toNumber()}`;
    const cls = msg.messageClass || '(no message class)';
    if (!MAIL_CLASS_RE.test(cls)) {
      await this.problem(origin, `skipped: ${cls} is not a mail item`);
      return;
    }
    let event: SourceEvent;
    const warnings: string[] = [];
    try {
      const bytes = await pstMessageToMime(msg, this.opts.maxMessageBytes, 0, warnings);
      const arrived = msg.messageDeliveryTime ?? msg.clientSubmitTime ?? msg.creationTime;
      const p = internals(msg);
      const deleted = recoverable
        ? (p.getDateItem(PR_DELETED_ON) ?? p.getDateItem(PR_LAST_MODIFICATION_TIME) ?? arrived)
        : null;
      event = {
        kind: 'message',
        message: {
          mailbox: this.mailbox,
          folderPath,
          bytes,
          flags: pstFlags(msg),
          ...(arrived ? { internalMs: arrived.getTime() } : {}),
          ...(deleted ? { deletedMs: deleted.getTime() } : {}),
          origin,
        },
      };
    } catch (err) {
      event = { kind: 'problem', origin, reason: `cannot convert ${cls} to MIME: ${errText(err)}` };
    }
    for (const reason of warnings) {
      await this.problem(origin, reason);
    }
    await this.sink.emit(event);
  }
}

/**
 * Open `file` with pst-extractor and walk it into `sink`.
 * @throws SOURCE_CORRUPT when pst-extractor cannot open it or read its folder tree
 */
export async function walkPst(
  file: string,
  opts: ResolvedOptions,
  resume: ResumePlan,
  sink: WalkSink,
): Promise<void> {
  sink.at({ folder: -1, folderPath: '', cursor: 0, phase: 'open' });
  let pst: PSTFile;
  try {
    pst = new PSTFile(file);
  } catch (err) {
    throw new AppError(
      'SOURCE_CORRUPT',
      `PST '${file}' cannot be read: ${errText(err)}`,
      { path: file },
      { cause: err },
    );
  }
  try {
    const walk = new PstWalk(pst, file, opts, resume, sink);
    await walk.run().catch((err: unknown) => {
      if (err instanceof AppError) {
        throw err;
      }
      throw new AppError(
        'SOURCE_CORRUPT',
        `PST '${file}' cannot be read: folder tree: ${errText(err)}`,
        { path: file },
        { cause: err },
      );
    });
  } finally {
    pst.close();
  }
}
