// Images with their sizes and the pods whose containers run them (matched by image ID).
import { el, bytes, podKey } from './util.js';

export async function showImages(views) {
  const res = await fetch('/api/v1/images');
  if (!res.ok) return;
  const images = (await res.json()).result ?? [];
  const users = new Map();
  for (const view of views) {
    const statuses = [...(view.pod.status?.containerStatuses ?? []), ...(view.pod.status?.initContainerStatuses ?? [])];
    for (const s of statuses) {
      if (!s.imageID) continue;
      const list = users.get(s.imageID) ?? [];
      list.push(`${podKey(view)} (${s.name})`);
      users.set(s.imageID, list);
    }
  }
  document
    .querySelector('#images tbody')
    .replaceChildren(
      ...images.map((img) =>
        el(
          'tr',
          { 'data-image': img.id },
          el('td', { text: img.names.join(', ') || '<none>' }),
          el('td', { text: img.id.replace('sha256:', '').slice(0, 12) }),
          el('td', { text: bytes(img.size) }),
          el('td', { text: (users.get(img.id) ?? []).join(', ') || '—' }),
        ),
      ),
    );
}
