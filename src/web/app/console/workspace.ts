/// <reference lib="dom" />
/**
 * One open recovery group: its mailbox and folder tree, the search box (errors shown where
 * they are), the result list with its selection, the preview and the restore panel.
 */
import { ApiError, api, seg } from '../api.js';
import { byId, fill, h, problemView, showProblem } from '../dom.js';
import { fmtBytes, fmtDateMs, plural } from '../format.js';
import type { Folder, Item, Rsg, RsgMailbox, SearchResult } from '../types.js';
import { openMerge } from './merge.js';
import { showPreview } from './preview.js';
import { type Listing, Results, type Selected } from './results.js';
import { renderTree } from './tree.js';

export interface Workspace {
  open(rsg: Rsg): Promise<void>;
}

/** The query with the character at `position` marked, for a QUERY_INVALID problem. */
export function markedQuery(q: string, position: number): HTMLElement {
  const at = Math.max(0, Math.min(position, q.length));
  const bad = q.slice(at, at + 1);
  return h(
    'p',
    { class: 'query-mark' },
    h('span', { class: 'visually-hidden' }, `The problem is at character ${at + 1}: `),
    h(
      'code',
      {},
      q.slice(0, at),
      h('mark', { class: 'bad', id: 'q-error-mark' }, bad === '' || bad === ' ' ? '␣' : bad),
      q.slice(at + 1),
    ),
    at >= q.length ? h('span', { class: 'hint' }, ' (at the end of the query)') : null,
  );
}

export function initWorkspace(viewLive: (address: string) => void): Workspace {
  const section = byId('workspace');
  const input = byId<HTMLInputElement>('q');
  const qError = byId('q-error');
  const mailboxSelect = byId<HTMLSelectElement>('search-mailbox');
  const sortSelect = byId<HTMLSelectElement>('search-sort');
  const resultsEl = byId('results');
  let rsg: Rsg | undefined;
  let listing: Listing | undefined;

  const fail = (err: unknown): void => fill(resultsEl, problemView(err));
  const restore = (spec: Parameters<typeof openMerge>[0]): void => openMerge(spec, { viewLive });
  const restoreItems = (items: Selected[]): void => {
    const boxes = [...new Set(items.map((i) => i.mailbox))];
    restore({
      rsg: rsg!,
      selection: { itemIds: items.map((i) => i.id) },
      description:
        items.length === 1
          ? `"${items[0]!.subject || '(no subject)'}"`
          : plural(items.length, 'selected item'),
      defaultTarget: boxes.length === 1 ? boxes[0] : undefined,
    });
  };

  const results = new Results(resultsEl, {
    preview: (id) => {
      showPreview(rsg!.id, id, { restore: (item) => restoreItems([item]) }).catch(fail);
    },
    restoreSelected: restoreItems,
    restoreFolder: (mailbox, folder) =>
      restore({
        rsg: rsg!,
        selection: { mailbox, folder: folder.path },
        description: `the folder ${folder.path} of ${mailbox}`,
        defaultTarget: mailbox,
      }),
    more: () => void more().catch(fail),
  });

  /** A new search from the form, or the next page of `prev` (the same query, mailbox and order). */
  const search = async (prev?: Extract<Listing, { kind: 'search' }>): Promise<void> => {
    const q = prev?.q ?? input.value.trim();
    const mailbox = prev?.mailbox ?? mailboxSelect.value;
    const sort = prev?.sort ?? sortSelect.value;
    const r = await api<SearchResult>(`/recovery-groups/${seg(rsg!.id)}/search`, {
      query: { q, mailbox, sort, cursor: prev?.nextCursor, limit: 50 },
    });
    const hits = prev ? [...prev.hits, ...r.hits] : r.hits;
    listing = { kind: 'search', q, mailbox, sort, total: r.total, hits, nextCursor: r.nextCursor };
    results.show(listing);
  };

  const openFolder = async (mailbox: string, folder: Folder, cursor?: string): Promise<void> => {
    const page = await api<{ items: Item[]; nextCursor?: string | null }>(
      `/recovery-groups/${seg(rsg!.id)}/mailboxes/${seg(mailbox)}/items`,
      { query: { folder: folder.path, cursor, limit: 100 } },
    );
    const items = cursor && listing?.kind === 'folder' ? [...listing.items, ...page.items] : page.items;
    listing = { kind: 'folder', mailbox, folder, items, nextCursor: page.nextCursor };
    results.show(listing);
  };

  const more = async (): Promise<void> => {
    if (listing?.kind === 'search' && listing.nextCursor) {
      await search(listing);
    } else if (listing?.kind === 'folder' && listing.nextCursor) {
      await openFolder(listing.mailbox, listing.folder, listing.nextCursor);
    }
  };

  byId<HTMLFormElement>('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!input.value.trim()) {
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    showProblem(qError, undefined);
    search().catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'QUERY_INVALID') {
        const at = typeof err.problem.position === 'number' ? err.problem.position : 0;
        fill(qError, problemView(err), markedQuery(input.value.trim(), at));
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        // trimmed leading spaces shift the offset back into the box's own text
        const lead = input.value.length - input.value.trimStart().length;
        input.setSelectionRange(lead + at, lead + at + 1);
      } else {
        showProblem(qError, err);
      }
    });
  });
  input.addEventListener('input', () => {
    if (input.hasAttribute('aria-invalid')) {
      input.removeAttribute('aria-invalid');
      showProblem(qError, undefined);
    }
  });
  if (window.matchMedia('(max-width: 900px)').matches) {
    // on a phone the help starts folded: the box and the results come first
    byId('q-help').removeAttribute('open');
  }
  for (const b of byId('q-examples').querySelectorAll<HTMLButtonElement>('button[data-example]')) {
    b.addEventListener('click', () => {
      const ex = b.dataset.example ?? '';
      input.value = input.value.trim() ? `${input.value.trim()} ${ex}` : ex;
      input.focus();
    });
  }

  return {
    async open(next: Rsg): Promise<void> {
      rsg = next;
      listing = undefined;
      results.clear();
      byId('preview').hidden = true;
      byId('merge').hidden = true;
      section.hidden = false;
      byId('ws-title').textContent = next.label;
      byId('ws-meta').textContent =
        `${next.source.kind} · ${plural(next.counts.items, 'item')} · ${fmtBytes(next.counts.bytes)} · mounted ${fmtDateMs(next.mountedMs)}`;
      const { mailboxes } = await api<{ mailboxes: RsgMailbox[] }>(
        `/recovery-groups/${seg(next.id)}/mailboxes`,
      );
      fill(
        mailboxSelect,
        h('option', { value: '' }, 'All mailboxes'),
        mailboxes.map((m) => h('option', { value: m.address }, m.address)),
      );
      renderTree(byId('tree'), next.id, mailboxes, (mailbox, folder) => {
        openFolder(mailbox, folder).catch(fail);
      });
      byId('ws-title').focus();
    },
  };
}
