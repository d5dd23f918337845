// CronJob schedules as Kubernetes reads them: robfig/cron v3's standard parser (cron.ParseStandard), five fields
// (minute hour day-of-month month day-of-week) or a descriptor (@yearly … @hourly, @every <duration>), evaluated in
// the CronJob's time zone. Error texts are robfig's, since the API server shows them as they are.
import { parseGoDuration } from './go-duration.js';
import type { TimeZone, WallClock } from './zone.js';

export interface CronSchedule {
  /** The first scheduled instant strictly after `afterMs`, or undefined if there is none within five years. */
  next(afterMs: number): number | undefined;
}

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DAYS_OF_MONTH: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DAYS_OF_WEEK: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** The descriptors robfig expands to five fields. */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** robfig's Next gives up five years past the start (an impossible date such as 30 February). */
const SEARCH_YEARS = 5;
const MINUTE_MS = 60_000;
const SECOND_MS = 1000;
/** A bound on the search loop's steps: each step moves at least a minute and usually a month, day or hour. */
const MAX_STEPS = 200_000;

export class CronSyntaxError extends Error {}

interface Field {
  readonly values: ReadonlySet<number>;
  /** `*` or `?` (robfig's starBit): day-of-month and day-of-week then combine with AND instead of OR. */
  readonly star: boolean;
}

function parseNumber(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new CronSyntaxError(`failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n < 0) throw new CronSyntaxError(`negative number (${n}) not allowed: ${text}`);
  return n;
}

const parseNumberOrName = (text: string, bounds: Bounds): number => bounds.names?.[text.toLowerCase()] ?? parseNumber(text);

/** One comma-separated element: `*`, `?`, `N`, `N-M`, each with an optional `/step` (`N/step` is `N-max/step`). */
function parseRange(expr: string, bounds: Bounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    [start, end, star] = [bounds.min, bounds.max, true];
  } else {
    start = parseNumberOrName(lowAndHigh[0] ?? '', bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseNumberOrName(lowAndHigh[1] ?? '', bounds);
    else throw new CronSyntaxError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNumber(rangeAndStep[1] ?? '');
    if (lowAndHigh.length === 1) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronSyntaxError(`too many slashes: ${expr}`);
  if (start < bounds.min) throw new CronSyntaxError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronSyntaxError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronSyntaxError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return star;
}

function parseField(text: string, bounds: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) star = parseRange(part, bounds, values) || star;
  return { values, star };
}

class FieldSchedule implements CronSchedule {
  constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dayOfMonth: Field,
    private readonly month: Field,
    private readonly dayOfWeek: Field,
    private readonly zone: TimeZone,
  ) {}

  private dayMatches(w: WallClock): boolean {
    const dom = this.dayOfMonth.values.has(w.day);
    const dow = this.dayOfWeek.values.has(w.weekday);
    return this.dayOfMonth.star || this.dayOfWeek.star ? dom && dow : dom || dow;
  }

  /**
   * Every whole minute whose wall-clock time in the zone matches, as robfig's Next finds it: hours and minutes
   * advance by elapsed time, so a time a DST jump skips does not run that day and one the clock repeats runs twice.
   */
  next(afterMs: number): number | undefined {
    let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const lastYear = this.zone.wallClock(t).year + SEARCH_YEARS;
    for (let step = 0; step < MAX_STEPS; step++) {
      const w = this.zone.wallClock(t);
      if (w.year > lastYear) return undefined;
      if (!this.month.values.has(w.month)) t = Math.max(t + MINUTE_MS, this.zone.instant(w.year, w.month + 1, 1));
      else if (!this.dayMatches(w)) t = Math.max(t + MINUTE_MS, this.zone.instant(w.year, w.month, w.day + 1));
      else if (!this.hour.values.has(w.hour)) t += (60 - w.minute) * MINUTE_MS;
      else if (!this.minute.values.has(w.minute)) t += (nextInSet(this.minute.values, w.minute, 60) - w.minute) * MINUTE_MS;
      else return t;
    }
    return undefined;
  }
}

/** The smallest member above `from`, or `limit` if none (the next hour for minutes). */
function nextInSet(values: ReadonlySet<number>, from: number, limit: number): number {
  for (let v = from + 1; v < limit; v++) if (values.has(v)) return v;
  return limit;
}

/** `@every <duration>`: robfig's ConstantDelaySchedule, whole seconds of at least one, counted from the last run. */
class EverySchedule implements CronSchedule {
  constructor(private readonly delayMs: number) {}
  next(afterMs: number): number {
    return afterMs - (((afterMs % SECOND_MS) + SECOND_MS) % SECOND_MS) + this.delayMs;
  }
}

export function parseSchedule(spec: string, zone: TimeZone): CronSchedule {
  if (spec.length === 0) throw new CronSyntaxError('empty spec string');
  if (spec.startsWith('@')) {
    const expanded = DESCRIPTORS[spec];
    if (expanded !== undefined) return parseSchedule(expanded, zone);
    const every = '@every ';
    if (!spec.startsWith(every)) throw new CronSyntaxError(`unrecognized descriptor: ${spec}`);
    const ns = parseGoDuration(spec.slice(every.length));
    if (typeof ns === 'string') throw new CronSyntaxError(`failed to parse duration ${spec}: ${ns}`);
    const seconds = Math.max(1, Math.floor(ns / 1e9));
    return new EverySchedule(seconds * SECOND_MS);
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronSyntaxError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  return new FieldSchedule(
    parseField(minute, MINUTES),
    parseField(hour, HOURS),
    parseField(dom, DAYS_OF_MONTH),
    parseField(month, MONTHS),
    parseField(dow, DAYS_OF_WEEK),
    zone,
  );
}
