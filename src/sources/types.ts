/**
 * The shapes every source reader produces. Re-exported by `index.ts`; readers import them
 * from here so that `index.ts` can import the readers without a cycle.
 */

/** The foreign formats Salvage reads. */
export type SourceKind = 'maildir' | 'eml-tree' | 'mbox' | 'pst';

/**
 * A special-use folder role (RFC 6154 names, plus Exchange's dumpster): lets a merge map
 * `sent_items` in an Enron dump and `Sent Items` in a PST onto the target's Sent folder.
 */
export type FolderRole = 'inbox' | 'sent' | 'drafts' | 'deleted' | 'junk' | 'archive' | 'recoverable';

/** One folder of a source mailbox. */
export interface SourceFolder {
  /** Source mailbox name (see `readSource` for how it is chosen). */
  mailbox: string;
  /** '/'-separated folder path inside the mailbox, e.g. 'inbox/genie' or 'Sent Items'. */
  path: string;
  role?: FolderRole;
}

/** One message read from a source. */
export interface SourceMessage {
  mailbox: string;
  /** Path of the folder it sits in; a `folder` event for it was yielded before. */
  folderPath: string;
  /**
   * The RFC 5322 message: the exact original bytes for Maildir, eml-tree and mbox (after
   * undoing the mbox `>From ` quoting), a MIME rendering for PST items.
   */
  bytes: Buffer;
  /** IMAP system flags (RFC 9051 §2.3.2): '\\Seen' '\\Answered' '\\Flagged' '\\Deleted' '\\Draft'. */
  flags: string[];
  /** When it arrived, in ms since the epoch, when the source records it. */
  internalMs?: number;
  /** Set when the item sat in the source's dumpster (PST "Recoverable Items"): its deletion time. */
  deletedMs?: number;
  /**
   * Where it came from, for reports: a path relative to the source root (`user/inbox/1.`),
   * plus `:<byte offset>` for mbox, or `<file>:<folder path>#<node id>` for a PST item.
   */
  origin: string;
}

/** What a reader yields, in a deterministic order. */
export type SourceEvent =
  /** Every folder, empty ones too, before any of its messages. */
  | { kind: 'folder'; folder: SourceFolder }
  | { kind: 'message'; message: SourceMessage }
  /** A bad item that was skipped, with a precise reason; reading goes on. */
  | { kind: 'problem'; origin: string; reason: string };

/** Options for `readSource` and `estimateSource`. */
export interface SourceOptions {
  /** Read the whole source as this one mailbox instead of naming mailboxes after directories/files. */
  mailbox?: string;
  /** Larger messages are skipped with a `problem` event. Default 50 MiB. */
  maxMessageBytes?: number;
  /** How `>From ` lines in an mbox were quoted. Default 'mboxrd'. */
  mboxQuoting?: 'mboxrd' | 'mboxo';
  /**
   * Maildir, eml-tree: read each file with blocking calls, one at a time, instead of through the
   * async read-ahead window — for a reader running in a worker thread of its own (the event loop
   * it blocks is its own), where it costs far less CPU per file. `estimateSource` then stats with
   * blocking calls too, letting the event loop run every 1,000 files (a few ms): about a third
   * of the CPU of the async stats. Default false.
   */
  blockingReads?: boolean;
}

/** A cheap size estimate of a source, for progress bars. */
export interface SourceEstimate {
  /** Number of candidate message files (Maildir, eml-tree) or items (PST); absent for mbox. */
  messages?: number;
  /** Total bytes of the files that will be read. */
  bytes: number;
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  mailbox: string | undefined;
  maxMessageBytes: number;
  mboxQuoting: 'mboxrd' | 'mboxo';
  blockingReads: boolean;
}
