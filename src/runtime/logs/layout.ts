// The kubelet's pod log layout (kuberuntime BuildPodLogsDirectory): one directory per pod under the log
// root, named <namespace>_<name>_<uid>. The kubelet front uses it for every pod; the CRI front for a
// sandbox whose request names no log_directory, so such a pod's logs land where a kubelet would put them.
export function podLogDirectoryName(namespace: string, name: string, uid: string): string {
  return `${namespace}_${name}_${uid}`;
}
