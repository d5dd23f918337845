// Where the Kubernetes API's credentials live (<root>/kubeapi, 0700, files 0600), read without loading
// the certificate library: `peapod kubeconfig` only reads them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoException } from '../common/errors.js';

export interface KubeApiCredentials {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

export const CREDENTIAL_FILES: Readonly<Record<keyof KubeApiCredentials, string>> = {
  caCert: 'ca.crt',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  clientCert: 'client.crt',
  clientKey: 'client.key',
};

export async function readCredentials(dir: string): Promise<KubeApiCredentials | undefined> {
  try {
    const read = (key: keyof KubeApiCredentials): Promise<string> => readFile(join(dir, CREDENTIAL_FILES[key]), 'utf8');
    const [caCert, serverCert, serverKey, clientCert, clientKey] = await Promise.all([
      read('caCert'),
      read('serverCert'),
      read('serverKey'),
      read('clientCert'),
      read('clientKey'),
    ]);
    return { caCert, serverCert, serverKey, clientCert, clientKey };
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    throw err;
  }
}
