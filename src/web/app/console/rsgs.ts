/// <reference lib="dom" />
/** The recovery groups: list, mount with live progress (polling the 202's resource), unmount. */
import { api, seg } from '../api.js';
import { announce, byId, cell, fill, guarded, h, showProblem } from '../dom.js';
import { fmtBytes, fmtDateMs, plural } from '../format.js';
import type { MountProgress, Rsg } from '../types.js';

const POLL_MS = 1000;

function progressText(p: MountProgress | undefined): string {
  if (!p) {
    return 'Starting…';
  }
  const of = p.totalItems ? ` of ${p.totalItems}` : '';
  const rate = p.itemsPerSecond ? `, ${p.itemsPerSecond} items/s` : '';
  const eta = p.etaSeconds !== undefined ? `, about ${p.etaSeconds} s left` : '';
  return `${p.phase}: ${p.items}${of} items${rate}${eta}`;
}

function stateCell(r: Rsg): HTMLElement {
  if (r.state === 'failed') {
    return h('span', { class: 'badge bad' }, `failed: ${r.error?.message ?? 'unknown error'}`);
  }
  if (r.state === 'mounting') {
    return h('span', { class: 'badge warn' }, progressText(r.progress));
  }
  return h('span', { class: 'badge ok' }, r.selfService ? 'mounted · self-service' : 'mounted');
}

export interface RsgPanel {
  refresh(): Promise<void>;
}

export function initRecoveryGroups(open: (rsg: Rsg) => void): RsgPanel {
  const list = byId('rsg-list');
  const error = byId('rsg-error');
  let timer: number | undefined;

  const unmount = async (r: Rsg): Promise<void> => {
    if (!confirm(`Unmount "${r.label}"? The source files are not touched.`)) {
      return;
    }
    await api(`/recovery-groups/${seg(r.id)}`, { method: 'DELETE' });
    announce(`Unmounted ${r.label}`);
    await refresh();
  };

  const render = (groups: Rsg[]): void => {
    if (groups.length === 0) {
      fill(list, h('p', { class: 'empty' }, 'No recovery group is mounted. Mount a backup below.'));
      return;
    }
    const rows = groups.map((r) =>
      h(
        'tr',
        {},
        cell('Label', h('strong', {}, r.label)),
        cell('Source', `${r.source.kind} · ${r.source.path}`),
        cell('State', stateCell(r)),
        cell(
          'Contents',
          `${plural(r.counts.mailboxes, 'mailbox', 'mailboxes')}, ${plural(r.counts.items, 'item')}, ${fmtBytes(r.counts.bytes)}`,
        ),
        cell('Mounted', fmtDateMs(r.mountedMs)),
        cell(
          'Actions',
          h('div', { class: 'actions' }, [
            h(
              'button',
              { type: 'button', disabled: r.state !== 'mounted', onclick: () => open(r) },
              'Open',
              h('span', { class: 'visually-hidden' }, ` ${r.label}`),
            ),
            h(
              'button',
              { type: 'button', class: 'quiet', onclick: guarded(error, () => unmount(r)) },
              'Unmount',
              h('span', { class: 'visually-hidden' }, ` ${r.label}`),
            ),
          ]),
        ),
      ),
    );
    fill(
      list,
      h(
        'table',
        { class: 'list' },
        h('caption', { class: 'visually-hidden' }, 'Mounted recovery groups'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Label', 'Source', 'State', 'Contents', 'Mounted', 'Actions'].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h('tbody', {}, rows),
      ),
    );
  };

  const refresh = async (): Promise<void> => {
    window.clearTimeout(timer);
    try {
      const { recoveryGroups } = await api<{ recoveryGroups: Rsg[] }>('/recovery-groups');
      showProblem(error, undefined);
      render(recoveryGroups);
      if (recoveryGroups.some((r) => r.state === 'mounting')) {
        timer = window.setTimeout(() => void refresh(), POLL_MS * 2);
      }
    } catch (err) {
      showProblem(
        error,
        err,
        'Recovery groups are for the help desk and administrators. End users: go to /me for your deleted items.',
      );
      fill(list);
    }
  };

  initMountForm(refresh, open);
  byId('rsg-refresh').addEventListener('click', () => void refresh());
  return { refresh };
}

function initMountForm(refresh: () => Promise<void>, open: (rsg: Rsg) => void): void {
  const form = byId<HTMLFormElement>('mount-form');
  const error = byId('mount-error');
  const box = byId('mount-progress');
  const bar = byId<HTMLProgressElement>('mount-bar');
  const status = byId('mount-status');
  const value = (id: string): string | undefined => byId<HTMLInputElement>(id).value.trim() || undefined;

  const watch = async (id: string): Promise<void> => {
    for (;;) {
      const r = await api<Rsg>(`/recovery-groups/${seg(id)}`);
      const p = r.progress;
      if (p?.totalItems) {
        bar.max = p.totalItems;
        bar.value = p.items;
      } else {
        bar.removeAttribute('value');
      }
      status.textContent = r.state === 'mounting' ? progressText(p) : `${r.label}: ${r.state}`;
      if (r.state === 'failed') {
        throw new Error(`The mount failed: ${r.error?.code ?? ''} ${r.error?.message ?? ''}`.trim());
      }
      if (r.state === 'mounted') {
        bar.max = 1;
        bar.value = 1;
        status.textContent = `Mounted ${r.label}: ${plural(r.counts.items, 'item')} in ${plural(r.counts.mailboxes, 'mailbox', 'mailboxes')}${r.report.problemCount ? `, ${plural(r.report.problemCount, 'item')} skipped` : ''}.`;
        announce(status.textContent);
        form.reset();
        await refresh();
        open(r);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const submit = form.querySelector('button[type=submit]') as HTMLButtonElement;
    submit.disabled = true;
    box.hidden = false;
    status.textContent = 'Starting the mount…';
    bar.removeAttribute('value');
    guarded(error, async () => {
      try {
        const r = await api<Rsg>('/recovery-groups', {
          body: {
            source: byId<HTMLSelectElement>('mount-source').value,
            path: value('mount-path'),
            label: value('mount-label'),
            until: value('mount-until'),
            mailbox: value('mount-mailbox'),
            selfService: byId<HTMLInputElement>('mount-self').checked,
          },
        });
        await refresh();
        await watch(r.id);
      } catch (err) {
        box.hidden = true;
        throw err;
      } finally {
        submit.disabled = false;
      }
    })();
  });
}
