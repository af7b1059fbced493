/// <reference lib="dom" />
/** Live mailboxes: what a user's mailbox holds now — where a restore can be checked. */
import { api, seg } from '../api.js';
import { byId, cell, fill, h, showProblem } from '../dom.js';
import { fmtDateTime, plural } from '../format.js';
import type { Folder, Item, LiveMailbox } from '../types.js';

export interface LivePanel {
  show(address?: string): Promise<void>;
}

export function initLive(): LivePanel {
  const error = byId('live-error');
  const boxSelect = byId<HTMLSelectElement>('live-mailbox');
  const folderSelect = byId<HTMLSelectElement>('live-folder');
  const list = byId('live-items');
  let cursor: string | null | undefined;
  let rows: Item[] = [];

  const render = (): void => {
    const more = cursor
      ? h('button', { type: 'button', class: 'secondary more', onclick: () => void load(true) }, 'Show more')
      : null;
    fill(
      list,
      h('p', { class: 'summary', role: 'status' }, `${plural(rows.length, 'item')} shown`),
      rows.length === 0
        ? h('p', { class: 'empty' }, 'No items here.')
        : h(
            'table',
            { class: 'list' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Subject', 'From', 'Date', 'Folder'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              rows.map((r) =>
                h(
                  'tr',
                  {},
                  cell('Subject', r.subject || '(no subject)'),
                  cell('From', r.from),
                  cell('Date', fmtDateTime(r.date ?? r.received)),
                  cell('Folder', r.folder),
                ),
              ),
            ),
          ),
      more,
    );
  };

  const load = async (next = false): Promise<void> => {
    try {
      const page = await api<{ items: Item[]; nextCursor?: string | null }>(
        `/mailboxes/${seg(boxSelect.value)}/items`,
        { query: { folder: folderSelect.value || undefined, cursor: next ? cursor : undefined, limit: 100 } },
      );
      rows = next ? [...rows, ...page.items] : page.items;
      cursor = page.nextCursor;
      showProblem(error, undefined);
      render();
    } catch (err) {
      showProblem(error, err);
    }
  };

  const loadFolders = async (): Promise<void> => {
    const { folders } = await api<{ folders: Folder[] }>(`/mailboxes/${seg(boxSelect.value)}/folders`);
    fill(
      folderSelect,
      h('option', { value: '' }, 'All folders'),
      folders.map((f) => h('option', { value: f.path }, `${f.path} (${f.items})`)),
    );
  };

  boxSelect.addEventListener('change', () => {
    loadFolders()
      .then(() => load())
      .catch((err: unknown) => showProblem(error, err));
  });
  folderSelect.addEventListener('change', () => void load());

  return {
    async show(address?: string): Promise<void> {
      try {
        const { mailboxes } = await api<{ mailboxes: LiveMailbox[] }>('/mailboxes', {
          query: { limit: 500 },
        });
        fill(
          boxSelect,
          mailboxes.map((m) =>
            h(
              'option',
              { value: m.address },
              `${m.address} (${m.items} items, ${m.dumpsterItems} in the dumpster)`,
            ),
          ),
        );
        if (address) {
          boxSelect.value = address;
        }
        if (boxSelect.value) {
          await loadFolders();
          await load();
        } else {
          fill(list, h('p', { class: 'empty' }, 'There are no live mailboxes.'));
        }
      } catch (err) {
        showProblem(error, err);
      }
    },
  };
}
