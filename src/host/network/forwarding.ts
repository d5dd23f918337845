// IPv4 forwarding: without it the bridge cannot route pod traffic off the host (pods reach each other,
// nothing else). The daemon turns it on at start; when that fails (a read-only /proc/sys, a sysctl
// policy) or something turns it off later, the problem is reported rather than swallowed: by
// `peapod info` and as an event on each pod whose sandbox comes up on the pod network.
import { writeFile } from 'node:fs/promises';
import { readFile } from '../../common/quick-fs.js';
import { errorMessage } from '../../common/errors.js';

export const IP_FORWARD_PATH = '/proc/sys/net/ipv4/ip_forward';

export interface IpForwarding {
  /** Writes 1; a failure is remembered for problem(), not thrown: pods on one host still work. */
  enable(): Promise<void>;
  /** Why forwarding is not on right now, or undefined when it is. */
  problem(): Promise<string | undefined>;
}

export function ipForwarding(path = IP_FORWARD_PATH): IpForwarding {
  let writeError: string | undefined;
  return {
    async enable() {
      try {
        await writeFile(path, '1');
        writeError = undefined;
      } catch (err) {
        writeError = errorMessage(err);
      }
    },
    async problem() {
      const value = await readFile(path, 'utf8').then(
        (text) => text.trim(),
        (err: unknown) => `unreadable: ${errorMessage(err)}`,
      );
      if (value === '1') return undefined;
      const cause = writeError === undefined ? '' : `; enabling it failed: ${writeError}`;
      return `IPv4 forwarding is off (${path}: ${value})${cause}: pods cannot reach anything beyond this host`;
    },
  };
}
