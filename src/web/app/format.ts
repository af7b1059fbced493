/** Dates, sizes and durations for people (the browser's locale, its time zone). */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateOnly.format(d);
}

export function fmtDateMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : dateTime.format(new Date(ms));
}

/** "3 days ago", "yesterday", "in 2 hours". */
export function fmtAgo(iso: string, now = Date.now()): string {
  const diffS = (new Date(iso).getTime() - now) / 1000;
  const abs = Math.abs(diffS);
  if (abs < 60) {
    return relative.format(Math.round(diffS), 'second');
  }
  if (abs < 3600) {
    return relative.format(Math.round(diffS / 60), 'minute');
  }
  if (abs < 86_400) {
    return relative.format(Math.round(diffS / 3600), 'hour');
  }
  return relative.format(Math.round(diffS / 86_400), 'day');
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** "about 12 minutes" for a Retry-After. */
export function fmtWait(seconds: number): string {
  if (seconds < 90) {
    return `${Math.max(1, Math.round(seconds))} seconds`;
  }
  if (seconds < 90 * 60) {
    return `about ${Math.round(seconds / 60)} minutes`;
  }
  return `about ${Math.round(seconds / 3600)} hours`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
