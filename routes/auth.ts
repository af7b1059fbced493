/**
 * The guard of every route: authenticate the bearer token (RFC 6750), keep a `user` inside
 * their own mailbox, check the role — and audit every refusal.
 *
 * Order: 401 (no or bad token) → 400 (malformed mailbox address) → 404 (a user aiming at
 * another mailbox: answered exactly like a mailbox that does not exist, so nothing is revealed)
 * → 403 (the role may not do this). Each refusal is recorded in the audit log.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditInput } from '../src/audit/index.js';
import { type Principal, type Role, actorOf, canSeeMailbox } from '../src/auth/index.js';
import { AppError } from '../src/errors.js';
import { sha256Hex } from '../src/lib/hash.js';
import type { Services } from '../src/services.js';
import { stateOf } from './context.js';
import { MailboxParams, parse } from './params.js';

export interface Access {
  /** Roles allowed, or 'public' (no token needed). */
  roles: readonly Role[] | 'public';
  /** The route names a mailbox in `:address`: a `user` may only name their own. */
  mailbox?: boolean;
}

/** Read anything in a mailbox: staff anywhere, a user in their own. */
export const MAILBOX_READER: Access = { roles: ['admin', 'helpdesk', 'user'], mailbox: true };
/** Restore from a mailbox's dumpster: the same people as readers. */
export const MAILBOX_RESTORER: Access = MAILBOX_READER;
/** Change a mailbox's content: an administrator, or the user who owns it. */
export const MAILBOX_OWNER: Access = { roles: ['admin', 'user'], mailbox: true };
/** Change a mailbox's settings or purge its dumpster: administrators only. */
export const MAILBOX_ADMIN: Access = { roles: ['admin'], mailbox: true };
export const ADMIN: Access = { roles: ['admin'] };
export const STAFF: Access = { roles: ['admin', 'helpdesk'] };
export const ANY_TOKEN: Access = { roles: ['admin', 'helpdesk', 'user'] };
/** The end user's self-service: user tokens only. */
export const SELF: Access = { roles: ['user'] };
export const PUBLIC: Access = { roles: 'public' };

/** A guard middleware; its operation and access stay readable for the contract tests. */
export type Guard = RequestHandler & { operationId: string; access: Access };

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const ANONYMOUS = { tokenId: null, name: 'anonymous', role: null };

/** The audit target of a request: its path under /api/v1, the mailbox address in lower case. */
export function auditTarget(req: Request): string {
  let p = req.path;
  try {
    p = decodeURIComponent(p);
  } catch {
    // a malformed escape is recorded as sent
  }
  const m = /^\/mailboxes\/([^/]+)(.*)$/s.exec(p);
  return m ? `/mailboxes/${m[1]!.toLowerCase()}${m[2]!}` : p;
}

/**
 * The guard of one route. `operationId` names the operation in openapi.yaml and in the audit log.
 * @throws UNAUTHORIZED, VALIDATION_FAILED (address), MAILBOX_NOT_FOUND (scope), FORBIDDEN
 */
export function guard(services: Services, operationId: string, access: Access): Guard {
  const deny = async (
    req: Request,
    res: Response,
    input: Omit<AuditInput, 'action' | 'target' | 'outcome'>,
  ) => {
    await services.audit.record({
      ...input,
      action: operationId,
      target: auditTarget(req),
      outcome: 'denied',
      requestId: stateOf(res).requestId,
    });
  };
  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (access.roles === 'public') {
      next();
      return;
    }
    const principal = await authenticate(req, res);
    stateOf(res).principal = principal;
    if (access.mailbox) {
      const { address } = parse(MailboxParams, { address: req.params.address }, 'params');
      if (!canSeeMailbox(principal, address)) {
        await deny(req, res, {
          actor: actorOf(principal),
          code: 'MAILBOX_NOT_FOUND',
          detail: { reason: 'scope' },
        });
        throw new AppError('MAILBOX_NOT_FOUND', `No mailbox '${address}'`, { mailbox: address });
      }
    }
    if (!access.roles.includes(principal.role)) {
      await deny(req, res, { actor: actorOf(principal), code: 'FORBIDDEN', detail: { reason: 'role' } });
      throw new AppError('FORBIDDEN', `A ${principal.role} token may not ${operationId}`, {
        role: principal.role,
      });
    }
    next();
  };
  const authenticate = async (req: Request, res: Response): Promise<Principal> => {
    const header = req.get('authorization');
    if (header === undefined) {
      res.set('WWW-Authenticate', 'Bearer realm="salvage"');
      await deny(req, res, { actor: ANONYMOUS, code: 'UNAUTHORIZED', detail: { reason: 'missing' } });
      throw new AppError('UNAUTHORIZED', 'This request needs a bearer token (Authorization: Bearer slv_…)');
    }
    const secret = BEARER.exec(header)?.[1];
    const principal = secret === undefined ? undefined : services.auth.authenticate(secret);
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer realm="salvage", error="invalid_token"');
      // a fingerprint lets repeated attempts with one bad token be correlated; the token is not kept
      const fingerprint = sha256Hex(Buffer.from(header, 'utf8')).slice(0, 12);
      await deny(req, res, {
        actor: ANONYMOUS,
        code: 'UNAUTHORIZED',
        detail: { reason: 'invalid', fingerprint },
      });
      throw new AppError('UNAUTHORIZED', 'The bearer token is not valid (unknown, revoked or malformed)');
    }
    return principal;
  };
  return Object.assign(handler as RequestHandler, { operationId, access });
}
