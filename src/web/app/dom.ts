/// <reference lib="dom" />
/**
 * A few DOM helpers instead of a framework. Text always goes in as text nodes (never innerHTML):
 * subjects, senders and snippets are untrusted mail content.
 */
import { type Problem, toProblem } from './api.js';

type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | ((ev: Event) => void);

/** `h('button', { class: 'x', onclick: fn }, 'Label')`. `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') {
      el.addEventListener(k.replace(/^on/, ''), v);
    } else if (v === true) {
      el.setAttribute(k, '');
    } else if (v !== false && v !== null && v !== undefined) {
      el.setAttribute(k === 'className' ? 'class' : k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
}

/** Replace an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** The element with this id, or a clear error naming it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) {
    throw new Error(`The page has no #${id}`);
  }
  return el as T;
}

/** Tell screen-reader users what just happened (the page's polite live region). */
export function announce(message: string): void {
  const region = document.getElementById('live-region');
  if (region) {
    region.textContent = '';
    // a fresh text node is announced even when the message repeats
    setTimeout(() => (region.textContent = message), 50);
  }
}

/** A problem as people read it: its title, what happened, and what identifies it in the log. */
export function problemView(err: unknown, hint?: string): HTMLElement {
  const p: Problem = toProblem(err);
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-title' }, p.title),
    p.detail ? h('p', {}, p.detail) : null,
    p.errors?.length
      ? h(
          'ul',
          {},
          p.errors.map((e) => h('li', {}, `${e.path ? `${e.path}: ` : ''}${e.message}`)),
        )
      : null,
    hint ? h('p', {}, hint) : null,
    h(
      'p',
      { class: 'problem-meta' },
      [p.code, p.status ? `HTTP ${p.status}` : '', p.requestId ? `request ${p.requestId}` : '']
        .filter(Boolean)
        .join(' · '),
    ),
  );
}

/** Show a problem in `el` (or clear it with undefined). */
export function showProblem(el: Element, err: unknown, hint?: string): void {
  if (err === undefined) {
    el.replaceChildren();
  } else {
    fill(el, problemView(err, hint));
  }
}

/** Run an async handler from an event, showing its failure in `errorEl`. */
export function guarded(errorEl: Element, fn: () => Promise<void>): () => void {
  return () => {
    showProblem(errorEl, undefined);
    fn().catch((err: unknown) => showProblem(errorEl, err));
  };
}

/** Split «marked» snippet text into text and <mark> nodes. */
export function snippetNodes(snippet: string): (string | HTMLElement)[] {
  return snippet
    .split(/(«[^»]*»)/)
    .map((part) => (part.startsWith('«') && part.endsWith('»') ? h('mark', {}, part.slice(1, -1)) : part));
}

/** A table cell that names its column on narrow screens (see .list in styles.css). */
export function cell(label: string, ...children: (Child | Child[])[]): HTMLTableCellElement {
  return h('td', { 'data-label': label }, ...children);
}
