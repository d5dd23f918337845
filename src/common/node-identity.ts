// This host as a Kubernetes node: its name and well-known labels, one definition for the API front's
// Node object and the DaemonSet controller's node selection.
import { arch, hostname } from 'node:os';

/** The node's name: the host name in lower case, as the kubelet registers it (--hostname-override unset). */
export const nodeName = (): string => hostname().toLowerCase();

/** GOARCH spelling of the machine's architecture. */
export const nodeArch = (): string => (arch() === 'x64' ? 'amd64' : arch());

/** The kubelet's well-known node labels (kubernetes.io/hostname, os, arch). */
export function nodeLabels(): Record<string, string> {
  return { 'kubernetes.io/hostname': nodeName(), 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': nodeArch() };
}
