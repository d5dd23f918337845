// Image verbs, in crictl's and podman's words: pull, images, rmi, load, image prune|inspect, login, logout.
// Progress bars only on a terminal; piped output is just the result, as podman and crictl do.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type * as CliProgress from 'cli-progress';
import type { MultiBar, SingleBar } from 'cli-progress';
import type { CliContext } from '../context.js';
import type { PruneResult, PullRequest, RemoveResult } from '../../api/routes/images.js';
import type { ImageRecord, PullProgress } from '../../image/types.js';
import { PeapodError, errorMessage } from '../../common/errors.js';
import { familiarName, parseReference, storedName } from '../../image/reference.js';
import { ExitCode } from '../exit-code.js';
import { formatAge, formatBytes, formatStructured, formatTable, parseOutputFormat } from '../output.js';

/** Characters of an image ID crictl and docker show (after "sha256:"). */
const SHORT_ID_LENGTH = 13;
const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, SHORT_ID_LENGTH);

/** Per-blob progress bars on a TTY; nothing otherwise. */
class ProgressView {
  private readonly multi: MultiBar | undefined;
  private readonly bars = new Map<string, SingleBar>();

  /** cli-progress is loaded only for a pull on a terminal: every other verb starts without its 20 files. */
  constructor(progress: typeof CliProgress | undefined) {
    this.multi = progress
      ? new progress.MultiBar(
          {
            format: '{label} [{bar}] {done}/{size} {phase}',
            hideCursor: true,
            clearOnComplete: false,
            stream: process.stdout,
          },
          progress.Presets.shades_classic,
        )
      : undefined;
  }

  on(event: PullProgress): void {
    if (!this.multi) return;
    const key = event.phase === 'unpacking' ? 'unpack' : (event.digest ?? 'resolve');
    const total = event.total ?? 1;
    const value = event.current ?? 0;
    const payload = {
      label:
        event.phase === 'unpacking'
          ? 'unpacking   '
          : (event.digest ?? event.message ?? '')
              .replace(/^sha256:/, '')
              .slice(0, 12)
              .padEnd(12),
      done: event.phase === 'unpacking' ? String(value) : formatBytes(value),
      size: event.phase === 'unpacking' ? String(total) : formatBytes(total),
      phase: event.phase,
    };
    if (event.phase === 'resolving' || event.phase === 'done') return;
    let bar = this.bars.get(key);
    if (!bar) {
      bar = this.multi.create(total, value, payload);
      this.bars.set(key, bar);
    }
    bar.setTotal(total);
    bar.update(value, payload);
  }

  stop(): void {
    this.multi?.stop();
  }
}

async function withProgress<T>(run: (onEvent: (e: PullProgress) => void) => Promise<T>): Promise<T> {
  const view = new ProgressView(process.stdout.isTTY === true ? await import('cli-progress') : undefined);
  try {
    return await run((e) => view.on(e));
  } finally {
    view.stop();
  }
}

/** One row per name ("<none>" for an image without one), as crictl images prints. */
function imageRows(images: readonly ImageRecord[], wide: boolean): string[][] {
  const rows: string[][] = [];
  for (const image of images) {
    const names = image.names.length > 0 ? image.names : [''];
    for (const name of names) {
      const at = name.lastIndexOf('@');
      const colon = name.lastIndexOf(':');
      const slash = name.lastIndexOf('/');
      const [repo, tag] =
        name === ''
          ? ['<none>', '<none>']
          : at !== -1
            ? [name.slice(0, at), '<none>']
            : colon > slash
              ? [name.slice(0, colon), name.slice(colon + 1)]
              : [name, '<none>'];
      const row = [repo, tag, shortId(image.id), formatBytes(image.size)];
      if (wide) {
        const digest = image.repoDigests.find((d) => d.startsWith(`${repo}@`)) ?? image.repoDigests[0] ?? '';
        row.push(
          digest === '' ? '<none>' : shortId(digest.slice(digest.lastIndexOf('@') + 1)),
          image.created ? `${formatAge(image.created)} ago` : '<unknown>',
        );
      }
      rows.push(row);
    }
  }
  return rows;
}

async function readStdin(): Promise<string> {
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) return line;
  return '';
}

function registerPullAndList(program: Command, ctx: () => CliContext): void {
  program
    .command('pull')
    .description('pull an image from a registry')
    .argument('<ref>', 'image reference, e.g. busybox:1.36 or localhost:5000/app@sha256:…')
    .action(async (ref: string) => {
      const context = ctx();
      const api = await context.api();
      const body: PullRequest = { ref, insecureRegistries: context.config.insecureRegistries };
      const image = await withProgress((onEvent) => api.stream<PullProgress, ImageRecord>('POST', '/v1/images/pull', onEvent, { body }));
      const wanted = storedName(parseReference(ref));
      const name = image.names.includes(wanted) ? wanted : (image.names[0] ?? wanted);
      process.stdout.write(`Pulled ${name} ${image.id}\n`);
    });

  program
    .command('images')
    .description('list local images')
    .option('-o, --output <format>', 'wide|json|yaml')
    .option('-q, --quiet', 'print only image IDs')
    .action(async (opts: { output?: string; quiet?: boolean }) => {
      const format = parseOutputFormat(opts.output);
      const images = await (await ctx().api()).call<ImageRecord[]>('GET', '/v1/images');
      if (opts.quiet) {
        process.stdout.write(images.map((i) => `${i.id}\n`).join(''));
        return;
      }
      if (format === 'json' || format === 'yaml') {
        process.stdout.write(formatStructured(images, format));
        return;
      }
      const headers = ['IMAGE', 'TAG', 'IMAGE ID', 'SIZE', ...(format === 'wide' ? ['DIGEST', 'CREATED'] : [])];
      process.stdout.write(formatTable(headers, imageRows(images, format === 'wide')));
    });
}

async function removeImages(ctx: () => CliContext, refs: readonly string[], force: boolean): Promise<void> {
  const api = await ctx().api();
  let failed = 0;
  for (const ref of refs) {
    try {
      const result = await api.call<RemoveResult>('DELETE', '/v1/images', { query: { ref, force } });
      for (const name of result.untagged) process.stdout.write(`Untagged: ${familiarName(name)}\n`);
      for (const id of result.deleted) process.stdout.write(`Deleted: ${id}\n`);
    } catch (err) {
      // docker rmi goes on with the other references and fails at the end.
      if (refs.length === 1) throw err;
      failed++;
      const hint = err instanceof PeapodError && err.hint ? ` (${err.hint})` : '';
      process.stderr.write(`Error: ${errorMessage(err)}${hint}\n`);
    }
  }
  if (failed > 0) throw new ExitCode(1);
}

function registerRemoveLoad(program: Command, ctx: () => CliContext): void {
  program
    .command('rmi')
    .description('remove images (a name untags; the last name or an ID deletes)')
    .argument('<ref...>', 'image names, IDs or ID prefixes')
    .option('-f, --force', 'remove even if a container uses it (it is untagged and deleted once unused)')
    .action((refs: string[], opts: { force?: boolean }) => removeImages(ctx, refs, opts.force === true));

  program
    .command('load')
    .description('load images from an OCI layout (directory or tar) or a docker-archive tar')
    .requiredOption('-i, --input <path>', 'archive or OCI layout directory')
    .action(async (opts: { input: string }) => {
      const api = await ctx().api();
      const body = { path: resolve(opts.input) };
      const images = await withProgress((onEvent) => api.stream<PullProgress, ImageRecord[]>('POST', '/v1/images/load', onEvent, { body }));
      for (const image of images) {
        if (image.names.length === 0) process.stdout.write(`Loaded image ID: ${image.id}\n`);
        for (const name of image.names) process.stdout.write(`Loaded image: ${name}\n`);
      }
    });
}

function registerImageGroup(program: Command, ctx: () => CliContext): void {
  const image = program.command('image').description('manage images (prune, inspect)');
  image
    .command('prune')
    .description('remove images without a name that no container uses; -a: every unused image')
    .option('-a, --all', 'remove all images no container uses')
    .action(async (opts: { all?: boolean }) => {
      const result = await (await ctx().api()).call<PruneResult>('POST', '/v1/images/prune', { body: { all: opts.all === true } });
      if (result.deleted.length > 0) process.stdout.write(`Deleted Images:\n${result.deleted.map((id) => `deleted: ${id}\n`).join('')}\n`);
      process.stdout.write(`Total reclaimed space: ${formatBytes(result.reclaimedBytes)}\n`);
    });
  image
    .command('inspect')
    .description('show images as JSON')
    .argument('<ref...>', 'image names or IDs')
    .action(async (refs: string[]) => {
      const api = await ctx().api();
      const found: ImageRecord[] = [];
      for (const ref of refs) found.push(await api.call<ImageRecord>('GET', '/v1/images/inspect', { query: { ref } }));
      process.stdout.write(formatStructured(found, 'json'));
    });
}

function registerLogin(program: Command, ctx: () => CliContext): void {
  program
    .command('login')
    .description('log in to a registry: checks the credentials, then stores them in the auth file (mode 0600)')
    .argument('<registry>', 'registry host[:port], e.g. docker.io or localhost:5000')
    .requiredOption('-u, --username <user>', 'user name')
    .option('-p, --password <password>', 'password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (registry: string, opts: { username: string; password?: string; passwordStdin?: boolean }) => {
      if (opts.password !== undefined && opts.passwordStdin) throw new PeapodError('InvalidArgument', '--password and --password-stdin are mutually exclusive');
      if (opts.password === undefined && !opts.passwordStdin)
        throw new PeapodError('InvalidArgument', 'a password is required: -p PASSWORD or --password-stdin');
      if (opts.password !== undefined) process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : (opts.password ?? '');
      const { config } = ctx();
      const { login } = await import('../../image/registry/login.js');
      await login(registry, opts.username, password, { authFile: config.authFile, insecureRegistries: config.insecureRegistries });
      process.stdout.write('Login Succeeded\n');
    });

  program
    .command('logout')
    .description('remove the stored credentials of a registry')
    .argument('<registry>', 'registry host[:port]')
    .action(async (registry: string) => {
      const { logout } = await import('../../image/registry/login.js');
      const removed = await logout(registry, ctx().config.authFile);
      process.stdout.write(removed ? `Removing login credentials for ${registry}\n` : `Not logged in to ${registry}\n`);
    });
}

export function registerImageCommands(program: Command, ctx: () => CliContext): void {
  registerPullAndList(program, ctx);
  registerRemoveLoad(program, ctx);
  registerImageGroup(program, ctx);
  registerLogin(program, ctx);
}
