/** Per-request state kept on `res.locals`: the request id and, once authenticated, the principal. */
import type { Response } from 'express';
import type { Principal } from '../src/auth/index.js';
import { AppError } from '../src/errors.js';
import type { Caller } from '../src/live/index.js';

export interface RequestState {
  requestId: string;
  principal?: Principal;
}

const KEY = 'salvage';

export function initState(res: Response, requestId: string): RequestState {
  const s: RequestState = { requestId };
  (res.locals as Record<string, unknown>)[KEY] = s;
  return s;
}

export function stateOf(res: Response): RequestState {
  const s = (res.locals as Record<string, unknown>)[KEY] as RequestState | undefined;
  if (!s) {
    throw new AppError('INTERNAL', 'The request has no state: is the request-context middleware installed?');
  }
  return s;
}

/** The authenticated caller of a guarded route. */
export function callerOf(res: Response): Caller {
  const s = stateOf(res);
  if (!s.principal) {
    throw new AppError('INTERNAL', 'The route is not guarded: no principal');
  }
  return { principal: s.principal, requestId: s.requestId };
}

/** The mailbox a `user` caller is bound to. @throws FORBIDDEN for other roles */
export function ownMailboxOf(res: Response): string {
  const p = callerOf(res).principal;
  if (p.mailbox === null) {
    throw new AppError('FORBIDDEN', 'This token is not bound to a mailbox');
  }
  return p.mailbox;
}
