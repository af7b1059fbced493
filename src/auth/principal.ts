/** Roles and principals: who a bearer token speaks for. */
import type { AuditActor } from '../audit/index.js';

export const ROLES = ['admin', 'helpdesk', 'user'] as const;
/**
 * admin: everything. helpdesk: read and restore in any mailbox; no token, hold or purge
 * changes. user: bound to one mailbox, sees only that mailbox and its dumpster.
 */
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The token's id; null for the operator at the console. */
  tokenId: number | null;
  name: string;
  role: Role;
  /** The mailbox a `user` is bound to (its address as stored); null for other roles. */
  mailbox: string | null;
}

/** The operator at the console: the CLI acts as an administrator. */
export const CLI_PRINCIPAL: Principal = { tokenId: null, name: 'cli', role: 'admin', mailbox: null };

export function actorOf(p: Principal): AuditActor {
  return { tokenId: p.tokenId, name: p.name, role: p.role };
}

/** True when the principal may see this mailbox at all (users: only their own). */
export function canSeeMailbox(p: Principal, address: string): boolean {
  return p.role !== 'user' || (p.mailbox !== null && p.mailbox.toLowerCase() === address.toLowerCase());
}

/** True for roles that act on other people's mail (their reads of message bodies are audited). */
export function isPrivileged(p: Principal): boolean {
  return p.role === 'admin' || p.role === 'helpdesk';
}
