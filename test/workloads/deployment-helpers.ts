// Shared pieces of the Deployment tests: a manifest with a readiness probe, the daemon's API from the
// test process, and a sampler of the pods' states over a rollout.
import { ApiClient } from '../../src/api/client.js';
import type { PodView } from '../../src/api/routes/pods.js';
import type { ObjectList } from '../../src/api/routes/objects.js';
import type { Deployment, ReplicaSet } from '../../src/kube/kinds/apps.js';
import { runCli } from '../helpers/cli.js';

export interface DeploymentOptions {
  readonly name: string;
  readonly replicas: number;
  readonly version: string;
  /** RollingUpdate's limits, or 'Recreate'. */
  readonly strategy: { maxSurge: number; maxUnavailable: number } | 'Recreate';
  /** Seconds before the container makes itself ready; undefined: only an exec of `touch /tmp/ready` does. */
  readonly readyAfter?: number;
}

export function deploymentManifest(o: DeploymentOptions): string {
  const strategy =
    o.strategy === 'Recreate'
      ? 'type: Recreate'
      : `type: RollingUpdate\n    rollingUpdate: { maxSurge: ${o.strategy.maxSurge}, maxUnavailable: ${o.strategy.maxUnavailable} }`;
  const ready = o.readyAfter === undefined ? '' : `sleep ${o.readyAfter}; touch /tmp/ready; `;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${o.name}
spec:
  replicas: ${o.replicas}
  strategy:
    ${strategy}
  selector:
    matchLabels: { app: ${o.name} }
  template:
    metadata:
      labels: { app: ${o.name} }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: busybox
          imagePullPolicy: IfNotPresent
          env: [{ name: VERSION, value: "${o.version}" }]
          command: ["sh", "-c", "${ready}trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
          readinessProbe:
            exec: { command: ["test", "-e", "/tmp/ready"] }
            periodSeconds: 1
            # runc exec on a loaded test machine can take more than the default 1 s.
            timeoutSeconds: 10
`;
}

export class Workloads {
  readonly api: ApiClient;
  constructor(
    socket: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.api = new ApiClient(socket);
  }

  async cli(...args: string[]): Promise<string> {
    const r = await runCli(this.env, args);
    if (r.code !== 0) throw new Error(`peapod ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  pods(): Promise<PodView[]> {
    return this.api.call<PodView[]>('GET', '/v1/pods', { query: { namespace: 'default' } });
  }

  async deployment(name: string): Promise<Deployment> {
    return this.api.call<Deployment>('GET', `/v1/namespaces/default/objects/deployments/${name}`);
  }

  async replicaSets(): Promise<ReplicaSet[]> {
    return [...(await this.api.call<ObjectList>('GET', '/v1/objects/replicasets', { query: { namespace: 'default' } })).items] as ReplicaSet[];
  }
}

export const isTerminating = (v: PodView): boolean => v.displayStatus === 'Terminating';
export const isReady = (v: PodView): boolean => v.pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
export const hashOf = (v: PodView): string => v.pod.metadata.labels?.['pod-template-hash'] ?? '';

/** Samples the pods every `everyMs` until stopped; each sample is the pod list at that moment. */
export function samplePods(w: Workloads, everyMs: number): { stop(): Promise<PodView[][]> } {
  const samples: PodView[][] = [];
  let running = true;
  const loop = (async () => {
    // Bounded: a rollout that never ends fails its own wait long before this.
    for (let i = 0; running && i < 10_000; i++) {
      samples.push(await w.pods());
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
