// PullImage (with the CRI's AuthConfig) and RemoveImage.
import { PeapodError } from '../common/errors.js';
import type { PullOptions } from '../image/types.js';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { refuseUnsupportedImageSpec } from './unsupported.js';

type Auth = NonNullable<PullOptions['auth']>;

/** An image ID (sha256:<hex> or bare hex) or a reference pinned by digest (name@sha256:<hex>). */
const CONTENT_ADDRESSED = /(^|@|^sha256:)[0-9a-f]{64}$/;

/** AuthConfig → the image service's credentials; `auth` is docker's base64 "user:password". */
export function authFrom(f: Fields | undefined): Auth | undefined {
  if (!f) return undefined;
  let username = f.str('username');
  let password = f.str('password');
  const encoded = f.str('auth');
  if (encoded !== '' && username === '' && password === '') {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new PeapodError('InvalidArgument', `${f.path}.auth: expected base64 of "user:password"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const identityToken = f.str('identity_token');
  const registryToken = f.str('registry_token');
  const auth: Auth = {
    ...(username !== '' ? { username } : {}),
    ...(password !== '' ? { password } : {}),
    ...(identityToken !== '' ? { identityToken } : {}),
    ...(registryToken !== '' ? { registryToken } : {}),
  };
  return Object.keys(auth).length === 0 ? undefined : auth;
}

export async function pullImage(ctx: CriContext, request: Fields, signal: AbortSignal): Promise<{ image_ref: string }> {
  const ref = request.msg('image')?.str('image') ?? '';
  if (ref === '') throw new PeapodError('InvalidArgument', 'image.image must name an image to pull');
  refuseUnsupportedImageSpec(request.msg('image'));
  const auth = authFrom(request.msg('auth'));
  if (CONTENT_ADDRESSED.test(ref)) {
    // An image ID names content, not a place to fetch it from; a repo@digest already here is exactly that content.
    const local = await ctx.images.find(ref);
    if (local) return { image_ref: local.id };
    if (!ref.includes('@')) throw new PeapodError('NotFound', `image ${JSON.stringify(ref)} is an image ID that is not present; pull it by name`);
  }
  const record = await ctx.images.pull(ref, { signal, ...(auth ? { auth } : {}) });
  // containerd answers with the image ID; the kubelet uses it as the container's imageID.
  return { image_ref: record.id };
}

export async function removeImage(ctx: CriContext, request: Fields): Promise<object> {
  const ref = request.msg('image')?.str('image') ?? '';
  if (ref === '') throw new PeapodError('InvalidArgument', 'image.image must name an image to remove');
  // Idempotent: removing an image that is not there succeeds.
  if (!(await ctx.images.find(ref))) return {};
  await ctx.images.remove(ref);
  return {};
}
