// The benchmark pod: two busybox containers that idle and exit at once on SIGTERM, image cached, so
// that start and teardown measure the runtime, not the workload or a grace period.
export const CONTAINER_COMMAND = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"] as const;

export function twoContainerPod(name: string): string {
  const command = JSON.stringify(CONTAINER_COMMAND);
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: a
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ${command}
    - name: b
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ${command}
`;
}

/** `count` pods in one multi-document file. */
export function manyPods(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => twoContainerPod(`${prefix}-${i}`)).join('---\n');
}
