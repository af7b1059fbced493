/// <reference lib="dom" />
/**
 * "Older items from backup": where a recovery group allows self-service, the user browses their
 * own mailbox in it and copies items back (a merge into their mailbox; what policy purged or
 * what they deleted since stays out, and the report says so).
 */
import { ApiError, api, seg } from '../api.js';
import { announce, byId, cell, fill, h, showProblem } from '../dom.js';
import { fmtDate, fmtDateMs, fmtDateTime, plural } from '../format.js';
import type { Item, MergeReport, Rsg } from '../types.js';

const POLL_MS = 500;

function outcome(r: MergeReport): string {
  const c = r.counts;
  const parts = [`Copied ${plural(c.created + c.recoverable, 'item')} back into your mailbox.`];
  if (c.identical + c.changed) {
    parts.push(
      `${plural(c.identical + c.changed, 'item')} ${c.identical + c.changed === 1 ? 'was' : 'were'} already there.`,
    );
  }
  if (c.deletedSinceBackup) {
    parts.push(
      `${plural(c.deletedSinceBackup, 'item')} you deleted since the backup ${c.deletedSinceBackup === 1 ? 'is' : 'are'} in your deleted items above.`,
    );
  }
  if (c.purged + c.expired) {
    parts.push(
      `${plural(c.purged + c.expired, 'item')} cannot come back: the retention policy removed ${c.purged + c.expired === 1 ? 'it' : 'them'}. Ask the help desk.`,
    );
  }
  if (c.failed) {
    parts.push(`${plural(c.failed, 'item')} failed.`);
  }
  return parts.join(' ');
}

function groupView(g: Rsg, onRestored: () => void): HTMLElement {
  const body = h('div', { class: 'table-wrap' });
  const error = h('div');
  const status = h('p', { role: 'status' });
  const selected = new Set<number>();
  const restore = h('button', { type: 'button', disabled: true }, 'Copy selected back to my mailbox');
  let rows: Item[] = [];
  let cursor: string | null | undefined;

  const render = (): void => {
    fill(
      body,
      rows.length === 0
        ? h('p', { class: 'empty' }, 'Your mailbox has no items in this backup.')
        : h(
            'table',
            { class: 'list' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col', class: 'pick' }, h('span', { class: 'visually-hidden' }, 'Select')),
                ['Subject', 'From', 'Folder', 'Date'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              rows.map((it) => {
                const box = h('input', {
                  type: 'checkbox',
                  'aria-label': `Select "${it.subject || '(no subject)'}" from the backup`,
                });
                box.checked = selected.has(it.id);
                box.addEventListener('change', () => {
                  if (box.checked) {
                    selected.add(it.id);
                  } else {
                    selected.delete(it.id);
                  }
                  restore.disabled = selected.size === 0;
                });
                return h(
                  'tr',
                  {},
                  h('td', { class: 'pick' }, box),
                  cell('Subject', it.subject || '(no subject)'),
                  cell('From', it.from),
                  cell('Folder', it.folder),
                  cell('Date', fmtDateTime(it.date ?? it.received)),
                );
              }),
            ),
          ),
      cursor
        ? h(
            'button',
            { type: 'button', class: 'secondary more', onclick: () => void load(true) },
            'Show more',
          )
        : null,
    );
  };

  const load = async (next = false): Promise<void> => {
    try {
      const page = await api<{ items: Item[]; nextCursor?: string | null }>(
        `/me/recovery-groups/${seg(g.id)}/items`,
        {
          query: { cursor: next ? cursor : undefined, limit: 50 },
        },
      );
      rows = next ? [...rows, ...page.items] : page.items;
      cursor = page.nextCursor;
      render();
    } catch (err) {
      showProblem(error, err);
    }
  };

  restore.addEventListener('click', () => {
    void (async () => {
      showProblem(error, undefined);
      restore.disabled = true;
      try {
        let r = await api<MergeReport>(`/me/recovery-groups/${seg(g.id)}/restore`, {
          body: { itemIds: [...selected] },
        });
        while (r.state === 'running' || r.state === 'planned') {
          status.textContent = `Copying: ${r.done} of ${r.total}`;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          r = await api<MergeReport>(`/merges/${seg(r.id ?? 0)}`);
        }
        status.textContent = outcome(r);
        announce(status.textContent);
        selected.clear();
        render();
        onRestored();
      } catch (err) {
        showProblem(error, err);
        restore.disabled = selected.size === 0;
      }
    })();
  });

  const actions = h('div', { class: 'actions', hidden: true }, restore);
  const browse = h('button', { type: 'button', class: 'secondary' }, 'Show my items in this backup');
  browse.addEventListener('click', () => {
    browse.hidden = true;
    actions.hidden = false;
    void load();
  });
  return h(
    'article',
    { class: 'card' },
    h('h3', {}, g.label),
    h(
      'p',
      { class: 'hint' },
      `Backup mounted ${fmtDateMs(g.mountedMs)}${g.source.until ? `, as of ${fmtDate(g.source.until)}` : ''}.`,
    ),
    browse,
    body,
    actions,
    error,
    status,
  );
}

/** Show the section when self-service recovery groups hold the user's mailbox. */
export async function initBackup(onRestored: () => void): Promise<void> {
  const section = byId('backup');
  try {
    const { recoveryGroups } = await api<{ recoveryGroups: Rsg[] }>('/me/recovery-groups');
    const mounted = recoveryGroups.filter((g) => g.state === 'mounted');
    if (mounted.length === 0) {
      return;
    }
    fill(
      byId('backup-groups'),
      mounted.map((g) => groupView(g, onRestored)),
    );
    section.hidden = false;
  } catch (err) {
    // an instance without self-service recovery (no such route) simply has no such section
    if (!(err instanceof ApiError && err.status === 404)) {
      section.hidden = false;
      showProblem(byId('backup-error'), err);
    }
  }
}
