/// <reference lib="dom" />
/** The mailboxes of a recovery group, each with its folder tree (nested lists of buttons). */
import { api, seg } from '../api.js';
import { fill, guarded, h } from '../dom.js';
import type { Folder, RsgMailbox } from '../types.js';

interface Node {
  folder: Folder;
  children: Node[];
}

/** Folders (paths like `Inbox/new_job`) as a tree; a missing parent is skipped over. */
export function folderTree(folders: Folder[]): Node[] {
  const byPath = new Map<string, Node>();
  const roots: Node[] = [];
  for (const f of [...folders].sort((a, b) => a.path.localeCompare(b.path))) {
    const node = { folder: f, children: [] };
    byPath.set(f.path, node);
    const parent = f.path.includes('/') ? byPath.get(f.path.slice(0, f.path.lastIndexOf('/'))) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** "12", read as "12 items". */
function countView(n: number): HTMLElement {
  return h(
    'span',
    { class: 'count' },
    String(n),
    h('span', { class: 'visually-hidden' }, n === 1 ? ' item' : ' items'),
  );
}

/** Render the tree into `el`; the first mailbox starts open. */
export function renderTree(
  el: HTMLElement,
  rsgId: string,
  mailboxes: RsgMailbox[],
  onFolder: (mailbox: string, folder: Folder) => void,
): void {
  let current: HTMLElement | undefined;
  const select = (btn: HTMLElement): void => {
    current?.removeAttribute('aria-current');
    btn.setAttribute('aria-current', 'true');
    current = btn;
  };
  const branch = (mailbox: string, nodes: Node[]): HTMLElement =>
    h(
      'ul',
      {},
      nodes.map((n) => {
        const btn = h(
          'button',
          { type: 'button', class: 'folder' },
          h('span', {}, n.folder.name),
          countView(n.folder.items),
        );
        btn.addEventListener('click', () => {
          select(btn);
          onFolder(mailbox, n.folder);
        });
        return h('li', {}, btn, n.children.length ? branch(mailbox, n.children) : null);
      }),
    );

  const items = mailboxes.map((m, i) => {
    const list = h('div', { id: `tree-${i}`, hidden: i > 0 });
    const toggle = h(
      'button',
      { type: 'button', class: 'mailbox', 'aria-expanded': String(i === 0), 'aria-controls': `tree-${i}` },
      h('span', { class: 'caret', 'aria-hidden': 'true' }),
      h('span', { class: 'name' }, m.address),
      countView(m.items),
    );
    let loaded = false;
    const load = guarded(list, async () => {
      if (loaded) {
        return;
      }
      loaded = true;
      const { folders } = await api<{ folders: Folder[] }>(
        `/recovery-groups/${seg(rsgId)}/mailboxes/${seg(m.address)}/folders`,
      );
      fill(list, branch(m.address, folderTree(folders)));
    });
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      list.hidden = !open;
      if (open) {
        load();
      }
    });
    if (i === 0) {
      load();
    }
    return h('li', {}, toggle, list);
  });
  fill(el, h('h3', {}, 'Mailboxes'), h('ul', { class: 'mailboxes' }, items));
}
