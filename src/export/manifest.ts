import type { ExportItem } from './types.js';

/** The columns of manifest.csv, in order. */
export const MANIFEST_COLUMNS = ['path', 'message_id', 'date', 'from', 'subject', 'sha256'] as const;

/**
 * One RFC 4180 field: quoted when it holds a quote, a comma, CR or LF, with quotes doubled.
 * Values are written as they are (no spreadsheet-formula neutralising): the manifest is a
 * record of what was exported, and a leading '=' in a subject is part of that record.
 */
export function csvField(value: string): string {
  return /[",\r\n]/u.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV record, CRLF-terminated as RFC 4180 says. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The manifest row of `item`, exported under `path`, whose bytes hash to `sha256`. */
export function manifestRow(path: string, item: ExportItem, sha256: string): string {
  const date = item.date !== undefined && !Number.isNaN(item.date.getTime()) ? item.date.toISOString() : '';
  return csvRecord([path, item.messageId ?? '', date, item.from, item.subject, sha256]);
}

/** Accumulates manifest.csv: one row of metadata per item (a few hundred bytes, never message bytes). */
export class ManifestBuilder {
  private readonly rows: string[] = [csvRecord(MANIFEST_COLUMNS)];

  add(path: string, item: ExportItem, sha256: string): void {
    this.rows.push(manifestRow(path, item, sha256));
  }

  toBuffer(): Buffer {
    return Buffer.from(this.rows.join(''), 'utf8');
  }
}
