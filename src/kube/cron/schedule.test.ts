import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration } from './go-duration.js';
import { CronSyntaxError, parseSchedule } from './schedule.js';
import { loadTimeZone, TimeZone } from './zone.js';

const utc = new TimeZone('UTC');
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The next `count` runs after `from`. */
function runs(spec: string, from: string, count: number, zone: TimeZone = utc): (string | undefined)[] {
  const schedule = parseSchedule(spec, zone);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < count && t !== undefined; i++) {
    t = schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

test('fields: lists, ranges, steps, names, ? and descriptors', () => {
  const cases: [string, string, string[]][] = [
    ['* * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']],
    ['*/15 * * * *', '2026-01-01T00:07:30Z', ['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z']],
    ['5/20 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:05:00.000Z', '2026-01-01T00:25:00.000Z', '2026-01-01T00:45:00.000Z', '2026-01-01T01:05:00.000Z']],
    ['0 9-17/4 * * *', '2026-01-01T10:00:00Z', ['2026-01-01T13:00:00.000Z', '2026-01-01T17:00:00.000Z', '2026-01-02T09:00:00.000Z']],
    ['0,30 8 * * MON-fri', '2026-01-02T08:30:00Z', ['2026-01-05T08:00:00.000Z', '2026-01-05T08:30:00.000Z']],
    ['0 0 1 jan,Jul ?', '2026-02-01T00:00:00Z', ['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']],
    ['@hourly', '2026-01-01T00:59:59.500Z', ['2026-01-01T01:00:00.000Z']],
    ['@daily', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00.000Z']],
    ['@weekly', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00.000Z']],
    ['@monthly', '2026-01-31T00:00:00Z', ['2026-02-01T00:00:00.000Z']],
    ['@yearly', '2026-01-01T00:00:00Z', ['2027-01-01T00:00:00.000Z']],
    ['@every 90s', '2026-01-01T00:00:00.700Z', ['2026-01-01T00:01:30.000Z', '2026-01-01T00:03:00.000Z']],
    ['@every 1h30m', '2026-01-01T00:00:00Z', ['2026-01-01T01:30:00.000Z']],
    ['@every 10ms', '2026-01-01T00:00:00Z', ['2026-01-01T00:00:01.000Z']],
    // A leap day: four years ahead is within robfig's five-year search.
    ['0 0 29 2 *', '2024-03-01T00:00:00Z', ['2028-02-29T00:00:00.000Z']],
  ];
  for (const [spec, from, want] of cases) assert.deepEqual(runs(spec, from, want.length), want, spec);
});

test('day of month and day of week: OR when both are restricted, AND when either is * (robfig starBit)', () => {
  // 13th or any Friday.
  assert.deepEqual(runs('0 0 13 * 5', '2026-02-01T00:00:00Z', 3), ['2026-02-06T00:00:00.000Z', '2026-02-13T00:00:00.000Z', '2026-02-20T00:00:00.000Z']);
  // `*/1` keeps the star; `*/2` does not (then OR applies: every odd day or any Sunday).
  assert.deepEqual(runs('0 0 */1 * 0', '2026-02-01T00:00:00Z', 1), ['2026-02-08T00:00:00.000Z']);
  assert.deepEqual(runs('0 0 */2 * 0', '2026-02-01T00:00:00Z', 2), ['2026-02-03T00:00:00.000Z', '2026-02-05T00:00:00.000Z']);
});

test('an impossible date has no next time', () => {
  assert.deepEqual(runs('0 0 30 2 *', '2026-01-01T00:00:00Z', 1), [undefined]);
});

test("errors are robfig's", () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 0 0 0 0 0', 'expected exactly 5 fields, found 6: [0 0 0 0 0 0]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* * * foo *', 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
    ['@reboot', 'unrecognized descriptor: @reboot'],
    ['@every 1d', 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"'],
  ];
  for (const [spec, message] of cases) assert.throws(() => parseSchedule(spec, utc), new CronSyntaxError(message), spec);
});

test('time zones: wall-clock times, DST gaps skipped, repeated hours run twice (as robfig)', () => {
  const ny = new TimeZone('America/New_York');
  assert.deepEqual(runs('0 9 * * *', '2026-01-01T00:00:00Z', 1, ny), ['2026-01-01T14:00:00.000Z']);
  assert.deepEqual(runs('0 9 * * *', '2026-07-01T00:00:00Z', 1, ny), ['2026-07-01T13:00:00.000Z']);
  // 2026-03-08 02:30 does not exist in New York: the run moves to the next day.
  assert.deepEqual(runs('30 2 * * *', '2026-03-07T12:00:00Z', 2, ny), ['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
  // 2026-11-01 01:30 happens twice (EDT, then EST).
  assert.deepEqual(runs('30 1 * * *', '2026-10-31T12:00:00Z', 3, ny), ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  // Half-hour and 45-minute offsets.
  assert.deepEqual(runs('0 0 * * *', '2026-01-01T00:00:00Z', 1, new TimeZone('Asia/Kolkata')), ['2026-01-01T18:30:00.000Z']);
  assert.deepEqual(runs('0 12 * * *', '2026-01-01T00:00:00Z', 1, new TimeZone('Asia/Kathmandu')), ['2026-01-01T06:15:00.000Z']);
});

test('time zone names: IANA names through Intl; Local and unknown names refused', () => {
  assert.ok(loadTimeZone('Europe/Berlin') instanceof TimeZone);
  assert.ok(loadTimeZone('Etc/UTC') instanceof TimeZone);
  assert.equal(loadTimeZone('Local'), 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones');
  assert.equal(loadTimeZone('Mars/Olympus'), 'unknown time zone Mars/Olympus');
  assert.equal(loadTimeZone('../etc/passwd'), 'unknown time zone ../etc/passwd');
});

test('Go durations', () => {
  assert.equal(parseGoDuration('1h30m'), 5400e9);
  assert.equal(parseGoDuration('1.5h'), 5400e9);
  assert.equal(parseGoDuration('300ms'), 300e6);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('1'), 'time: missing unit in duration "1"');
  assert.equal(parseGoDuration('h'), 'time: invalid duration "h"');
});
