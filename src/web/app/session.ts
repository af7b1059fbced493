/// <reference lib="dom" />
/**
 * Sign-in shared by both pages: a bearer token typed (or pasted) once, checked with GET /me,
 * kept in sessionStorage for this tab only. Sign-out forgets it and reloads the page.
 */
import { ApiError, type Problem, SIGNED_OUT_EVENT, api, session } from './api.js';
import { byId, fill, h, showProblem } from './dom.js';

export type Role = 'admin' | 'helpdesk' | 'user';

export interface Me {
  tokenId: number;
  name: string;
  role: Role;
  mailbox: { address: string; name: string; effectiveRetentionDays: number; hold: boolean } | null;
}

const ROLE_NAMES: Record<Role, string> = { admin: 'administrator', helpdesk: 'help desk', user: 'user' };

/**
 * Wire the sign-in form (#sign-in-form, #token, #sign-in-error) and the signed-in chrome
 * (#app, #who, #sign-out); `onSignedIn` builds the page once the token is known to work.
 */
export function startSession(onSignedIn: (me: Me) => Promise<void> | void): void {
  const view = byId('sign-in-view');
  const form = byId<HTMLFormElement>('sign-in-form');
  const input = byId<HTMLInputElement>('token');
  const error = byId('sign-in-error');
  const app = byId('app');
  const who = byId('who');

  const signedOut = (problem?: unknown): void => {
    session.clear();
    app.hidden = true;
    who.hidden = true;
    view.hidden = false;
    showProblem(error, problem);
    input.focus();
  };

  const enter = async (): Promise<void> => {
    const me = await api<Me>('/me');
    view.hidden = true;
    who.hidden = false;
    fill(
      byId('who-name'),
      h('span', {}, me.mailbox ? me.mailbox.address : me.name),
      h('span', { class: 'role' }, ROLE_NAMES[me.role]),
    );
    app.hidden = false;
    await onSignedIn(me);
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) {
      input.focus();
      return;
    }
    session.set(token);
    input.value = '';
    showProblem(error, undefined);
    enter().catch((err: unknown) => signedOut(err));
  });

  byId('sign-out').addEventListener('click', () => {
    session.clear();
    location.reload();
  });

  window.addEventListener(SIGNED_OUT_EVENT, (ev) => {
    const problem = (ev as CustomEvent<Problem>).detail;
    signedOut(
      new ApiError({
        ...problem,
        title: 'Signed out',
        detail: `The server no longer accepts this token: ${problem.detail}`,
      }),
    );
  });

  if (session.token()) {
    enter().catch((err: unknown) => signedOut(err));
  } else {
    signedOut();
  }
}
