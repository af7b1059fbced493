/// <reference lib="dom" />
/**
 * The preview of one item of a recovery group: headers, attachments, and the body — as text,
 * or as the server's sanitised HTML inside a sandboxed frame (no scripts, no same origin) whose
 * own Content-Security-Policy blocks every remote load, so opening a message never tells its
 * sender (no tracking pixels).
 */
import { api, download, seg } from '../api.js';
import { byId, fill, guarded, h } from '../dom.js';
import { fmtBytes, fmtDateTime } from '../format.js';
import type { MessageDetail } from '../types.js';

/** The policy inside the frame: nothing remote; inline images and inline styles only. */
export const FRAME_CSP = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'";

const FRAME_STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;margin:12px;overflow-wrap:anywhere}' +
  'img{max-width:100%;height:auto}table{max-width:100%}pre{white-space:pre-wrap}';

/** The frame's whole document around already-sanitised HTML. */
export function frameDocument(html: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">` +
    `<base target="_blank"><style>${FRAME_STYLE}</style></head><body>${html}</body></html>`
  );
}

const KEY_HEADERS = ['From', 'To', 'Cc', 'Date', 'Subject'];

export interface PreviewHandlers {
  restore(item: { id: number; mailbox: string; subject: string }): void;
}

function bodyView(m: MessageDetail): HTMLElement {
  const holder = h('div', { class: 'body' });
  const text = h('pre', { class: 'text' }, m.text ?? '(This message has no plain-text part.)');
  if (m.html === null) {
    fill(holder, text);
    return holder;
  }
  const frame = h('iframe', {
    sandbox: '',
    referrerpolicy: 'no-referrer',
    title: 'Message body, formatted (scripts and remote content blocked)',
  });
  frame.srcdoc = frameDocument(m.html);
  const formatted = h('button', { type: 'button', 'aria-pressed': 'true' }, 'Formatted');
  const plain = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Plain text');
  const pick = (html: boolean): void => {
    formatted.setAttribute('aria-pressed', String(html));
    plain.setAttribute('aria-pressed', String(!html));
    fill(holder, html ? frame : text);
  };
  formatted.addEventListener('click', () => pick(true));
  plain.addEventListener('click', () => pick(false));
  fill(holder, frame);
  return h(
    'div',
    {},
    h('div', { class: 'toggle', role: 'group', 'aria-label': 'Show the body as' }, formatted, plain),
    holder,
  );
}

/** Open the preview of `itemId` in #preview and move focus to it. @throws ApiError */
export async function showPreview(rsgId: string, itemId: number, on: PreviewHandlers): Promise<void> {
  const el = byId('preview');
  const m = await api<MessageDetail>(`/recovery-groups/${seg(rsgId)}/items/${seg(itemId)}`);
  const header = (name: string): string | undefined =>
    m.headers.find((x) => x.name.toLowerCase() === name.toLowerCase())?.value;
  const error = h('div');
  const base = `/recovery-groups/${seg(rsgId)}/items/${seg(itemId)}`;
  const mailbox = m.mailbox ?? '';
  fill(
    el,
    h(
      'div',
      { class: 'section-head' },
      h('h2', { id: 'preview-title', tabindex: '-1' }, m.subject || '(no subject)'),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', onclick: () => on.restore({ id: itemId, mailbox, subject: m.subject }) },
        'Restore this item…',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: guarded(error, () => download(`${base}/raw`, `item-${itemId}.eml`)),
        },
        'Download .eml',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'quiet',
          onclick: () => {
            el.hidden = true;
          },
        },
        'Close preview',
      ),
    ),
    error,
    h(
      'dl',
      { class: 'headers' },
      KEY_HEADERS.flatMap((k) => {
        const v = header(k);
        return v === undefined ? [] : [h('dt', {}, k), h('dd', {}, v)];
      }),
      h('dt', {}, 'Where'),
      h('dd', {}, `${mailbox} · ${m.folder}`),
      h('dt', {}, 'Received'),
      h('dd', {}, `${fmtDateTime(m.received)} · ${fmtBytes(m.size)}`),
    ),
    h(
      'details',
      {},
      h('summary', {}, `All headers (${m.headers.length})`),
      h(
        'table',
        { class: 'all-headers' },
        h(
          'tbody',
          {},
          m.headers.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.name), h('td', {}, x.value))),
        ),
      ),
    ),
    m.attachments.length
      ? h(
          'div',
          { class: 'attachments' },
          h('h3', {}, 'Attachments'),
          h(
            'ul',
            {},
            m.attachments.map((a, n) =>
              h(
                'li',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'link',
                    onclick: guarded(error, () =>
                      download(`${base}/attachments/${n}`, a.name ?? `attachment-${n}`),
                    ),
                  },
                  a.name ?? `(unnamed attachment ${n + 1})`,
                ),
                ` ${a.contentType} · ${fmtBytes(a.size)}`,
              ),
            ),
          ),
        )
      : null,
    bodyView(m),
  );
  el.hidden = false;
  byId('preview-title').focus();
}
