/**
 * Operations: the payload of a txlog record. An operation carries every id, time and byte it
 * needs, so applying it is deterministic (the same on the write path and on replay).
 *
 * Payload encoding: u32 json_length | JSON | binary section. Buffers inside the operation are
 * written to the binary section and stand in the JSON as {"$b":[offset,length]}.
 */
export interface ItemRow {
  id: number;
  mailboxId: number;
  folderId: number | null;
  folderPath: string;
  blobHash: string;
  prefix: Buffer;
  size: number;
  sha256: string;
  identity: string;
  messageId: string | null;
  subject: string;
  from: string;
  to: string;
  cc: string;
  dateMs: number | null;
  internalMs: number;
  flags: string;
  deletedMs: number | null;
  createdMs: number;
  origin: string | null;
}

/**
 * An item row as a tuple, in ITEM_TUPLE_COLUMNS order: the compact form of `item.addMany`, a
 * run of items written by one request (a merge batch of single-instance hits), one log record
 * for all of them instead of one per item, without the field names repeated in every row.
 */
export type ItemTuple = [
  id: number,
  mailboxId: number,
  folderId: number | null,
  folderPath: string,
  blobHash: string,
  prefix: Buffer,
  size: number,
  sha256: string,
  identity: string,
  messageId: string | null,
  subject: string,
  from: string,
  to: string,
  cc: string,
  dateMs: number | null,
  internalMs: number,
  flags: string,
  deletedMs: number | null,
  createdMs: number,
  origin: string | null,
];

export function toItemTuple(it: ItemRow): ItemTuple {
  return [
    it.id,
    it.mailboxId,
    it.folderId,
    it.folderPath,
    it.blobHash,
    it.prefix,
    it.size,
    it.sha256,
    it.identity,
    it.messageId,
    it.subject,
    it.from,
    it.to,
    it.cc,
    it.dateMs,
    it.internalMs,
    it.flags,
    it.deletedMs,
    it.createdMs,
    it.origin,
  ];
}

export interface FolderRow {
  id: number;
  mailboxId: number;
  parentId: number | null;
  name: string;
  path: string;
  role: string | null;
}

/** The core operations of the store; extensions add their own `t` values. */
export type CoreOp =
  | {
      t: 'mailbox.create';
      id: number;
      address: string;
      name: string;
      retentionDays: number | null;
      hold: boolean;
      createdMs: number;
    }
  | { t: 'mailbox.update'; id: number; name?: string; retentionDays?: number | null; hold?: boolean }
  | ({ t: 'folder.create' } & FolderRow)
  | { t: 'folder.delete'; id: number; deletedMs: number }
  | { t: 'blob.put'; hash: string; size: number; data: Buffer | null }
  | { t: 'item.add'; item: ItemRow }
  | { t: 'item.addMany'; rows: ItemTuple[] }
  | { t: 'item.delete'; ids: number[]; deletedMs: number }
  | { t: 'item.restore'; moves: { id: number; folderId: number; folderPath: string }[] }
  | { t: 'item.purge'; ids: number[]; purgedMs: number; tombstones: boolean }
  | { t: 'item.update'; id: number; flags?: string; folderId?: number; folderPath?: string }
  | { t: 'setting'; key: string; value: string };

export interface ExtensionOp {
  t: string;
  [key: string]: unknown;
}

export type Op = CoreOp | ExtensionOp;

/** Replace every byte array in `v` by a reference into `bins` (Buffer.toJSON would inflate it). */
function extractBinary(v: unknown, bins: Buffer[], at: { bytes: number }): unknown {
  if (v instanceof Uint8Array) {
    const ref = { $b: [at.bytes, v.length] };
    bins.push(Buffer.from(v.buffer, v.byteOffset, v.length));
    at.bytes += v.length;
    return ref;
  }
  if (Array.isArray(v)) {
    return v.map((x) => extractBinary(x, bins, at));
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = extractBinary(x, bins, at);
    }
    return out;
  }
  return v;
}

type ItemsOp = Extract<CoreOp, { t: 'item.addMany' }>;

/**
 * extractBinary for `item.addMany`, whose only bytes are each row's prefix (column 5): without
 * walking every value of thousands of rows.
 */
function extractPrefixes(op: ItemsOp, bins: Buffer[], at: { bytes: number }): unknown {
  const rows = op.rows.map((r) => {
    const p = r[5];
    const copy: unknown[] = r.slice();
    copy[5] = { $b: [at.bytes, p.length] };
    bins.push(Buffer.from(p.buffer, p.byteOffset, p.length));
    at.bytes += p.length;
    return copy;
  });
  return { t: op.t, rows };
}

/**
 * An operation's payload as parts, without copying its byte arrays: the head (length + JSON)
 * followed by each Buffer of the binary section. The log writes the parts as they are.
 */
export function encodeOpParts(op: Op): Buffer[] {
  const bins: Buffer[] = [];
  const at = { bytes: 0 };
  const json = JSON.stringify(
    op.t === 'item.addMany' ? extractPrefixes(op as ItemsOp, bins, at) : extractBinary(op, bins, at),
  );
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  const head = Buffer.allocUnsafe(4 + jsonBytes);
  head.writeUInt32LE(jsonBytes, 0);
  head.write(json, 4, 'utf8');
  return [head, ...bins];
}

export function encodeOp(op: Op): Buffer {
  return Buffer.concat(encodeOpParts(op));
}

/**
 * Decode a payload. Byte arrays are copies unless `share`: then they are views of `payload`
 * (replay applies them at once, so copying 50 MB of contents would be wasted work).
 */
export function decodeOp(payload: Buffer, share = false): Op {
  const jsonLen = payload.readUInt32LE(0);
  const json = payload.toString('utf8', 4, 4 + jsonLen);
  const op = JSON.parse(json) as Op;
  if (jsonLen + 4 === payload.length && !json.includes('"$b"')) {
    return op; // no binary section: nothing to put back (a JSON.parse reviver is several times slower)
  }
  const bin = payload.subarray(4 + jsonLen);
  return restoreBinary(op, bin, share) as Op;
}

/** Put the byte arrays back where extractBinary left {"$b":[offset,length]}. */
function restoreBinary(v: unknown, bin: Buffer, share: boolean): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      v[i] = restoreBinary(v[i], bin, share);
    }
    return v;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const ref = o.$b;
    if (Array.isArray(ref) && Object.keys(o).length === 1) {
      const [off, len] = ref as [number, number];
      const view = bin.subarray(off, off + len);
      return share ? view : Buffer.from(view);
    }
    for (const k of Object.keys(o)) {
      o[k] = restoreBinary(o[k], bin, share);
    }
  }
  return v;
}
