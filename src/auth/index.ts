/**
 * Authentication and authorisation: bearer tokens and the roles they carry.
 *
 * Owns the `auth_tokens` table of the live database (a StoreExtension). Invariants: only the
 * SHA-256 of a secret is stored or logged; a revoked token never authenticates again; a
 * `user` token is bound to exactly one existing mailbox. Token creation and revocation are
 * audited in the same write batch as the change itself.
 */
import { randomBytes } from 'node:crypto';
import type { AuditContext, AuditService } from '../audit/index.js';
import { isAppError } from '../errors.js';
import type { Database } from '../store/index.js';
import {
  type CreateTokenInput,
  type Token,
  authenticateToken,
  createTokenTx,
  listTokens,
  newSecret,
  revokeTokenTx,
} from './tokens.js';
import type { Principal } from './principal.js';

export * from './principal.js';
export * from './rate-limit.js';
export * from './tokens.js';

export interface TokenView {
  id: number;
  name: string;
  role: string;
  mailbox: string | null;
  created: string;
  createdBy: string;
  revoked: string | null;
}

export function toTokenView(t: Token): TokenView {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    mailbox: t.mailbox,
    created: new Date(t.createdMs).toISOString(),
    createdBy: t.createdBy,
    revoked: t.revokedMs === null ? null : new Date(t.revokedMs).toISOString(),
  };
}

/** Create a token and its audit entry in one write. Returns the token and its secret (shown once). */
export function createToken(
  db: Database,
  audit: AuditService,
  ctx: AuditContext,
  input: Omit<CreateTokenInput, 'createdBy'>,
  random: (n: number) => Buffer = randomBytes,
): Promise<{ token: Token; secret: string }> {
  const secret = newSecret(random);
  return db
    .write((tx) => {
      const token = createTokenTx(tx, { ...input, createdBy: ctx.actor.name }, secret);
      audit.recordTx(tx, {
        ...ctx,
        action: 'createToken',
        target: `/tokens/${token.id}`,
        outcome: 'ok',
        detail: { role: token.role, mailbox: token.mailbox, name: token.name },
      });
      return { token, secret };
    })
    .catch(async (err: unknown) => {
      await audit.record({
        ...ctx,
        action: 'createToken',
        target: '/tokens',
        outcome: 'failed',
        code: codeOf(err),
      });
      throw err;
    });
}

/** Revoke a token and audit it in one write. @throws TOKEN_NOT_FOUND */
export function revokeToken(
  db: Database,
  audit: AuditService,
  ctx: AuditContext,
  id: number,
): Promise<Token> {
  return db
    .write((tx) => {
      const token = revokeTokenTx(tx, id);
      audit.recordTx(tx, { ...ctx, action: 'revokeToken', target: `/tokens/${id}`, outcome: 'ok' });
      return token;
    })
    .catch(async (err: unknown) => {
      await audit.record({
        ...ctx,
        action: 'revokeToken',
        target: `/tokens/${id}`,
        outcome: 'failed',
        code: codeOf(err),
      });
      throw err;
    });
}

function codeOf(err: unknown): string {
  return isAppError(err) ? err.code : 'INTERNAL';
}

/** Tokens of one live database, for the service. */
export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {}

  /** The principal of a bearer secret, or undefined. */
  authenticate(secret: string): Principal | undefined {
    return authenticateToken(this.db.sql, secret);
  }

  /** @throws VALIDATION_FAILED, MAILBOX_NOT_FOUND */
  create(
    ctx: AuditContext,
    input: Omit<CreateTokenInput, 'createdBy'>,
  ): Promise<{ token: Token; secret: string }> {
    return createToken(this.db, this.audit, ctx, input, this.random);
  }

  list(): Token[] {
    return listTokens(this.db.sql);
  }

  /** @throws TOKEN_NOT_FOUND */
  revoke(ctx: AuditContext, id: number): Promise<Token> {
    return revokeToken(this.db, this.audit, ctx, id);
  }
}
