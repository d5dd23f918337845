// ListImages and ImageStatus.
import type { ImageRecord } from '../image/types.js';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import type { CriImage } from './types.js';

/** The image's USER as CRI wants it: a numeric uid, or a user name (neither when unset). */
function imageUser(user: string | undefined): Pick<CriImage, 'uid' | 'username'> {
  const name = (user ?? '').split(':')[0] ?? '';
  if (name === '') return { uid: null, username: '' };
  return /^\d+$/.test(name) ? { uid: { value: name }, username: '' } : { uid: null, username: name };
}

export function criImage(record: ImageRecord): CriImage {
  return {
    id: record.id,
    repo_tags: [...record.names],
    repo_digests: [...record.repoDigests],
    size: String(record.size),
    ...imageUser(record.config.user),
    spec: { image: record.id, annotations: {}, user_specified_image: '', runtime_handler: '', image_ref: '' },
    pinned: false,
  };
}

export async function listImages(ctx: CriContext, request: Fields): Promise<{ images: CriImage[] }> {
  const ref = request.msg('filter')?.msg('image')?.str('image') ?? '';
  if (ref !== '') {
    const found = await ctx.images.find(ref);
    return { images: found ? [criImage(found)] : [] };
  }
  return { images: (await ctx.images.list()).map(criImage) };
}

/** CRI: an image that is not present is a response without `image`, not an error. */
export async function imageStatus(ctx: CriContext, request: Fields): Promise<object> {
  const ref = request.msg('image')?.str('image') ?? '';
  const found = ref === '' ? undefined : await ctx.images.find(ref);
  if (!found) return { image: null, info: {} };
  const info: Record<string, string> = {};
  if (request.bool('verbose')) {
    info['info'] = JSON.stringify({
      manifestDigest: found.manifestDigest,
      os: found.os,
      architecture: found.architecture,
      created: found.created ?? '',
      layers: found.layers.map((l) => l.digest),
      config: found.config,
    });
  }
  return { image: criImage(found), info };
}
