/**
 * Bearer tokens, stored hashed in the live database (a StoreExtension: the `auth_tokens` table
 * and the logged `auth.token.create` / `auth.token.revoke` operations). Only the SHA-256 of a
 * secret is ever stored or logged; the secret itself is shown once, at creation.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import { type Op, type StoreExtension, type WriteTx, getMailbox, stmt } from '../store/index.js';
import type { Principal, Role } from './principal.js';

/** Every secret starts with this, so that leaked tokens are easy to recognise and scan for. */
export const TOKEN_PREFIX = 'slv_';
/** Random bytes per secret (256 bits). */
export const TOKEN_SECRET_BYTES = 32;
/** `slv_` + base64url of 32 bytes (43 characters, no padding). */
const TOKEN_FORMAT = /^slv_[A-Za-z0-9_-]{43}$/;
const COUNTER = 'auth_tokens';

export interface Token {
  id: number;
  name: string;
  role: Role;
  mailbox: string | null;
  createdMs: number;
  createdBy: string;
  revokedMs: number | null;
}

export const AUTH_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS auth_tokens (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'user')),
  mailbox     TEXT,                     -- the bound mailbox's address (role 'user' only)
  hash        TEXT NOT NULL UNIQUE,     -- sha256 hex of the secret; the secret is never stored
  created_ms  INTEGER NOT NULL,
  created_by  TEXT NOT NULL DEFAULT '',
  revoked_ms  INTEGER
) STRICT;
`;

type CreateOp = { t: 'auth.token.create'; hash: string } & Token;
interface RevokeOp {
  t: 'auth.token.revoke';
  id: number;
  revokedMs: number;
}

function applyCreate(sql: BetterSqlite3.Database, op: Op): void {
  const o = op as unknown as CreateOp;
  sql
    .prepare(
      'INSERT INTO auth_tokens (id, name, role, mailbox, hash, created_ms, created_by, revoked_ms) VALUES (?,?,?,?,?,?,?,NULL)',
    )
    .run(o.id, o.name, o.role, o.mailbox, o.hash, o.createdMs, o.createdBy);
  sql
    .prepare(
      'INSERT INTO counters (name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = max(next, excluded.next)',
    )
    .run(COUNTER, o.id + 1);
}

function applyRevoke(sql: BetterSqlite3.Database, op: Op): void {
  const o = op as unknown as RevokeOp;
  sql
    .prepare('UPDATE auth_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL')
    .run(o.revokedMs, o.id);
}

/** The auth module's table and logged operations in the live database. */
export const AUTH_EXTENSION: StoreExtension = {
  name: 'auth',
  schemaSql: AUTH_SCHEMA_SQL,
  ops: { 'auth.token.create': applyCreate, 'auth.token.revoke': applyRevoke },
};

export interface CreateTokenInput {
  role: Role;
  /** Required for role `user` (the mailbox must exist), refused for the others. */
  mailbox?: string | null;
  name?: string;
  /** Who creates it (an actor name), kept with the token. */
  createdBy: string;
}

/** A new secret: `slv_` + base64url(32 random bytes). */
export function newSecret(random: (n: number) => Buffer = randomBytes): string {
  return TOKEN_PREFIX + random(TOKEN_SECRET_BYTES).toString('base64url');
}

/**
 * Create a token inside a write batch; returns it with its secret (shown once).
 * @throws VALIDATION_FAILED (mailbox missing for a user, given for another role), MAILBOX_NOT_FOUND
 */
export function createTokenTx(tx: WriteTx, input: CreateTokenInput, secret: string): Token {
  const mailbox = input.mailbox ?? null;
  if (input.role === 'user' && mailbox === null) {
    throw new AppError('VALIDATION_FAILED', 'A user token must be bound to a mailbox', {
      errors: [{ where: 'body', path: 'mailbox', message: 'required for role user' }],
    });
  }
  if (input.role !== 'user' && mailbox !== null) {
    throw new AppError('VALIDATION_FAILED', `A ${input.role} token is not bound to a mailbox`, {
      errors: [{ where: 'body', path: 'mailbox', message: 'only for role user' }],
    });
  }
  const address = mailbox === null ? null : getMailbox(tx.sql, mailbox).address;
  const token: Token = {
    id: tx.nextId(COUNTER),
    name: input.name ?? (address === null ? input.role : `${input.role}:${address}`),
    role: input.role,
    mailbox: address,
    createdMs: tx.now,
    createdBy: input.createdBy,
    revokedMs: null,
  };
  tx.emit({ t: 'auth.token.create', ...token, hash: sha256Hex(Buffer.from(secret, 'utf8')) });
  return token;
}

const TOKEN_COLS =
  'id, name, role, mailbox, created_ms AS createdMs, created_by AS createdBy, revoked_ms AS revokedMs';

export function findToken(sql: BetterSqlite3.Database, id: number): Token | undefined {
  return sql.prepare(`SELECT ${TOKEN_COLS} FROM auth_tokens WHERE id = ?`).get(id) as Token | undefined;
}

/** Every token, newest first (revoked ones too: they stay for the audit trail). */
export function listTokens(sql: BetterSqlite3.Database): Token[] {
  return sql.prepare(`SELECT ${TOKEN_COLS} FROM auth_tokens ORDER BY id DESC`).all() as Token[];
}

/** Revoke a token inside a write batch (revoking twice keeps the first time). @throws TOKEN_NOT_FOUND */
export function revokeTokenTx(tx: WriteTx, id: number): Token {
  const t = findToken(tx.sql, id);
  if (!t) {
    throw new AppError('TOKEN_NOT_FOUND', `No token ${id}`, { tokenId: id });
  }
  if (t.revokedMs === null) {
    tx.emit({ t: 'auth.token.revoke', id, revokedMs: tx.now });
    return { ...t, revokedMs: tx.now };
  }
  return t;
}

/**
 * The principal a secret speaks for, or undefined (unknown, revoked or malformed).
 *
 * The lookup is by the secret's SHA-256: timing differences of the index search reveal at
 * most something about a hash the caller cannot steer, never about a stored secret; the final
 * comparison is constant-time all the same.
 */
export function authenticateToken(sql: BetterSqlite3.Database, secret: string): Principal | undefined {
  if (!TOKEN_FORMAT.test(secret)) {
    return undefined;
  }
  const hash = sha256Hex(Buffer.from(secret, 'utf8'));
  const row = stmt(
    sql,
    'SELECT id, name, role, mailbox, hash, revoked_ms AS revokedMs FROM auth_tokens WHERE hash = ?',
  ).get(hash) as
    (Pick<Token, 'id' | 'name' | 'role' | 'mailbox' | 'revokedMs'> & { hash: string }) | undefined;
  if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) {
    return undefined;
  }
  if (row.revokedMs !== null) {
    return undefined;
  }
  return { tokenId: row.id, name: row.name, role: row.role, mailbox: row.mailbox };
}
