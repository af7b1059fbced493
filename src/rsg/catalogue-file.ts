/** `rsg.json`: what the catalogue knows of one recovery group, kept beside its database. */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { writeFileDurable } from '../lib/fs.js';

export type RsgSourceKind = 'backup' | 'database' | 'maildir' | 'eml-tree' | 'mbox' | 'pst';
export const RSG_SOURCE_KINDS: readonly RsgSourceKind[] = [
  'backup',
  'database',
  'maildir',
  'eml-tree',
  'mbox',
  'pst',
];

export type RsgState = 'mounting' | 'mounted' | 'failed';

export interface MountProgress {
  phase: 'converting' | 'restoring' | 'indexing' | 'sealing' | 'done';
  items: number;
  bytes: number;
  /** Estimated totals, when the source allows an estimate. */
  totalItems?: number;
  totalBytes?: number;
  itemsPerSecond: number;
  /** Seconds left, estimated. */
  etaSeconds?: number;
}

export interface MountProblem {
  origin: string;
  reason: string;
}

export interface RsgCounts {
  mailboxes: number;
  folders: number;
  items: number;
  dumpsterItems: number;
  bytes: number;
}

export interface RsgInfo {
  id: string;
  label: string;
  source: { kind: RsgSourceKind; path: string; mailbox?: string; until?: string };
  state: RsgState;
  /** Why a mount failed. */
  error?: { code: string; message: string };
  /** End users may browse and restore their own mailbox from this RSG. */
  selfService: boolean;
  createdMs: number;
  mountedMs?: number;
  /** The database directory: `db` inside the RSG, or the source itself for `database`. */
  databaseDir: string;
  counts: RsgCounts;
  progress?: MountProgress;
  report: {
    problems: MountProblem[];
    problemCount: number;
    indexed?: number;
    indexFailed?: number;
    ms?: number;
  };
}

export const INFO_FILE = 'rsg.json';
/** Problems listed in rsg.json; more are counted only. */
export const MAX_LISTED_PROBLEMS = 1000;

const ID_RE = /^[a-z0-9]{4,32}$/;

/** @throws RSG_NOT_FOUND for an id that cannot be one (path traversal, junk) */
export function checkRsgId(id: string): string {
  if (!ID_RE.test(id)) {
    throw new AppError('RSG_NOT_FOUND', `No recovery group '${id.slice(0, 64)}'`, { rsg: id.slice(0, 64) });
  }
  return id;
}

export function readInfo(dir: string): RsgInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, INFO_FILE), 'utf8')) as RsgInfo;
  } catch {
    // a directory without a readable rsg.json is not a recovery group (yet): skip it
    return undefined;
  }
}

export function writeInfo(dir: string, info: RsgInfo): void {
  writeFileDurable(path.join(dir, INFO_FILE), JSON.stringify(info, null, 2) + '\n');
}
