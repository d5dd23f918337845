// Which uid, gid and supplementary groups a container's process gets: one rule for both fronts (a pod's
// securityContext and a CRI request), the one containerd applies (oci.WithUser, WithUserID, WithUsername,
// WithAdditionalGIDs): names and numeric users are looked up in the image's /etc/passwd and /etc/group.
// Pure: the files' text comes in, so the rule is table-tested without a rootfs.
import { PeapodError } from '../common/errors.js';

/** What a front asks for; nothing is resolved yet. */
export interface UserRequest {
  /** runAsUser / run_as_user. */
  readonly uid?: number;
  /** run_as_username (CRI only): looked up in the image's /etc/passwd. */
  readonly username?: string;
  /** runAsGroup / run_as_group: replaces the primary group, whoever the user is. */
  readonly gid?: number;
  /** The image's USER ("", "1000", "1000:1000", "nobody", "nobody:nogroup"), used when no uid or username is asked for. */
  readonly image: string;
  /** supplementalGroups (and fsGroup): added after the groups the image's /etc/group gives the user. */
  readonly supplementalGroups: readonly number[];
}

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
}

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** The image's user database; undefined file = the image has none. */
export interface UserDb {
  readonly passwd: readonly PasswdEntry[] | undefined;
  readonly group: readonly GroupEntry[] | undefined;
}

const ID_MAX = 2 ** 32 - 2;

function numericId(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= ID_MAX ? n : undefined;
}

/** name:password:uid:gid:gecos:home:shell; malformed lines are skipped, as libc's getpwent does. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    const uid = numericId(f[2] ?? '');
    const gid = numericId(f[3] ?? '');
    if (f[0] && uid !== undefined && gid !== undefined) out.push({ name: f[0], uid, gid });
  }
  return out;
}

/** name:password:gid:member,member */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const gid = numericId(f[2] ?? '');
    const members = (f[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '');
    if (f[0] && gid !== undefined) out.push({ name: f[0], gid, members });
  }
  return out;
}

function userByName(db: UserDb, name: string, what: string): PasswdEntry {
  const entry = db.passwd?.find((e) => e.name === name);
  if (!entry) {
    throw new PeapodError('InvalidArgument', `${what}: no user ${JSON.stringify(name)} in the image's /etc/passwd`, {
      hint: 'give a numeric user (runAsUser) or use an image that defines the user',
    });
  }
  return entry;
}

function groupId(db: UserDb, group: string, what: string): number {
  const numeric = numericId(group);
  if (numeric !== undefined) return numeric;
  const entry = db.group?.find((g) => g.name === group);
  if (!entry) throw new PeapodError('InvalidArgument', `${what}: no group ${JSON.stringify(group)} in the image's /etc/group`);
  return entry.gid;
}

/** A numeric user's primary group: its /etc/passwd entry's, else 0 (containerd's WithUserID). */
function byUid(db: UserDb, uid: number): { uid: number; gid: number; name: string | undefined } {
  const entry = db.passwd?.find((e) => e.uid === uid);
  return { uid, gid: entry?.gid ?? 0, name: entry?.name };
}

/** containerd's WithUser for "user" or "user:group", each part a number or a name. */
function fromUserString(db: UserDb, text: string, what: string): { uid: number; gid: number; name: string | undefined } {
  if (text === '') return byUid(db, 0);
  const colon = text.indexOf(':');
  const userPart = colon < 0 ? text : text.slice(0, colon);
  const groupPart = colon < 0 ? undefined : text.slice(colon + 1);
  const numericUser = numericId(userPart);
  const user = numericUser !== undefined ? byUid(db, numericUser) : (({ uid, gid, name }) => ({ uid, gid, name }))(userByName(db, userPart, what));
  return groupPart === undefined || groupPart === '' ? user : { ...user, gid: groupId(db, groupPart, what) };
}

/**
 * The primary group, the groups /etc/group lists the user as a member of (not the one named after the
 * user: that is its primary group already) and the requested supplemental groups, once each, in
 * ascending order: containerd's WithAdditionalGIDs (whose ensureAdditionalGids keeps the primary group
 * among the supplementary ones, so a process that changes its gid still carries it: CVE-2023-25173)
 * merged with the CRI's supplemental groups by its mergeGids, which sorts.
 */
function additionalGroups(db: UserDb, name: string | undefined, gid: number, requested: readonly number[]): number[] {
  const fromImage = name === undefined ? [] : (db.group ?? []).filter((g) => g.name !== name && g.members.includes(name)).map((g) => g.gid);
  return [...new Set([gid, ...fromImage, ...requested])].sort((a, b) => a - b);
}

export function resolveUser(request: UserRequest, db: UserDb, what = 'user'): ResolvedUser {
  let user: { uid: number; gid: number; name: string | undefined };
  if (request.username !== undefined && request.username !== '') {
    const numeric = numericId(request.username);
    user = numeric !== undefined ? byUid(db, numeric) : { ...userByName(db, request.username, `${what}.run_as_username`) };
  } else if (request.uid !== undefined) {
    user = byUid(db, request.uid);
  } else {
    user = fromUserString(db, request.image, `${what} (the image's USER ${JSON.stringify(request.image)})`);
  }
  const gid = request.gid ?? user.gid;
  return { uid: user.uid, gid, additionalGids: additionalGroups(db, user.name, gid, request.supplementalGroups) };
}

/** The image's USER when it is numeric ("1000" or "1000:50"): what the kubelet can check runAsNonRoot against. */
export function numericImageUid(image: string): number | undefined {
  if (image === '' || image === 'root') return 0;
  return numericId(image.split(':')[0] ?? '');
}
