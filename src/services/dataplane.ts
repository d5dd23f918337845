// The node side of Services, kube-proxy and CoreDNS in one: from the stored Services and EndpointSlices it
// programs the proxy's rules and rebuilds the DNS zone. Level-triggered and coalescing: any number of
// change signals while a sync runs lead to exactly one more sync, which reads the state afresh; a failed
// sync is retried with back-off (1 s doubling to 30 s) until one succeeds.
import { errorMessage } from '../common/errors.js';
import type { ServiceProxy } from '../host/network/service-proxy.js';
import type { EndpointSlice, Service } from '../kube/service-types.js';
import { ClusterDnsZone } from './dns-records.js';
import { proxyPorts } from './proxy-model.js';

export interface ServiceState {
  services(): readonly Service[];
  slices(): readonly EndpointSlice[];
}

const RETRY_FIRST_MS = 1000;
/** A full rewrite this often even without changes, as kube-proxy resyncs: rules flushed by someone else come back. */
export const RESYNC_MS = 60_000;
const RETRY_MAX_MS = 30_000;

export class ServiceDataplane {
  private current = new ClusterDnsZone([], []);
  private running: Promise<void> | undefined;
  private again = false;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastApplied: string | undefined;
  private stopped = false;
  private readonly resync: NodeJS.Timeout;

  constructor(
    private readonly state: ServiceState,
    private readonly proxy: ServiceProxy,
    private readonly log: (message: string) => void,
  ) {
    this.resync = setInterval(() => {
      this.lastApplied = undefined;
      void this.requestSync();
    }, RESYNC_MS);
    this.resync.unref();
  }

  /** The DNS zone as of the last sync. */
  zone(): ClusterDnsZone {
    return this.current;
  }

  /** Asks for a sync; resolves when a sync that started after this call has finished. */
  requestSync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      // The running loop goes round once more, reading the state afresh.
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.syncOnce();
    } while (this.again && !this.stopped);
  }

  private async syncOnce(): Promise<void> {
    const services = this.state.services();
    const slices = this.state.slices();
    // DNS first: it costs nothing and does not depend on iptables working.
    this.current = new ClusterDnsZone(services, slices);
    const ports = proxyPorts(services, slices);
    const text = JSON.stringify(ports);
    if (text === this.lastApplied) return;
    try {
      await this.proxy.sync(ports);
      this.lastApplied = text;
      this.retryMs = RETRY_FIRST_MS;
    } catch (err) {
      this.log(`service proxy sync failed (retrying in ${this.retryMs / 1000} s): ${errorMessage(err)}`);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.requestSync(), this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    }
  }

  /** Stops syncing (daemon shutdown); the rules stay, as kube-proxy's do, unless removeAll is called. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.resync);
    await this.running;
  }

  /** Every rule and chain gone (no pods left at shutdown, `system reset`). */
  async removeAll(): Promise<void> {
    await this.stop();
    await this.proxy.removeAll();
    this.lastApplied = undefined;
  }
}
