// Wall-clock time in an IANA time zone, through the runtime's Intl (ICU) data: what Go's time.LoadLocation and
// Time.In give the CronJob controller. Node has no zone arithmetic of its own; Intl formats an instant in a zone,
// and the offset at an instant follows from that.

export interface WallClock {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  /** 0–23 */
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday … 6 = Saturday */
  readonly weekday: number;
}

const MINUTE_MS = 60_000;
const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export class TimeZone {
  private readonly format: Intl.DateTimeFormat;

  /** Throws a RangeError for a name the runtime's zone data does not know. */
  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
  }

  /** The zone this process runs in (TZ, else /etc/localtime): a CronJob without spec.timeZone follows it, as the
   * controller manager's time.Local. */
  static local(): TimeZone {
    return new TimeZone(new Intl.DateTimeFormat().resolvedOptions().timeZone);
  }

  wallClock(instantMs: number): WallClock {
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(new Date(instantMs))) parts[part.type] = part.value;
    return {
      year: Number(parts['year']),
      month: Number(parts['month']),
      day: Number(parts['day']),
      hour: Number(parts['hour']),
      minute: Number(parts['minute']),
      weekday: WEEKDAYS[parts['weekday'] ?? ''] ?? 0,
    };
  }

  /** Minutes east of UTC at this instant (whole minutes: no zone in use has seconds). */
  offsetMinutes(instantMs: number): number {
    const floored = Math.floor(instantMs / MINUTE_MS) * MINUTE_MS;
    const w = this.wallClock(floored);
    return Math.round((Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - floored) / MINUTE_MS);
  }

  /**
   * The instant a wall-clock time names, as Go's time.Date picks it: the offset in force at that time read as UTC,
   * corrected once if the result falls in another offset period. A time skipped by a DST jump so lands after it,
   * and a repeated one on its first occurrence. Fields out of range roll over (month 13 = January next year).
   */
  instant(year: number, month: number, day: number, hour = 0, minute = 0): number {
    const asUtc = Date.UTC(year, month - 1, day, hour, minute);
    const first = this.offsetMinutes(asUtc);
    const guess = asUtc - first * MINUTE_MS;
    const second = this.offsetMinutes(guess);
    return second === first ? guess : asUtc - second * MINUTE_MS;
  }
}

/** The zone for a name, or the reason it is refused (the API server's check of spec.timeZone). */
export function loadTimeZone(name: string): TimeZone | string {
  // Go's LoadLocation("Local") is the host's zone, which the API server refuses: the schedule would change meaning
  // with the machine. An empty name is UTC in Go; the API server refuses it by the character rule below.
  if (name.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  if (!/^[A-Za-z0-9.\-_+]{1,14}(\/[A-Za-z0-9.\-_+]{1,14})*$/.test(name)) return `unknown time zone ${name}`;
  try {
    return new TimeZone(name);
  } catch {
    return `unknown time zone ${name}`;
  }
}
