// The QoS parent cgroups the kubelet keeps (pkg/kubelet/cm/qos_container_manager_linux.go):
// Guaranteed pods directly under kubepods, the others under kubepods/burstable and kubepods/besteffort.
export function qosParentCgroups(cgroupRoot: string): string[] {
  const base = `${cgroupRoot.replace(/\/$/, '')}/kubepods`;
  return [base, `${base}/burstable`, `${base}/besteffort`];
}
