/** Who calls a service method, and in which request: the input of authorisation and audit. */
import type { AuditContext } from '../audit/index.js';
import { type Principal, actorOf } from '../auth/index.js';

export interface Caller {
  principal: Principal;
  requestId: string | null;
}

export function auditContext(c: Caller): AuditContext {
  return { actor: actorOf(c.principal), requestId: c.requestId };
}

/** The API path of a mailbox (lower case: addresses compare without case), for audit targets. */
export function mailboxTarget(address: string, ...rest: (string | number)[]): string {
  return ['/mailboxes', address.toLowerCase(), ...rest.map(String)].join('/');
}
