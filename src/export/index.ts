/**
 * Export: hand-off formats (eml, mbox, zip) and sending items by mail. Items arrive as an
 * async iterable of {@link ExportItem}s, so this module knows nothing about the store, the
 * recovery groups or HTTP; routes and the CLI pass in a selection and an output stream.
 *
 * Invariants:
 * - message bytes are never altered in a file export: an eml is the item's bytes, an mbox
 *   entry is the bytes between a `From ` line and an empty line with only mboxrd `>From `
 *   quoting added (undone by any mboxrd reader), a zip entry is the bytes; every item's bytes
 *   are checked against its sha256 before they are written (SOURCE_CORRUPT otherwise);
 * - mail carries the original bytes as message/rfc822, 7bit or 8bit, with only SMTP's CRLF
 *   line ends imposed (a CRLF message arrives byte for byte);
 * - memory holds about one message (one mail when sending) plus per-item metadata, whatever
 *   the size of the selection; outputs honour backpressure and an AbortSignal;
 * - every name written into a zip or a Content-Disposition went through safeFileName: no
 *   `..`, no absolute path, no separators or control characters, length-capped.
 *
 * See README.md in this directory for the formats and the choices behind them.
 */
export { downloadHeaders, safeFileName, DEFAULT_NAME_MAX_BYTES, type DownloadHeaders } from './file-name.js';
export { MANIFEST_COLUMNS } from './manifest.js';
export {
  DEFAULT_MAX_MAIL_BYTES,
  sendItems,
  type SendItemsOptions,
  type SendItemsProgress,
} from './send-items.js';
export type { SentMail } from './smtp-error.js';
export { SmtpSettingsSchema, type SmtpSettings } from './smtp-settings.js';
export {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportItem,
  type ExportProgress,
  type ExportResult,
  type WriteExportOptions,
} from './types.js';
export { writeExport } from './write-export.js';
