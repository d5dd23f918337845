// The web dashboard behind the daemon's POST /v1/dashboard, made (its modules imported: the HTTP server, the
// terminal and live-usage streams, ws) at the first `peapod dashboard`: a daemon never asked carries none of it.
import type { Dashboard, DashboardDeps } from '../dashboard/server.js';

export interface LazyDashboard {
  open(): ReturnType<Dashboard['open']>;
  close(): Promise<void>;
}

/** `deps` is called once, at the first open(). */
export function lazyDashboard(deps: () => DashboardDeps): LazyDashboard {
  let made: Promise<Dashboard> | undefined;
  return {
    async open() {
      made ??= import('../dashboard/server.js').then(({ Dashboard }) => new Dashboard(deps()));
      return (await made).open();
    },
    async close() {
      await (await made)?.close();
    },
  };
}
