// The controllers' time: real by default, injectable so a test can move a CronJob schedule, a Job's
// back-off or a Deployment's minReadySeconds forward without waiting for them.
export interface Clock {
  now(): Date;
  /** Runs fn after ms (a timer, not a promise: the work queue's delayed adds); returns its cancel. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => new Date(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told to; due timers run on advance(), in due order. */
export class FakeClock implements Clock {
  private current: number;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves time forward by ms, running every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }
}

/**
 * A clock that starts at `startMs` and runs `scale` times faster than the real one: what PEAPOD_CONTROLLER_CLOCK
 * gives a test daemon, so a CronJob's minutes and a Job's back-off pass in seconds while pods run for real.
 */
export function scaledClock(scale: number, startMs: number = Date.now()): Clock {
  const realStart = Date.now();
  return {
    now: () => new Date(startMs + (Date.now() - realStart) * scale),
    setTimer: (fn, ms) => realClock.setTimer(fn, ms / scale),
  };
}

/**
 * The controllers' clock from PEAPOD_CONTROLLER_CLOCK (tests only): `x60` (real time, sixty times as fast),
 * `2026-03-08T06:59:50Z` (starting there, real speed) or both, `2026-03-08T06:59:50Zx60`. Unset: the real clock.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): Clock {
  const spec = env['PEAPOD_CONTROLLER_CLOCK'];
  if (!spec) return realClock;
  const match = /^([^x]*)(?:x(\d+(?:\.\d+)?))?$/.exec(spec);
  const start = match?.[1] ? Date.parse(match[1]) : Date.now();
  const scale = match?.[2] ? Number(match[2]) : 1;
  if (!match || Number.isNaN(start) || !(scale > 0))
    throw new Error(`PEAPOD_CONTROLLER_CLOCK: expected [<RFC 3339 time>][x<scale>], got ${JSON.stringify(spec)}`);
  return scaledClock(scale, start);
}
