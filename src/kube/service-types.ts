// v1 Service and discovery.k8s.io/v1 EndpointSlice, the fields peapod's Service proxy and cluster DNS use.
import type { ApiObject } from './kinds/kind.js';
import type { Protocol } from './types.js';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ServicePort {
  readonly name?: string;
  readonly protocol?: Protocol;
  readonly appProtocol?: string;
  readonly port: number;
  /** A number, or the name of a container port, resolved per pod. */
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

export interface ServiceSpec {
  readonly type?: ServiceType;
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports?: readonly ServicePort[];
  /** '' or absent: allocated from the service range; 'None': headless. */
  readonly clusterIP?: string;
  readonly clusterIPs?: readonly string[];
  readonly externalName?: string;
  readonly sessionAffinity?: 'None' | 'ClientIP';
  readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } };
  readonly publishNotReadyAddresses?: boolean;
  readonly ipFamilies?: readonly string[];
  readonly ipFamilyPolicy?: string;
  readonly internalTrafficPolicy?: string;
  readonly externalTrafficPolicy?: string;
}

export interface Service extends ApiObject {
  readonly apiVersion: 'v1';
  readonly kind: 'Service';
  readonly spec: ServiceSpec;
  readonly status?: { readonly loadBalancer?: Record<string, unknown> };
}

export interface EndpointConditions {
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly conditions: EndpointConditions;
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly targetRef?: { readonly kind: 'Pod'; readonly namespace: string; readonly name: string; readonly uid: string };
}

export interface EndpointPort {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: Protocol;
  readonly appProtocol?: string;
}

export interface EndpointSlice extends ApiObject {
  readonly apiVersion: 'discovery.k8s.io/v1';
  readonly kind: 'EndpointSlice';
  readonly addressType: 'IPv4';
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly EndpointPort[];
}

/** The label tying a slice to its Service, and the one naming the controller that manages it. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

export const DEFAULT_NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
/** kube-proxy's default ClientIP stickiness (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

export function isHeadless(service: Service): boolean {
  return service.spec.clusterIP === 'None';
}

export function hasNodePorts(service: Service): boolean {
  return service.spec.type === 'NodePort' || service.spec.type === 'LoadBalancer';
}
