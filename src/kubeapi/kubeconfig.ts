// `peapod kubeconfig`: a kubeconfig with context `peapod`, the CA and the client certificate inline, so the
// file alone is enough for kubectl (and holds a credential: whoever reads it runs pods as root).
import { stringify } from 'yaml';
import type { KubeApiCredentials } from './credential-files.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function renderKubeconfig(credentials: KubeApiCredentials, port: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'peapod', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(credentials.caCert) } }],
    users: [{ name: 'peapod-admin', user: { 'client-certificate-data': b64(credentials.clientCert), 'client-key-data': b64(credentials.clientKey) } }],
    contexts: [{ name: 'peapod', context: { cluster: 'peapod', user: 'peapod-admin', namespace: 'default' } }],
    'current-context': 'peapod',
    preferences: {},
  });
}
