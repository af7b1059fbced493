/** One message handed to an export or a send. The export module knows nothing about where it lives. */
export interface ExportItem {
  /** '/'-separated folder path, e.g. 'inbox/projects'. */
  folderPath: string;
  /** The Message-ID, without the angle brackets. */
  messageId?: string;
  /** The Date header, if any. */
  date?: Date;
  from: string;
  subject: string;
  /** Hex SHA-256 of the exact bytes `bytes()` resolves to. */
  sha256: string;
  /** The exact original message bytes, loaded lazily; called once per pass, one item at a time. */
  bytes(): Promise<Buffer>;
}

export type ExportFormat = 'eml' | 'mbox' | 'zip';

/** The export formats, for zod enums at the edges. */
export const EXPORT_FORMATS = ['eml', 'mbox', 'zip'] as const satisfies readonly ExportFormat[];

/** Progress so far: items fully handed to the output, and the sum of their message sizes in bytes. */
export interface ExportProgress {
  items: number;
  bytes: number;
}

export interface WriteExportOptions {
  /** Aborting stops the export promptly: `out` is destroyed and the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called after each item has been handed to the output. */
  onProgress?: (p: ExportProgress) => void;
  /**
   * Only for 'mbox': write a zip holding one `<folder path>.mbox` per folder (plus manifest.csv)
   * instead of one single mbox stream, so that the folder of every message survives.
   */
  mboxPerFolder?: boolean;
}

export interface ExportResult extends ExportProgress {
  /** Bytes written to the output stream (differs from `bytes` by the framing and the compression). */
  outputBytes: number;
}
