/// <reference lib="dom" />
/**
 * Restore into a live mailbox: choose the target, the folder mode and the conflict policy, see
 * the dry-run plan (counts per class) first, then apply it as a job, follow its progress, read
 * its report — and undo it.
 */
import { api, seg } from '../api.js';
import { announce, byId, fill, guarded, h, showProblem } from '../dom.js';
import { fmtBytes, plural } from '../format.js';
import type { LiveMailbox, MergeCounts, MergeReport, Rsg, UndoReport } from '../types.js';

const POLL_MS = 500;

export interface MergeSpec {
  rsg: Rsg;
  selection: { itemIds: number[] } | { mailbox: string; folder: string };
  /** "3 selected items", "the folder Inbox/new_job of dana@…". */
  description: string;
  defaultTarget?: string;
}

export interface MergeHooks {
  viewLive(address: string): void;
}

/** Each count with what it means for the person restoring; `plan` wording before, `done` after. */
const ROWS: { key: keyof MergeCounts; plan: string; done: string; tone?: string }[] = [
  { key: 'selected', plan: 'Selected', done: 'Selected' },
  { key: 'created', plan: 'Will be restored', done: 'Restored', tone: 'ok' },
  {
    key: 'recoverable',
    plan: 'Back into the dumpster (deleted before the backup, still within retention)',
    done: 'Put back into the dumpster',
    tone: 'ok',
  },
  {
    key: 'keptBoth',
    plan: 'Copied next to the existing message (keep both)',
    done: 'Copied next to the existing message',
  },
  { key: 'updated', plan: "Flags taken from the backup's copy", done: 'Flags updated' },
  { key: 'identical', plan: 'Already in the mailbox: skipped', done: 'Already in the mailbox' },
  { key: 'changed', plan: 'In the mailbox with other flags', done: 'In the mailbox with other flags' },
  {
    key: 'deletedSinceBackup',
    plan: 'Deleted by the user after the backup (in their dumpster): skipped',
    done: 'Deleted since the backup: skipped',
    tone: 'warn',
  },
  {
    key: 'purged',
    plan: 'Purged by the retention policy (tombstone): skipped',
    done: 'Purged (tombstone): skipped',
    tone: 'warn',
  },
  {
    key: 'expired',
    plan: 'Deleted too long ago for the retention window: skipped',
    done: 'Outside retention: skipped',
    tone: 'warn',
  },
  { key: 'failed', plan: 'Cannot be restored', done: 'Failed', tone: 'bad' },
  { key: 'skipped', plan: 'Skipped in all', done: 'Skipped in all' },
];

function countsTable(r: MergeReport, when: 'plan' | 'done'): HTMLElement {
  const rows = ROWS.filter((x) => x.key === 'selected' || x.key === 'created' || r.counts[x.key] > 0);
  return h(
    'table',
    { class: 'counts' },
    h('caption', {}, when === 'plan' ? 'What the restore will do' : 'What the restore did'),
    h(
      'tbody',
      {},
      rows.map((x) =>
        h(
          'tr',
          { class: x.tone ?? '' },
          h('th', { scope: 'row' }, when === 'plan' ? x.plan : x.done),
          h('td', { 'data-count': x.key }, String(r.counts[x.key])),
        ),
      ),
    ),
  );
}

function radios(name: string, legend: string, options: [string, string][], checked: string): HTMLElement {
  return h(
    'fieldset',
    {},
    h('legend', {}, legend),
    options.map(([value, label]) =>
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'radio', name, value, checked: value === checked }),
        label,
      ),
    ),
  );
}

export function openMerge(spec: MergeSpec, hooks: MergeHooks): void {
  const el = byId('merge');
  const error = h('div');
  const plan = h('div', { class: 'plan', 'aria-live': 'polite' });
  const job = h('div', { class: 'job' });
  const target = h('input', {
    id: 'merge-target',
    name: 'target',
    list: 'merge-targets',
    required: true,
    spellcheck: 'false',
    value: spec.defaultTarget ?? '',
  });
  const targets = h('datalist', { id: 'merge-targets' });
  const day = new Date().toISOString().slice(0, 10);
  const form = h(
    'form',
    { class: 'grid-form', novalidate: true },
    h('label', { for: 'merge-target' }, 'Into the live mailbox'),
    target,
    targets,
    radios(
      'folders',
      'Folders',
      [
        ['original', 'The same folders as in the backup (created if missing)'],
        ['recovered', `A folder of its own: Recovered Items/${spec.rsg.label} ${day}/…`],
      ],
      'original',
    ),
    radios(
      'conflict',
      'When the message is already in the mailbox',
      [
        ['skip', 'Skip it'],
        ['keep-both', 'Keep both copies'],
        ['update', "Keep the mailbox's copy, take the backup's flags"],
      ],
      'skip',
    ),
    h('button', { type: 'submit' }, 'Preview the plan'),
  );
  const request = (dryRun: boolean): Record<string, unknown> => {
    const data = new FormData(form);
    return {
      rsg: spec.rsg.id,
      target: target.value.trim(),
      selection: spec.selection,
      folders: data.get('folders'),
      conflict: data.get('conflict'),
      dryRun,
    };
  };
  form.addEventListener('input', () => fill(plan));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!target.value.trim()) {
      target.focus();
      return;
    }
    fill(job);
    guarded(error, async () => {
      const { report } = await api<{ report: MergeReport }>('/merges', { body: request(true) });
      const apply = h(
        'button',
        { type: 'button' },
        `Restore ${plural(report.counts.created + report.counts.recoverable + report.counts.keptBoth + report.counts.updated, 'item')} now`,
      );
      apply.disabled =
        report.counts.created + report.counts.recoverable + report.counts.keptBoth + report.counts.updated ===
        0;
      apply.addEventListener(
        'click',
        guarded(error, () => runJob(request(false), job, hooks, apply)),
      );
      fill(
        plan,
        countsTable(report, 'plan'),
        h(
          'div',
          { class: 'actions' },
          apply,
          apply.disabled ? h('span', { class: 'hint' }, 'Nothing to restore with these settings.') : null,
        ),
      );
      announce(`Plan: ${report.counts.created} to restore, ${report.counts.skipped} skipped`);
    })();
  });
  fill(
    el,
    h(
      'div',
      { class: 'section-head' },
      h('h2', { id: 'merge-title', tabindex: '-1' }, `Restore ${spec.description}`),
      h('button', { type: 'button', class: 'quiet', onclick: () => (el.hidden = true) }, 'Close'),
    ),
    h('p', { class: 'hint' }, `From "${spec.rsg.label}". Nothing is written until you confirm the plan.`),
    form,
    error,
    plan,
    job,
  );
  el.hidden = false;
  byId('merge-title').focus();
  api<{ mailboxes: LiveMailbox[] }>('/mailboxes', { query: { limit: 500 } })
    .then(({ mailboxes }) =>
      fill(
        targets,
        mailboxes.map((m) => h('option', { value: m.address }, m.name || m.address)),
      ),
    )
    .catch(() => undefined); // the list is a convenience: typing the address works without it
}

async function runJob(
  body: Record<string, unknown>,
  el: HTMLElement,
  hooks: MergeHooks,
  apply: HTMLButtonElement,
): Promise<void> {
  apply.disabled = true;
  let r = await api<MergeReport>('/merges', { body });
  const bar = h('progress', { max: String(Math.max(1, r.total)), 'aria-label': 'Restore progress' });
  const status = h('p', { role: 'status' });
  fill(el, bar, status);
  while (r.state === 'running' || r.state === 'planned') {
    bar.max = Math.max(1, r.total);
    bar.value = r.done;
    status.textContent = `Restoring: ${r.done} of ${r.total}`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    r = await api<MergeReport>(`/merges/${seg(r.id ?? 0)}`);
  }
  showReport(r, el, hooks);
}

function showReport(r: MergeReport, el: HTMLElement, hooks: MergeHooks): void {
  const error = h('div');
  const undoResult = h('div', { role: 'status' });
  const undo = h('button', { type: 'button', class: 'secondary' }, 'Undo this restore');
  undo.addEventListener(
    'click',
    guarded(error, async () => {
      if (!confirm('Undo this restore? What it created goes to the dumpster of the mailbox.')) {
        return;
      }
      const u = await api<UndoReport>(`/merges/${seg(r.id ?? 0)}/undo`, { method: 'POST' });
      undo.disabled = true;
      undoResult.textContent = `Undone: ${plural(u.removed, 'item')} moved to the dumpster, ${plural(u.flagsRestored, 'flag change')} reverted, ${u.touched} left alone (changed by the user since), ${u.gone} already gone.`;
      announce(undoResult.textContent);
    }),
  );
  const summary = `Restore #${r.id ?? '?'} into ${r.target}: ${r.state}. ${plural(r.counts.created, 'item')} restored, ${fmtBytes(r.bytesCopied)} copied, ${fmtBytes(r.bytesShared)} shared with existing copies.`;
  fill(
    el,
    h(
      'p',
      { class: r.state === 'done' ? 'done' : 'problem-title', role: 'status', id: 'merge-outcome' },
      summary,
    ),
    r.error ? h('p', { class: 'problem' }, r.error) : null,
    countsTable(r, 'done'),
    r.failures.length
      ? h(
          'details',
          {},
          h('summary', {}, `Failures (${r.failures.length})`),
          h(
            'ul',
            {},
            r.failures.slice(0, 50).map((f) => h('li', {}, `item ${f.sourceItemId}: ${f.reason}`)),
          ),
        )
      : null,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => hooks.viewLive(r.target) }, `Open ${r.target}`),
      undo,
    ),
    error,
    undoResult,
  );
  announce(summary);
  showProblem(error, undefined);
}
