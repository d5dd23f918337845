// The node a DaemonSet schedules onto: this host, with the labels the API front shows and no taints
// (peapod's node never taints itself: pressure is handled by its own eviction, not by keeping pods out).
import { nodeLabels, nodeName } from '../../common/node-identity.js';
import type { NodeView } from './node-fit.js';

export function thisNode(): NodeView {
  return { name: nodeName(), labels: nodeLabels(), taints: [] };
}
