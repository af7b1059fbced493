/**
 * mbox From_ (envelope) lines: which lines separate messages, and the date they carry.
 * The separator rule is described in mbox-split.ts; RFC 4155 and mbox(5) describe the format.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// RFC 5322 §4.3 obsolete zones; other names are read as UTC.
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  EST: -5,
  EDT: -4,
  CST: -6,
  CDT: -5,
  MST: -7,
  MDT: -6,
  PST: -8,
  PDT: -7,
};
const ZONE = String.raw`(?:[+-]\d{4}|[A-Za-z]{1,5})`;
const DAY = String.raw`(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?`;
const MON = String.raw`(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`;
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2}))?`;
const ASCTIME_RE = new RegExp(
  String.raw`(?:^|\s)${DAY}${MON}\s+(\d{1,2})\s+${TIME}(?:\s+(${ZONE}))?\s+(\d{4})(?:\s+(${ZONE}))?\s*$`,
  'i',
);
const RFC_DATE_RE = new RegExp(
  String.raw`(?:^|\s)${DAY}(\d{1,2})\s+${MON}\s+(\d{4})\s+${TIME}(?:\s+(${ZONE}))?\s*$`,
  'i',
);

function toMs(
  y: string,
  mon: string,
  d: string,
  h: string,
  mi: string,
  s: string | undefined,
  zone: string | undefined,
): number | undefined {
  const [year, day, hour, min, sec] = [Number(y), Number(d), Number(h), Number(mi), Number(s ?? '0')];
  if (day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return undefined;
  }
  let offsetMin = 0;
  if (zone !== undefined && /^[+-]\d{4}$/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  } else if (zone !== undefined) {
    offsetMin = (ZONES[zone.toUpperCase()] ?? 0) * 60;
  }
  return Date.UTC(year, MONTHS.indexOf(mon.toLowerCase()), day, hour, min, sec) - offsetMin * 60_000;
}

/** The date at the end of a From_ line (after 'From '), as ms; asctime is read as UTC. */
export function parseEnvelopeDate(rest: string): number | undefined {
  const a = ASCTIME_RE.exec(rest);
  if (a) {
    const [, mon = '', d = '', h = '', mi = '', s, z1, y = '', z2] = a;
    return toMs(y, mon, d, h, mi, s, z1 ?? z2);
  }
  const r = RFC_DATE_RE.exec(rest);
  if (r) {
    const [, d = '', mon = '', y = '', h = '', mi = '', s, z] = r;
    return toMs(y, mon, d, h, mi, s, z);
  }
  return undefined;
}

/** Is `line` (without its line ending) a From_ separator line? See the module comment. */
export function isEnvelopeLine(line: string, afterEmptyLine: boolean): boolean {
  if (!line.startsWith('From ')) {
    return false;
  }
  const rest = line.slice(5);
  if (/^-(\s|$)/.test(rest) || parseEnvelopeDate(rest) !== undefined) {
    return true;
  }
  return afterEmptyLine && /^\S+\s*$/.test(rest);
}
