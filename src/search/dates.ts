/**
 * Date values of the query language. Every value denotes a period [start, end) in UTC
 * milliseconds: a year, a month, a day, an instant (1 ms) or a period relative to `now`.
 * Comparisons use the period: `received>=2001-03-01` starts at its start, `received<=2001-03-01`
 * ends at its end, `a..b` spans from the start of a to the end of b (both days whole).
 */
import { DAY_MS } from '../lib/clock.js';

export type RelativeName =
  | 'today'
  | 'yesterday'
  | 'thisweek'
  | 'lastweek'
  | 'thismonth'
  | 'lastmonth'
  | 'thisyear'
  | 'lastyear'
  | 'lastdays';

export type DateValue =
  { kind: 'absolute'; start: number; end: number } | { kind: 'relative'; name: RelativeName; days?: number };

const ISO_DAY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const RELATIVE = new Set<string>([
  'today',
  'yesterday',
  'thisweek',
  'lastweek',
  'thismonth',
  'lastmonth',
  'thisyear',
  'lastyear',
]);
const LAST_DAYS = /^last(\d{1,5})days?$/i;

function validDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Parse a date value, or return undefined when `text` is not one. */
export function parseDateValue(text: string): DateValue | undefined {
  const lower = text.toLowerCase();
  if (RELATIVE.has(lower)) {
    return { kind: 'relative', name: lower as RelativeName };
  }
  const last = LAST_DAYS.exec(text);
  if (last) {
    const days = Number(last[1]);
    return days >= 1 ? { kind: 'relative', name: 'lastdays', days } : undefined;
  }
  const day = ISO_DAY.exec(text);
  if (day) {
    const y = Number(day[1]);
    const m = day[2] === undefined ? undefined : Number(day[2]);
    const d = day[3] === undefined ? undefined : Number(day[3]);
    if (m === undefined) {
      return { kind: 'absolute', start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
    }
    if (m < 1 || m > 12) {
      return undefined;
    }
    if (d === undefined) {
      return { kind: 'absolute', start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) };
    }
    if (!validDay(y, m, d)) {
      return undefined;
    }
    const start = Date.UTC(y, m - 1, d);
    return { kind: 'absolute', start, end: start + DAY_MS };
  }
  const t = ISO_TIME.exec(text);
  if (t) {
    const [y, mo, d, h, mi] = [t[1], t[2], t[3], t[4], t[5]].map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const s = Number(t[6] ?? 0);
    if (!validDay(y, mo, d) || h > 23 || mi > 59 || s > 59) {
      return undefined;
    }
    let ms = Date.UTC(y, mo - 1, d, h, mi, s, Number((t[7] ?? '0').padEnd(3, '0')));
    const zone = t[8];
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    return { kind: 'absolute', start: ms, end: ms + 1 };
  }
  return undefined;
}

/** The [start, end) of a date value, relative forms resolved against `now` (UTC days). */
export function resolveDate(v: DateValue, now: number): { start: number; end: number } {
  if (v.kind === 'absolute') {
    return { start: v.start, end: v.end };
  }
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const date = new Date(today);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const monday = today - ((date.getUTCDay() + 6) % 7) * DAY_MS; // ISO weeks start on Monday
  switch (v.name) {
    case 'today':
      return { start: today, end: today + DAY_MS };
    case 'yesterday':
      return { start: today - DAY_MS, end: today };
    case 'thisweek':
      return { start: monday, end: monday + 7 * DAY_MS };
    case 'lastweek':
      return { start: monday - 7 * DAY_MS, end: monday };
    case 'thismonth':
      return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
    case 'lastmonth':
      return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) };
    case 'thisyear':
      return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
    case 'lastyear':
      return { start: Date.UTC(y - 1, 0, 1), end: Date.UTC(y, 0, 1) };
    case 'lastdays':
      // today and the N-1 days before it: last1days = today, last7days = a week to date
      return { start: today - ((v.days ?? 1) - 1) * DAY_MS, end: today + DAY_MS };
  }
}
