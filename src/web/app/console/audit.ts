/// <reference lib="dom" />
/** The audit log (administrators): newest first, filtered by who, what, outcome and date. */
import { api } from '../api.js';
import { byId, cell, fill, h, showProblem } from '../dom.js';
import { fmtDateTime } from '../format.js';
import type { AuditEntry } from '../types.js';

const OUTCOME: Record<AuditEntry['outcome'], string> = { ok: 'ok', denied: 'warn', failed: 'bad' };

export interface AuditPanel {
  show(): Promise<void>;
}

export function initAudit(): AuditPanel {
  const form = byId<HTMLFormElement>('audit-form');
  const error = byId('audit-error');
  const list = byId('audit-list');
  let entries: AuditEntry[] = [];
  let cursor: string | null | undefined;

  const render = (): void => {
    fill(
      list,
      entries.length === 0
        ? h('p', { class: 'empty' }, 'No entries match.')
        : h(
            'table',
            { class: 'list' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['When', 'Who', 'Action', 'Target', 'Outcome'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              entries.map((e) =>
                h(
                  'tr',
                  {},
                  cell('When', fmtDateTime(e.time)),
                  cell('Who', `${e.actor.name}${e.actor.role ? ` (${e.actor.role})` : ''}`),
                  cell('Action', e.action),
                  cell('Target', h('code', {}, e.target)),
                  cell(
                    'Outcome',
                    h(
                      'span',
                      { class: `badge ${OUTCOME[e.outcome]}` },
                      e.code ? `${e.outcome}: ${e.code}` : e.outcome,
                    ),
                  ),
                ),
              ),
            ),
          ),
      cursor
        ? h(
            'button',
            { type: 'button', class: 'secondary more', onclick: () => void load(true) },
            'Show older entries',
          )
        : null,
    );
  };

  const load = async (next = false): Promise<void> => {
    const data = new FormData(form);
    const text = (k: string): string | undefined => {
      const v = data.get(k);
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
    };
    try {
      const page = await api<{ entries: AuditEntry[]; nextCursor?: string | null }>('/audit', {
        query: {
          actor: text('actor'),
          action: text('action'),
          outcome: text('outcome'),
          since: text('since'),
          cursor: next ? cursor : undefined,
          limit: 100,
        },
      });
      entries = next ? [...entries, ...page.entries] : page.entries;
      cursor = page.nextCursor;
      showProblem(error, undefined);
      render();
    } catch (err) {
      fill(list);
      showProblem(error, err, 'The audit log is open to administrators only.');
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  return { show: () => load() };
}
