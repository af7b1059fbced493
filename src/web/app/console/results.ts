/// <reference lib="dom" />
/**
 * The result list of a search or a folder: rows with checkboxes (the selection survives paging
 * and new searches until cleared), a subject that opens the preview, the live status of each hit.
 */
import { announce, cell, fill, h, snippetNodes } from '../dom.js';
import { fmtDateTime, plural } from '../format.js';
import type { Folder, Hit, Item, LiveStatus } from '../types.js';

export type Listing =
  | {
      kind: 'search';
      q: string;
      /** The mailbox and order searched: the next page must ask for the same. */
      mailbox: string;
      sort: string;
      total: number;
      hits: Hit[];
      nextCursor?: string;
    }
  | { kind: 'folder'; mailbox: string; folder: Folder; items: Item[]; nextCursor?: string | null };

export interface Selected {
  id: number;
  mailbox: string;
  subject: string;
}

export interface ResultHandlers {
  preview(id: number, mailbox: string): void;
  restoreSelected(items: Selected[]): void;
  restoreFolder(mailbox: string, folder: Folder): void;
  more(): void;
}

interface Row {
  id: number;
  mailbox: string;
  subject: string;
  from: string;
  date: string | null;
  folder: string;
  snippet?: string;
  live?: LiveStatus;
}

export function liveBadge(live: LiveStatus): HTMLElement {
  switch (live.status) {
    case 'present':
      return h('span', { class: 'badge ok' }, `In the mailbox${live.folder ? ` (${live.folder})` : ''}`);
    case 'in-dumpster':
      return h(
        'span',
        { class: 'badge warn' },
        `In the dumpster${typeof live.daysLeft === 'number' ? `, ${plural(live.daysLeft, 'day')} left` : ''}`,
      );
    case 'purged':
      return h('span', { class: 'badge bad' }, 'Purged (tombstone)');
    case 'missing':
      return h('span', { class: 'badge lost' }, 'Missing from the mailbox');
  }
}

export class Results {
  readonly selected = new Map<number, Selected>();
  private listing: Listing | undefined;

  constructor(
    private readonly el: HTMLElement,
    private readonly on: ResultHandlers,
  ) {}

  clear(): void {
    this.listing = undefined;
    this.selected.clear();
    fill(this.el);
  }

  show(listing: Listing): void {
    this.listing = listing;
    this.render();
    announce(
      listing.kind === 'search'
        ? plural(listing.total, 'result')
        : `${listing.folder.path}: ${plural(listing.items.length, 'item')} shown`,
    );
  }

  private rows(): Row[] {
    const l = this.listing;
    if (!l) {
      return [];
    }
    if (l.kind === 'search') {
      return l.hits.map((x) => ({ ...x, id: x.itemId }));
    }
    return l.items.map((x) => ({ ...x, mailbox: l.mailbox }));
  }

  private toggle(r: Row, on: boolean): void {
    if (on) {
      this.selected.set(r.id, { id: r.id, mailbox: r.mailbox, subject: r.subject });
    } else {
      this.selected.delete(r.id);
    }
  }

  private render(): void {
    const l = this.listing;
    if (!l) {
      return;
    }
    const rows = this.rows();
    const isSearch = l.kind === 'search';
    const summary = isSearch
      ? `${plural(l.total, 'result')} for ${l.q}`
      : `${l.folder.path} of ${l.mailbox}: ${plural(l.folder.items, 'item')}`;
    const count = h('span', { class: 'selected-count' });
    const restore = h('button', { type: 'button' }, 'Restore selected…');
    const update = (): void => {
      count.textContent = `${this.selected.size} selected`;
      restore.disabled = this.selected.size === 0;
    };
    restore.addEventListener('click', () => this.on.restoreSelected([...this.selected.values()]));
    const all = h('input', { type: 'checkbox', id: 'select-page' });
    all.checked = rows.length > 0 && rows.every((r) => this.selected.has(r.id));
    const boxes: HTMLInputElement[] = [];
    all.addEventListener('change', () => {
      rows.forEach((r, i) => {
        this.toggle(r, all.checked);
        boxes[i]!.checked = all.checked;
      });
      update();
    });
    const body = rows.map((r) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `Select "${r.subject || '(no subject)'}"` });
      box.checked = this.selected.has(r.id);
      box.addEventListener('change', () => {
        this.toggle(r, box.checked);
        update();
      });
      boxes.push(box);
      return h(
        'tr',
        {},
        h('td', { class: 'pick' }, box),
        cell(
          'Subject',
          h(
            'button',
            { type: 'button', class: 'link', onclick: () => this.on.preview(r.id, r.mailbox) },
            r.subject || '(no subject)',
          ),
          r.snippet ? h('p', { class: 'snippet' }, snippetNodes(r.snippet)) : null,
        ),
        cell('From', r.from),
        cell('Date', fmtDateTime(r.date)),
        cell('Where', `${r.mailbox} · ${r.folder}`),
        isSearch && r.live ? cell('Live mailbox', liveBadge(r.live)) : null,
      );
    });
    const heads = ['Subject', 'From', 'Date', 'Where', ...(isSearch ? ['Live mailbox'] : [])];
    fill(
      this.el,
      h(
        'div',
        { class: 'toolbar' },
        h('p', { class: 'summary' }, summary),
        count,
        restore,
        l.kind === 'folder'
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => this.on.restoreFolder(l.mailbox, l.folder),
              },
              'Restore the whole folder…',
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'quiet',
            onclick: () => {
              this.selected.clear();
              this.render();
            },
          },
          'Clear selection',
        ),
      ),
      rows.length === 0
        ? h('p', { class: 'empty' }, isSearch ? 'Nothing matches this query.' : 'This folder is empty.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'list results' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h(
                    'th',
                    { scope: 'col', class: 'pick' },
                    h('label', { class: 'visually-hidden', for: 'select-page' }, 'Select all on this page'),
                    all,
                  ),
                  heads.map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              h('tbody', {}, body),
            ),
          ),
      l.nextCursor
        ? h('button', { type: 'button', class: 'secondary more', onclick: () => this.on.more() }, 'Show more')
        : null,
    );
    update();
  }
}
