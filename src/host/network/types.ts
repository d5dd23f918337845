// The pod network contract: a pinned network namespace per pod, and the CNI plugin chain
// (loopback, then bridge + host-local IPAM, then portmap) run inside it.

export interface PortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly hostIP?: string;
}

export interface PodNetworkRequest {
  /** The sandbox ID: CNI_CONTAINERID. */
  readonly sandboxId: string;
  readonly netnsPath: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly podUid: string;
  readonly portMappings: readonly PortMapping[];
}

export interface PodNetworkStatus {
  /** The pod's IPv4 address without prefix length. */
  readonly ip: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly interfaceName: string;
  /** Host-side veth name. */
  readonly hostVeth?: string;
  /** The raw CNI result of the last plugin, stored so DEL gets exactly what ADD produced. */
  readonly cniResult: unknown;
}

export interface PodNetworkManager {
  /** One-time host setup: config files, the subnet's masquerade rule. Idempotent. */
  ensureReady(): Promise<void>;
  /** Creates and pins a new network namespace for the sandbox; returns its path. Idempotent by ID. */
  createNetns(sandboxId: string): Promise<string>;
  /** Unpins and removes it; removing what is gone succeeds. */
  removeNetns(sandboxId: string): Promise<void>;
  netnsPath(sandboxId: string): string;
  /** CNI ADD of the whole chain; on failure, undoes what it added before throwing. */
  setUp(request: PodNetworkRequest, signal?: AbortSignal): Promise<PodNetworkStatus>;
  /** CNI DEL of the whole chain in reverse; succeeds when nothing is there. */
  tearDown(request: PodNetworkRequest, previous: PodNetworkStatus | undefined, signal?: AbortSignal): Promise<void>;
  /** Why IPv4 forwarding is off (pods cannot leave the host), or undefined when it is on. */
  forwardingProblem(): Promise<string | undefined>;
  /** Undoes ensureReady (for tests and uninstall). */
  removeHostSetup(): Promise<void>;
}
