/// <reference lib="dom" />
/**
 * The user's dumpster: every deleted item with where it came from, when, and the days left
 * before the purge; filters and an instant lunr search; restore of the selection, one item at a
 * time (each is audited), stopping with a clear message at the hourly limit (429 + Retry-After).
 */
import { ApiError, api, seg } from '../api.js';
import { announce, byId, cell, fill, h, showProblem } from '../dom.js';
import { fmtAgo, fmtDateTime, fmtWait, plural } from '../format.js';
import type { DumpsterItem } from '../types.js';
import { Finder } from './finder.js';

const DAY_MS = 86_400_000;
const EXPIRING_DAYS = 3;

async function loadAll(): Promise<DumpsterItem[]> {
  const all: DumpsterItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: DumpsterItem[]; nextCursor?: string | null }>('/me/dumpster', {
      query: { limit: 500, cursor },
    });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

function daysLeftView(d: DumpsterItem): HTMLElement {
  if (d.daysLeft === null) {
    return h('span', { class: 'badge ok' }, 'kept (on hold)');
  }
  const tone = d.daysLeft <= EXPIRING_DAYS ? 'bad' : d.daysLeft <= 7 ? 'warn' : 'ok';
  return h('span', { class: `badge ${tone}` }, d.daysLeft === 0 ? 'last day' : plural(d.daysLeft, 'day'));
}

export async function initDumpster(retentionDays: number): Promise<void> {
  const list = byId('dumpster-list');
  const countEl = byId('filter-count');
  const q = byId<HTMLInputElement>('filter-q');
  const folderSel = byId<HTMLSelectElement>('filter-folder');
  const ageSel = byId<HTMLSelectElement>('filter-age');
  const expiring = byId<HTMLInputElement>('filter-expiring');
  const restoreBtn = byId<HTMLButtonElement>('restore');
  const restoreCount = byId('restore-count');
  const restoreError = byId('restore-error');
  const restoreStatus = byId('restore-status');

  fill(
    byId('dumpster-intro'),
    `Deleted items are kept for ${plural(retentionDays, 'day')}, then removed for good. Restoring puts an item back into the folder it was deleted from.`,
  );

  let items = await loadAll();
  let finder = new Finder(items);
  const selected = new Set<number>();

  const visible = (): DumpsterItem[] => {
    const now = Date.now();
    const hits = finder.find(q.value);
    const order = hits ? new Map(hits.map((id, i) => [id, i])) : undefined;
    const age = Number(ageSel.value);
    return items
      .filter((d) => !order || order.has(d.id))
      .filter((d) => !folderSel.value || d.folder === folderSel.value)
      .filter((d) => {
        const agoDays = (now - new Date(d.deleted).getTime()) / DAY_MS;
        return !age || (age > 0 ? agoDays <= age : agoDays > -age);
      })
      .filter((d) => !expiring.checked || (d.daysLeft !== null && d.daysLeft <= EXPIRING_DAYS))
      .sort((a, b) => (order ? order.get(a.id)! - order.get(b.id)! : 0));
  };

  const updateButton = (): void => {
    restoreBtn.disabled = selected.size === 0;
    restoreCount.textContent = selected.size ? `${selected.size} selected` : '';
  };

  const render = (): void => {
    const rows = visible();
    countEl.textContent =
      rows.length === items.length
        ? plural(items.length, 'deleted item')
        : `Showing ${rows.length} of ${plural(items.length, 'deleted item')}`;
    for (const id of [...selected]) {
      if (!items.some((d) => d.id === id)) {
        selected.delete(id);
      }
    }
    const all = h('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'Select all shown items' });
    all.checked = rows.length > 0 && rows.every((d) => selected.has(d.id));
    all.addEventListener('change', () => {
      rows.forEach((d) => (all.checked ? selected.add(d.id) : selected.delete(d.id)));
      render();
    });
    fill(
      list,
      rows.length === 0
        ? h(
            'p',
            { class: 'empty' },
            items.length === 0 ? 'Your dumpster is empty.' : 'No deleted item matches.',
          )
        : h(
            'table',
            { class: 'list' },
            h('caption', { class: 'visually-hidden' }, 'Deleted items'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col', class: 'pick' }, all),
                ['Subject', 'From', 'Deleted from', 'Deleted', 'Days left'].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              rows.map((d) => {
                const box = h('input', {
                  type: 'checkbox',
                  'aria-label': `Select "${d.subject || '(no subject)'}"`,
                });
                box.checked = selected.has(d.id);
                box.addEventListener('change', () => {
                  if (box.checked) {
                    selected.add(d.id);
                  } else {
                    selected.delete(d.id);
                  }
                  all.checked = rows.every((r) => selected.has(r.id));
                  updateButton();
                });
                return h(
                  'tr',
                  { 'data-item': d.id },
                  h('td', { class: 'pick' }, box),
                  cell('Subject', h('span', { class: 'subject' }, d.subject || '(no subject)')),
                  cell('From', d.from),
                  cell('Deleted from', d.folder),
                  cell(
                    'Deleted',
                    h('time', { datetime: d.deleted, title: fmtDateTime(d.deleted) }, fmtAgo(d.deleted)),
                  ),
                  cell('Days left', daysLeftView(d)),
                );
              }),
            ),
          ),
    );
    updateButton();
  };

  const folders = [...new Set(items.map((d) => d.folder))].sort();
  fill(
    folderSel,
    h('option', { value: '' }, 'Any folder'),
    folders.map((f) => h('option', { value: f }, f)),
  );
  q.addEventListener('input', render);
  for (const el of [folderSel, ageSel, expiring]) {
    el.addEventListener('change', render);
  }

  restoreBtn.addEventListener('click', () => {
    void (async () => {
      showProblem(restoreError, undefined);
      restoreStatus.textContent = '';
      restoreBtn.disabled = true;
      const ids = items.filter((d) => selected.has(d.id)).map((d) => d.id);
      const done: { id: number; folder: string }[] = [];
      try {
        for (const id of ids) {
          done.push(
            await api<{ id: number; folder: string }>(`/me/dumpster/${seg(id)}/restore`, { method: 'POST' }),
          );
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 429) {
          const wait = err.problem.retryAfterSeconds;
          showProblem(
            restoreError,
            err,
            `You have restored as many items as allowed for now${done.length ? ` (${plural(done.length, 'item')} were restored just now)` : ''}. ${wait ? `You can restore more in ${fmtWait(wait)}.` : 'Try again later.'} Your deleted items stay here meanwhile.`,
          );
        } else {
          showProblem(restoreError, err);
        }
      } finally {
        const gone = new Set(done.map((d) => d.id));
        items = items.filter((d) => !gone.has(d.id));
        finder = new Finder(items);
        if (done.length) {
          const where = [...new Set(done.map((d) => d.folder))].join(', ');
          restoreStatus.textContent = `Restored ${plural(done.length, 'item')} to ${where}.`;
          announce(restoreStatus.textContent);
        }
        render();
      }
    })();
  });

  render();
}
