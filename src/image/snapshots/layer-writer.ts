// Writes one layer's tar entries into an empty directory in overlayfs form (containerd's applyNaive
// with its overlay whiteout converter). The directory starts empty and belongs to this writer alone,
// so an in-memory map of what it created is the truth about it: parents are checked against the map,
// never by following anything on disk, and every file is opened O_CREAT|O_EXCL|O_NOFOLLOW.
import { constants } from 'node:fs';
import { chmod, lchown, link, lutimes, mkdir, open, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Header } from 'tar-stream';
import { makeSpecialFiles, setXattrs } from '../../host/layer-fs.js';
import type { XattrEntry } from '../../host/layer-fs.js';
import { ancestors, checkSymlinkTarget, isWithin, normalizeEntryName, normalizeHardLinkTarget, parseWhiteout, printable, refuseEntry } from './paths.js';
import { xattrsOfHeader } from './xattrs.js';
import type { Meta } from './xattrs.js';

type Kind = 'dir' | 'file' | 'symlink';

/** An entry's data as tar-stream gives it (a streamx Readable). */
export interface EntryBody extends AsyncIterable<unknown> {
  resume(): unknown;
}

interface PendingNode {
  readonly type: 'whiteout' | 'fifo';
  readonly meta: Meta;
}

/** overlayfs (Documentation/filesystems/overlayfs.rst): a directory with this xattr hides lower layers. */
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';
/** Directories created only because an entry lies below them (containerd's MkdirAll default). */
const IMPLICIT_DIR_MODE = 0o755;
const FILE_OPEN_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class LayerWriter {
  private readonly kinds = new Map<string, Kind>([['.', 'dir']]);
  private readonly dirMeta = new Map<string, Meta>();
  private readonly pendingNodes = new Map<string, PendingNode>();
  private readonly opaque = new Set<string>();
  private readonly xattrs = new Map<string, XattrEntry[]>();
  /** What could not be reproduced exactly (dropped xattrs); kept with the snapshot. */
  readonly warnings: string[] = [];
  entries = 0;

  constructor(private readonly root: string) {}

  private abs(rel: string): string {
    return rel === '.' ? this.root : join(this.root, rel);
  }

  /** Applies one entry; `body` must be consumed (or is drained here) before the next entry. */
  async apply(header: Header, body: EntryBody): Promise<void> {
    this.entries++;
    const name = header.name;
    const rel = normalizeEntryName(name);
    const whiteout = parseWhiteout(name, rel);
    // tar-stream gives null for type flags it does not know.
    const type = (header.type as Header['type'] | null) ?? 'unknown';
    if (rel === '.' && type !== 'directory') throw refuseEntry(name, 'the layer root must be a directory');
    if (whiteout !== undefined) {
      body.resume();
      if (whiteout.kind === 'opaque') {
        await this.ensureDir(name, whiteout.dir);
        this.opaque.add(whiteout.dir);
      } else if (whiteout.kind === 'file') {
        await this.ensureParents(name, whiteout.path);
        // OCI layer.md: a whiteout hides lower layers only; an entry of this same layer stays.
        if (!this.kinds.has(whiteout.path)) this.pendingNodes.set(whiteout.path, { type: 'whiteout', meta: metaOf(header) });
      }
      return;
    }
    if (type === 'file' || type === 'contiguous-file') await this.writeFile(name, rel, header, body);
    else {
      body.resume();
      if (type === 'directory') await this.makeDir(name, rel, header);
      else if (type === 'symlink') await this.makeSymlink(name, rel, header);
      else if (type === 'link') await this.makeHardLink(name, rel, header);
      else if (type === 'fifo') await this.makeFifo(name, rel, header);
      else if (type === 'character-device' || type === 'block-device') {
        throw refuseEntry(name, `${type} nodes are not allowed in image layers`, 'a container gets its devices from the runtime, not from its image');
      } else throw refuseEntry(name, `unsupported tar entry type "${String(type)}"`);
    }
  }

  private async writeFile(name: string, rel: string, header: Header, body: EntryBody): Promise<void> {
    await this.replace(name, rel, 'file');
    const handle = await open(this.abs(rel), FILE_OPEN_FLAGS, 0o600);
    try {
      this.kinds.set(rel, 'file');
      for await (const chunk of body) {
        if (!(chunk instanceof Uint8Array)) throw new TypeError('tar entry data is not bytes');
        let offset = 0;
        while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten;
      }
      const meta = metaOf(header);
      // chown before chmod: chown(2) clears setuid/setgid bits.
      await handle.chown(meta.uid, meta.gid);
      await handle.chmod(meta.mode);
      await handle.utimes(meta.mtime, meta.mtime);
    } finally {
      await handle.close();
    }
    this.recordXattrs(name, rel, header);
  }

  private async makeDir(name: string, rel: string, header: Header): Promise<void> {
    if (rel !== '.') {
      await this.replace(name, rel, 'dir');
      if (!this.kinds.has(rel)) {
        await mkdir(this.abs(rel), 0o700);
        this.kinds.set(rel, 'dir');
      }
    }
    // Mode, owner and times are applied in finish(), after the directory's contents are written.
    this.dirMeta.set(rel, metaOf(header));
    this.recordXattrs(name, rel, header);
  }

  private async makeSymlink(name: string, rel: string, header: Header): Promise<void> {
    const target = header.linkname ?? '';
    checkSymlinkTarget(name, rel, target);
    await this.replace(name, rel, 'symlink');
    const path = this.abs(rel);
    await symlink(target, path);
    this.kinds.set(rel, 'symlink');
    const meta = metaOf(header);
    await lchown(path, meta.uid, meta.gid);
    await lutimes(path, meta.mtime, meta.mtime);
    this.recordXattrs(name, rel, header);
  }

  /** The target must be an entry already written by this layer; the link shares its inode and metadata. */
  private async makeHardLink(name: string, rel: string, header: Header): Promise<void> {
    const target = normalizeHardLinkTarget(name, header.linkname ?? '');
    const kind = this.kinds.get(target);
    if (kind === undefined) {
      throw refuseEntry(name, `hard link target "${printable(target)}" is not an earlier entry of this layer`);
    }
    if (kind === 'dir') throw refuseEntry(name, `hard link target "${printable(target)}" is a directory`);
    if (isWithin(target, rel)) throw refuseEntry(name, 'hard link to itself or to an entry it would replace');
    await this.replace(name, rel, kind);
    await link(this.abs(target), this.abs(rel));
    this.kinds.set(rel, kind);
  }

  private async makeFifo(name: string, rel: string, header: Header): Promise<void> {
    await this.replace(name, rel, 'file');
    this.pendingNodes.set(rel, { type: 'fifo', meta: metaOf(header) });
  }

  private recordXattrs(name: string, rel: string, header: Header): void {
    const found = xattrsOfHeader(header, rel, (w) => this.warnings.push(`${printable(name)}: ${w}`));
    if (found.length > 0) this.xattrs.set(rel, found);
    else this.xattrs.delete(rel);
  }

  /** Makes `dir` and its ancestors real directories, refusing to write through a symlink or a file. */
  private async ensureDir(name: string, dir: string): Promise<void> {
    await this.ensureParents(name, dir);
    const kind = this.kinds.get(dir);
    if (kind === 'dir') return;
    if (kind === 'symlink') throw refuseEntry(name, `"${printable(dir)}" is a symlink; writing through it could leave the layer root`);
    if (kind === 'file') throw refuseEntry(name, `"${printable(dir)}" is not a directory`);
    this.cancelPending(dir, true);
    await mkdir(this.abs(dir), IMPLICIT_DIR_MODE);
    this.kinds.set(dir, 'dir');
  }

  private async ensureParents(name: string, rel: string): Promise<void> {
    if (rel === '.') return;
    for (const dir of ancestors(rel)) {
      const kind = this.kinds.get(dir);
      if (kind === 'dir') continue;
      if (kind === 'symlink') throw refuseEntry(name, `"${printable(dir)}" is a symlink; writing through it could leave the layer root`);
      if (kind === 'file') throw refuseEntry(name, `"${printable(dir)}" is not a directory`);
      this.cancelPending(dir, true);
      await mkdir(this.abs(dir), IMPLICIT_DIR_MODE);
      this.kinds.set(dir, 'dir');
    }
  }

  /** Clears the way for a new entry at `rel`: an existing directory stays for a directory, anything else goes. */
  private async replace(name: string, rel: string, next: Kind): Promise<void> {
    await this.ensureParents(name, rel);
    const kind = this.kinds.get(rel);
    if (kind === undefined) {
      this.cancelPending(rel, next === 'dir');
      return;
    }
    if (kind === 'dir' && next === 'dir') return;
    // rm never follows symlinks: a symlink is removed, not its target.
    await rm(this.abs(rel), { recursive: true, force: true });
    for (const map of [this.kinds, this.dirMeta, this.pendingNodes, this.xattrs] as const) {
      for (const key of [...map.keys()]) if (isWithin(key, rel)) map.delete(key);
    }
    for (const key of [...this.opaque]) if (isWithin(key, rel)) this.opaque.delete(key);
  }

  /**
   * A pending node at `rel` is superseded by a new entry. A whiteout replaced by a directory means
   * "deleted, then created again": in overlayfs form that is an opaque directory.
   */
  private cancelPending(rel: string, becomesDir: boolean): void {
    const pending = this.pendingNodes.get(rel);
    if (pending === undefined) return;
    this.pendingNodes.delete(rel);
    if (pending.type === 'whiteout' && becomesDir) this.opaque.add(rel);
  }

  /** Creates the batched nodes, sets xattrs, then directory metadata deepest first (contents change mtimes). */
  async finish(signal?: AbortSignal): Promise<void> {
    const opts = signal === undefined ? {} : { signal };
    const nodes = [...this.pendingNodes].filter(([rel]) => this.parentsAreDirs(rel));
    await makeSpecialFiles(
      this.root,
      nodes.map(([path, n]) => ({ path, type: n.type })),
      opts,
    );
    for (const [rel, node] of nodes) {
      const path = this.abs(rel);
      await lchown(path, node.meta.uid, node.meta.gid);
      if (node.type === 'fifo') {
        await chmod(path, node.meta.mode);
        await lutimes(path, node.meta.mtime, node.meta.mtime);
      }
    }
    await this.applyXattrs(opts);
    const dirs = [...this.dirMeta].sort(([a], [b]) => depth(b) - depth(a));
    for (const [rel, meta] of dirs) {
      const path = this.abs(rel);
      await lchown(path, meta.uid, meta.gid);
      await chmod(path, meta.mode);
      await lutimes(path, meta.mtime, meta.mtime);
    }
  }

  private parentsAreDirs(rel: string): boolean {
    return ancestors(rel).every((dir) => this.kinds.get(dir) === 'dir');
  }

  private async applyXattrs(opts: { signal?: AbortSignal }): Promise<void> {
    const opaque: XattrEntry[] = [...this.opaque]
      .filter((dir) => this.kinds.get(dir) === 'dir' && this.parentsAreDirs(dir))
      .map((dir) => ({ path: dir, name: OVERLAY_OPAQUE_XATTR, value: Buffer.from('y') }));
    await setXattrs(this.root, opaque, opts);
    const required: XattrEntry[] = [];
    const optional: XattrEntry[] = [];
    for (const [rel, list] of this.xattrs) {
      if (!this.kinds.has(rel) || !this.parentsAreDirs(rel)) continue;
      for (const x of list) (isRequiredXattr(x.name) ? required : optional).push(x);
    }
    await setXattrs(this.root, required, opts);
    try {
      await setXattrs(this.root, optional, opts);
    } catch (err) {
      this.warnings.push(`some extended attributes (${optional.map((x) => x.name).join(', ')}) were not set: ${(err as Error).message}`);
    }
  }
}

/** Attributes that change what a process may do: losing them silently would change the image. */
function isRequiredXattr(name: string): boolean {
  return name === 'security.capability' || name.startsWith('system.posix_acl_');
}

function depth(rel: string): number {
  return rel === '.' ? 0 : posix.normalize(rel).split('/').length;
}

function metaOf(header: Header): Meta {
  return {
    mode: (header.mode ?? 0o644) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    mtime: header.mtime ?? new Date(0),
  };
}
