/**
 * The API's JSON shapes the pages read: names for the schemas of openapi.yaml, whose types
 * `npm run gen:api-types` generates into openapi.gen.ts (a test fails when that file is stale).
 */
import type { components } from './openapi.gen.js';

type Schemas = components['schemas'];

export type MountProgress = Schemas['MountProgress'];
export type Rsg = Schemas['RecoveryGroup'];
export type RsgMailbox = Schemas['RsgMailboxList']['mailboxes'][number];
/** A folder of a recovery group (live folders carry more: see `Schemas['Folder']`). */
export type Folder = Schemas['RsgFolderList']['folders'][number];
export type Item = Schemas['ItemFields'];
export type DumpsterItem = Schemas['DumpsterItem'];
export type LiveStatus = Schemas['LiveStatus'];
export type Hit = Schemas['SearchHit'];
export type SearchResult = Schemas['SearchResult'];
/** An item with its parts, as the live (`ItemDetail`) and the RSG (`RsgItemDetail`) routes send it. */
export type MessageDetail = Schemas['ItemDetail'] & { mailbox?: string };
export type MergeCounts = Schemas['MergeCounts'];
export type MergeReport = Schemas['MergeReportFields'];
export type UndoReport = Schemas['UndoReport'];
export type LiveMailbox = Schemas['Mailbox'];
export type AuditEntry = Schemas['AuditEntry'];

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
