/**
 * Reading the PST folder tree and MAPI properties through pst-extractor (MS-PST, MS-OXCMSG):
 * the IPM subtree, search folders, entry ids, message flags. Used by the walk in the worker.
 */
import type { PSTFile, PSTFolder, PSTMessage } from 'pst-extractor';

const NID_TYPE_SEARCH_FOLDER = 0x03;
const PR_IPM_SUBTREE_ENTRYID = 0x35e0;
const PR_MESSAGE_FLAGS = 0x0e07;
const PR_FLAG_STATUS = 0x1090;
const MSGFLAG_READ = 0x01;
const MSGFLAG_UNSENT = 0x08;

/** Protected / private pst-extractor members read for what has no public getter. */
export interface Internals {
  getIntItem(id: number, defaultValue?: number): number;
  getBinaryItem(id: number): Buffer | null;
  getDateItem(id: number): Date | null;
  currentEmailIndex: number;
}
/** View a pst-extractor object through its non-public members. */
export const internals = (o: unknown): Internals => o as Internals;

/** The node id an entry id property of the message store points at (MS-PST §2.4.3.2 EntryID). */
export function entryNid(pst: PSTFile, prop: number): number | undefined {
  const id = internals(pst.getMessageStore()).getBinaryItem(prop);
  return id !== null && id.length >= 24 ? id.readUInt32LE(20) : undefined; // flags(4) uid(16) nid(4)
}

/** A folder's node id. */
export const nidOf = (f: PSTFolder): number => f.descriptorNodeId.toNumber();

/** A folder's subfolders, search folders left out (they only hold links to other items). */
export function subfolders(folder: PSTFolder): PSTFolder[] {
  if (!folder.hasSubfolders) {
    return [];
  }
  return folder.getSubFolders().filter((f) => (nidOf(f) & 0x1f) !== NID_TYPE_SEARCH_FOLDER);
}

/** The chain root → … → IPM subtree (the part stripped from every folder path). */
export function findIpmChain(pst: PSTFile): PSTFolder[] {
  const root = pst.getRootFolder();
  const wanted = entryNid(pst, PR_IPM_SUBTREE_ENTRYID);
  const children = subfolders(root);
  const byNid = wanted === undefined ? undefined : children.find((f) => nidOf(f) === wanted);
  if (byNid) {
    return [root, byNid];
  }
  for (const child of children) {
    if (/^Root - Public$/i.test(child.displayName)) {
      continue;
    }
    const ipm = subfolders(child).find((f) => f.displayName === 'IPM_SUBTREE' || nidOf(f) === wanted);
    if (ipm) {
      return [root, child, ipm]; // OST: Root - Mailbox/IPM_SUBTREE
    }
  }
  const first = children.find(
    (f) => !/^(Search Root|IPM_VIEWS|IPM_COMMON_VIEWS|Freebusy Data)$/i.test(f.displayName),
  );
  return first ? [root, first] : [root];
}

/** A folder's path segment: its display name, '/' replaced (it separates segments here). */
export function folderName(f: PSTFolder): string {
  return (f.displayName || `folder-${nidOf(f)}`).replaceAll('/', '_');
}

/** The message of a thrown value. */
export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Flags of a PST message (MS-OXCMSG PidTagMessageFlags, MS-OXOMSG PidTagLastVerbExecuted). */
export function pstFlags(msg: PSTMessage): string[] {
  const p = internals(msg);
  const msgFlags = p.getIntItem(PR_MESSAGE_FLAGS, 0);
  const flags: string[] = [];
  if ((msgFlags & MSGFLAG_READ) !== 0) {
    flags.push('\\Seen');
  }
  if ([102, 103].includes(msg.lastVerbExecuted)) {
    flags.push('\\Answered'); // NOTEIVERB_REPLYTOSENDER, NOTEIVERB_REPLYTOALL
  }
  if (p.getIntItem(PR_FLAG_STATUS, 0) === 2) {
    flags.push('\\Flagged'); // followupFlagged
  }
  if ((msgFlags & MSGFLAG_UNSENT) !== 0) {
    flags.push('\\Draft');
  }
  return flags;
}
