// The Kubernetes API's credentials: a CA, the server's certificate (127.0.0.1 and localhost) and one client
// certificate (CN=peapod-admin, O=system:masters, as kubeadm's admin.conf), generated at first start and
// kept root-only under <root>/kubeapi. Keys come from Node's crypto (RSA 2048); node-forge builds and
// signs the X.509 certificates (Node can parse certificates but not issue them).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { CREDENTIAL_FILES as FILES, readCredentials, type KubeApiCredentials } from './credential-files.js';

export type { KubeApiCredentials } from './credential-files.js';

const VALID_DAYS = 3650;
const DAY_MS = 86_400_000;

/** Reads the credentials, generating them (all at once, then one rename) when there are none yet. */
export async function ensureCredentials(dir: string): Promise<KubeApiCredentials> {
  const existing = await readCredentials(dir);
  if (existing) return existing;
  const fresh = generateCredentials();
  const staging = `${dir}.new-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700, recursive: true });
  for (const key of Object.keys(FILES) as (keyof KubeApiCredentials)[]) await writeFile(join(staging, FILES[key]), fresh[key], { mode: 0o600 });
  await rename(staging, dir);
  return fresh;
}

interface KeyPair {
  readonly privatePem: string;
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly publicKey: forge.pki.rsa.PublicKey;
}

function newKeys(): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  return { privatePem: privateKey, privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

/** A positive serial (the high bit clear: X.509 serials are signed integers). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

type Attributes = forge.pki.CertificateField[];

function certificate(subject: Attributes, issuer: Attributes, publicKey: forge.pki.rsa.PublicKey, extensions: object[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + VALID_DAYS * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  return cert;
}

function generateCredentials(): KubeApiCredentials {
  const caKeys = newKeys();
  const caName: Attributes = [{ name: 'commonName', value: 'peapod-ca' }];
  const ca = certificate(caName, caName, caKeys.publicKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  const leaf = (subject: Attributes, usage: 'serverAuth' | 'clientAuth', extra: object[]): { cert: string; key: string } => {
    const keys = newKeys();
    const cert = certificate(subject, caName, keys.publicKey, [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', [usage]: true },
      { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
      ...extra,
    ]);
    cert.sign(caKeys.privateKey, forge.md.sha256.create());
    return { cert: forge.pki.certificateToPem(cert), key: keys.privatePem };
  };
  const server = leaf([{ name: 'commonName', value: 'peapod-apiserver' }], 'serverAuth', [
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  const client = leaf(
    [
      { name: 'organizationName', value: 'system:masters' },
      { name: 'commonName', value: 'peapod-admin' },
    ],
    'clientAuth',
    [],
  );
  return { caCert: forge.pki.certificateToPem(ca), serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key };
}
