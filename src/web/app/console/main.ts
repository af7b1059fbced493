/// <reference lib="dom" />
/** The help desk console (`/`): recovery groups, live mailboxes, audit log. */
import { byId, showProblem } from '../dom.js';
import { startSession } from '../session.js';
import { initAudit } from './audit.js';
import { initLive } from './live.js';
import { initRecoveryGroups } from './rsgs.js';
import { initWorkspace } from './workspace.js';

type View = 'recovery' | 'live' | 'audit';

startSession(async () => {
  const live = initLive();
  const audit = initAudit();
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('nav.tabs button[data-view]')];

  const show = (view: View, focus = true): void => {
    for (const t of tabs) {
      const on = t.dataset.view === view;
      if (on) {
        t.setAttribute('aria-current', 'page');
      } else {
        t.removeAttribute('aria-current');
      }
      byId(`view-${t.dataset.view ?? ''}`).hidden = !on;
    }
    if (focus) {
      byId(`${view === 'recovery' ? 'rsg' : view}-title`).focus();
    }
  };

  const viewLive = (address?: string): void => {
    show('live');
    void live.show(address);
  };
  const workspace = initWorkspace(viewLive);
  const rsgs = initRecoveryGroups((rsg) => {
    workspace.open(rsg).catch((err: unknown) => showProblem(byId('rsg-error'), err));
  });

  for (const t of tabs) {
    t.addEventListener('click', () => {
      const view = t.dataset.view as View;
      show(view);
      if (view === 'live') {
        void live.show(byId<HTMLSelectElement>('live-mailbox').value || undefined);
      } else if (view === 'audit') {
        void audit.show();
      } else {
        void rsgs.refresh();
      }
    });
  }
  show('recovery', false);
  await rsgs.refresh();
  byId('app-title').focus();
});
