// A small pusher for test images, straight on the distribution API (monolithic uploads: POST then PUT
// ?digest=, then PUT the manifest), against an open (no auth) registry.
import type { Blob, BuiltImage } from './build.js';

async function check(res: Response, what: string): Promise<void> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  await res.arrayBuffer().catch(() => undefined);
}

export async function pushBlob(host: string, repo: string, blob: Blob): Promise<void> {
  const head = await fetch(`http://${host}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
  if (head.ok) return;
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`start upload: HTTP ${start.status} ${await start.text()}`);
  await start.arrayBuffer();
  const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
  location.searchParams.set('digest', blob.digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.bytes.length) },
    body: blob.bytes,
  });
  await check(put, `upload ${blob.digest}`);
}

export async function pushManifest(host: string, repo: string, reference: string, manifest: Blob): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': manifest.mediaType },
    body: manifest.bytes,
  });
  await check(res, `manifest ${repo}:${reference}`);
}

/** Pushes an image's blobs and manifest, tagged. */
export async function pushImage(host: string, repo: string, tag: string, image: BuiltImage): Promise<void> {
  for (const blob of image.blobs) await pushBlob(host, repo, blob);
  await pushManifest(host, repo, tag, image.manifest);
}
