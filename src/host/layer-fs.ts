// File-system operations Node has no binding for, needed to unpack image layers: mknod (overlayfs
// whiteouts are character devices 0:0; fifos), setxattr (trusted.overlay.opaque, file capabilities,
// ACLs) and syncfs. Each is batched into one program run per layer, with paths relative to `root`
// passed as arguments or stdin, never through a shell string.
import { run } from './exec.js';
import type { RunOptions } from './exec.js';

/** Deadline of one batch; generous because a batch may hold thousands of entries on a slow disk. */
export const LAYER_FS_BATCH_TIMEOUT_MS = 120_000;
/** Bytes of path arguments per mknod batch, well under Linux's ARG_MAX (2 MiB with the default stack). */
const MAX_ARG_BYTES_PER_BATCH = 256 * 1024;

export interface SpecialFile {
  /** Path relative to the batch root; its parent directories must exist and be real directories. */
  readonly path: string;
  /** 'whiteout' = overlayfs whiteout (character device 0:0, mode 0), 'fifo' = named pipe (mode 0). */
  readonly type: 'whiteout' | 'fifo';
}

// Arguments come in pairs (type, path); mknod with `--` and a ./ prefix so no name is read as an option.
const MKNOD_LOOP =
  'while [ $# -gt 1 ]; do if [ "$1" = c ]; then mknod -m 000 -- "$2" c 0 0 || exit 1; else mknod -m 000 -- "$2" p || exit 1; fi; shift 2; done';

/** Creates whiteouts and fifos under `root`; the caller applies owner, mode and times afterwards. */
export async function makeSpecialFiles(root: string, files: readonly SpecialFile[], options: Pick<RunOptions, 'signal'> = {}): Promise<void> {
  let batch: string[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await run('sh', ['-c', MKNOD_LOOP, 'peapod-mknod', ...batch], { cwd: root, timeoutMs: LAYER_FS_BATCH_TIMEOUT_MS, ...options });
    batch = [];
    bytes = 0;
  };
  for (const file of files) {
    const arg = `./${file.path}`;
    if (bytes + arg.length > MAX_ARG_BYTES_PER_BATCH) await flush();
    batch.push(file.type === 'whiteout' ? 'c' : 'p', arg);
    bytes += arg.length + 4;
  }
  await flush();
}

export interface XattrEntry {
  /** Path relative to the batch root. */
  readonly path: string;
  readonly name: string;
  readonly value: Uint8Array;
}

/** getfattr's quoting, which setfattr --restore undoes: every byte outside a safe set as \ooo octal. */
function quotePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._/+,:@=-]/.test(c) ? c : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** The dump format of `getfattr -d`, values hex-encoded so no byte needs quoting. */
export function xattrDump(entries: readonly XattrEntry[]): string {
  const byPath = new Map<string, XattrEntry[]>();
  for (const e of entries) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  let text = '';
  for (const [path, list] of byPath) {
    text += `# file: ${quotePath(`./${path}`)}\n`;
    for (const e of list) text += `${e.name}=0x${Buffer.from(e.value).toString('hex')}\n`;
    text += '\n';
  }
  return text;
}

/**
 * Sets extended attributes under `root` without following symlinks (-h), in one setfattr run.
 * Throws CommandError naming the first failure when any attribute could not be set.
 */
export async function setXattrs(root: string, entries: readonly XattrEntry[], options: Pick<RunOptions, 'signal'> = {}): Promise<void> {
  if (entries.length === 0) return;
  await run('setfattr', ['-h', '--restore=-'], { cwd: root, input: xattrDump(entries), timeoutMs: LAYER_FS_BATCH_TIMEOUT_MS, ...options });
}

/** One extended attribute's value, or undefined when the file does not have it. */
export async function getXattr(path: string, name: string): Promise<Buffer | undefined> {
  // Hex encoding, because exec.ts decodes output as UTF-8 and capability values are binary.
  const r = await run('getfattr', ['-h', '--absolute-names', '-e', 'hex', '-n', name, '--', path], { okCodes: [0, 1], timeoutMs: 10_000 });
  const m = /=0x([0-9a-f]*)\s*$/m.exec(r.stdout);
  if (r.code !== 0 || !m) return undefined;
  return Buffer.from(m[1] ?? '', 'hex');
}

/** syncfs(2) on the file system holding `path` (coreutils `sync -f`): one flush per unpacked layer. */
export async function syncFilesystem(path: string, options: Pick<RunOptions, 'signal'> = {}): Promise<void> {
  await run('sync', ['-f', '--', path], { timeoutMs: LAYER_FS_BATCH_TIMEOUT_MS, ...options });
}
