// The dashboard in a real browser (Debian's chromium via playwright-core) against a real daemon and pod:
// login with the one-time token, refusals (no token, a spent token, another Host, another Origin), a pod
// appearing within a second of `peapod apply`, its Linux view checked against /proc/<pid>/ns, a command
// run in the in-browser terminal, a restart counted live, logs, the build timeline, the cgroup tree and
// images. Screenshots of the main views go to docs/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readlink, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { makeTestRoots } from '../helpers/roots.js';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { loadBusybox, startDaemon } from '../helpers/daemon.js';
import { launchBrowser } from '../helpers/browser.js';
import { findProcesses } from '../../src/host/proc.js';
import { cookieFor, get, upgradeStatus } from './http.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
/** Unique enough to find the container's process from /proc alone, without asking peapod. */
const SLEEP_SECONDS = '86391';
const MANIFEST = `
apiVersion: v1
kind: Pod
metadata:
  name: demo
  labels: { app: demo, tier: web }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sleep", "${SLEEP_SECONDS}"]
      readinessProbe: { exec: { command: ["true"] }, periodSeconds: 1 }
      resources:
        requests: { memory: 32Mi, cpu: 100m }
        limits: { memory: 64Mi, cpu: 250m }
    - name: crasher
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "echo crash-log-line; sleep 1; exit 3"]
`;

async function shot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

test('the dashboard: token login, refusals, live pods, the Linux view against /proc, terminal, restarts', { timeout: 240_000 }, async (t) => {
  const roots = await makeTestRoots({ dashboardAddress: '127.0.0.1:0' });
  const env = roots.env();
  const daemon = await startDaemon(roots);
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  t.after(async () => {
    await browser?.close().catch(() => undefined);
    await daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  await loadBusybox(roots);

  const opened = await runCli(env, ['dashboard']);
  assert.equal(opened.code, 0, opened.stderr);
  const url = new URL(opened.stdout.trim());
  assert.equal(url.hostname, '127.0.0.1');
  assert.match(url.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{20,}$/);
  const origin = url.origin;

  // Refused without the token's cookie, with another Host, and with a spent token.
  assert.equal((await get(origin, '/')).status, 401);
  assert.equal((await get(origin, '/api/events')).status, 401);
  assert.equal((await get(origin, '/api/v1/pods')).status, 401);
  const spare = await runCli(env, ['dashboard']);
  const spareUrl = new URL(spare.stdout.trim());
  const cookie = await cookieFor(spareUrl);
  assert.match(cookie.header, /HttpOnly/);
  assert.match(cookie.header, /SameSite=Strict/);
  assert.equal((await get(origin, `/?${spareUrl.searchParams.toString()}`)).status, 403, 'a token logs in once');
  assert.equal((await get(origin, '/', { cookie: cookie.value })).status, 200);
  assert.equal((await get(origin, '/', { cookie: cookie.value, host: `evil.example:${url.port}` })).status, 421, 'DNS rebinding: another Host');
  const page0 = await get(origin, '/', { cookie: cookie.value });
  assert.match(page0.headers['content-security-policy'] ?? '', /default-src 'self'/);
  // The terminal's WebSocket: refused from another Origin or without Origin, even with the cookie.
  assert.equal(await upgradeStatus(origin, '/api/pods/default/demo/exec', { cookie: cookie.value, origin: 'http://evil.example' }), 403);
  assert.equal(await upgradeStatus(origin, '/api/pods/default/demo/exec', { cookie: cookie.value }), 403);
  assert.equal(await upgradeStatus(origin, '/api/pods/default/demo/exec', { origin }), 401);
  assert.equal(await upgradeStatus(origin, '/api/pods/%E0%A4%A/demo/exec', { cookie: cookie.value, origin }), 400);
  assert.equal((await get(origin, '/api/pods/%E0%A4%A/demo/live', { cookie: cookie.value })).status, 400);
  assert.equal((await get(origin, '/api/pods/default/nosuchpod/live', { cookie: cookie.value })).status, 404);
  // The dashboard is read-only over HTTP, even with a session.
  assert.equal((await get(origin, '/api/v1/apply', { cookie: cookie.value, method: 'POST', origin })).status, 405);

  browser = await launchBrowser(roots.dir);
  const page = browser.pages()[0] ?? (await browser.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  t.after(() => assert.deepEqual(pageErrors, [], 'errors in the page'));
  await page.goto(url.toString());
  assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar');
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  const cookies = await browser.cookies(origin);
  assert.ok(
    cookies.some((c) => c.httpOnly && c.sameSite === 'Strict'),
    JSON.stringify(cookies),
  );

  // A page on another origin (another port of 127.0.0.1: same site, so the Strict cookie goes along)
  // can neither open the terminal nor read the API.
  const other = createServer((_req, res) => res.end('<!doctype html><title>other</title>'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));
  await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
  const crossOrigin = await page.evaluate(async (target: string) => {
    const ws = new WebSocket(`ws://${target}/api/pods/default/demo/exec`);
    const socket = await new Promise<string>((resolve) => {
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    });
    const read = await fetch(`http://${target}/api/v1/pods`, { credentials: 'include' }).then(
      () => 'read',
      () => 'refused',
    );
    return { socket, read };
  }, url.host);
  assert.deepEqual(crossOrigin, { socket: 'refused', read: 'refused' });
  pageErrors.length = 0; // the browser logged those two refusals as errors: expected ones
  await page.goto(`${origin}/`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });

  // A pod appears within a second of `peapod apply` returning, pushed (the page does not poll).
  const manifest = join(roots.dir, 'demo.yaml');
  await writeFile(manifest, MANIFEST);
  const applied = await runCli(env, ['apply', '-f', manifest]);
  assert.equal(applied.code, 0, applied.stderr);
  const appliedAt = Date.now();
  await page.waitForSelector('tr[data-pod="default/demo"]', { timeout: 1_000 });
  t.diagnostic(`pod row shown ${Date.now() - appliedAt} ms after apply returned`);
  await page.waitForSelector('tr[data-pod="default/demo"] td[data-col="status"]:text-matches("Running|Error|CrashLoopBackOff")', { timeout: 60_000 });

  // Filters: a label selector that does not match hides the pod; one that does shows it.
  await page.fill('#label-filter', 'app=other');
  await page.waitForSelector('tr[data-pod="default/demo"]', { state: 'detached', timeout: 2_000 });
  await page.fill('#label-filter', 'app=demo,tier');
  await page.waitForSelector('tr[data-pod="default/demo"]', { timeout: 2_000 });

  // The Linux view: each lane's inodes against /proc/<pid>/ns of the container's process, found independently.
  await page.click('tr[data-pod="default/demo"]');
  const [proc] = await waitFor(
    async () => {
      const found = await findProcesses((cmd) => cmd.length === 2 && cmd[0] === 'sleep' && cmd[1] === SLEEP_SECONDS);
      return found.length === 1 ? found : undefined;
    },
    { timeoutMs: 30_000, description: 'the main container process' },
  );
  const pid = proc?.pid ?? 0;
  await page.waitForSelector(`.box[data-container="main"][data-pid="${pid}"]`, { timeout: 10_000 });
  for (const type of ['net', 'ipc', 'uts', 'pid', 'mnt', 'cgroup', 'user']) {
    const cell = page.locator(`td.ns[data-container="main"][data-ns="${type}"]`);
    const inode = await cell.getAttribute('data-inode');
    const link = await readlink(`/proc/${pid}/ns/${type}`);
    assert.equal(`${type}:[${inode ?? ''}]`, link, `${type} lane`);
    const sandboxInode = await page.locator(`tr[data-ns="${type}"] td.ns`).nth(1).getAttribute('data-inode');
    const hostInode = await page.locator(`tr[data-ns="${type}"] td.ns`).nth(0).getAttribute('data-inode');
    assert.equal(`${type}:[${hostInode ?? ''}]`, await readlink(`/proc/self/ns/${type}`), `${type} host lane`);
    const sharing = await cell.getAttribute('data-sharing');
    if (['net', 'ipc', 'uts'].includes(type)) {
      assert.equal(sharing, 'shared with sandbox', type);
      assert.equal(inode, sandboxInode, `${type}: same inode as the sandbox`);
    }
    if (['pid', 'mnt'].includes(type)) assert.equal(sharing, 'own', type);
  }
  const podUid = (JSON.parse((await runCli(env, ['get', 'pod', 'demo', '-o', 'json'])).stdout) as { metadata: { uid: string } }).metadata.uid;
  const boxText = (await page.locator('.box[data-container="main"]').textContent()) ?? '';
  assert.match(boxText, new RegExp(`kubepods/burstable/pod${podUid}/`));
  assert.match(boxText, /of 64 MiB/);
  assert.match(boxText, /limit 250m/);
  await page.waitForSelector('#charts [data-chart="memory"] canvas', { timeout: 10_000 });

  // A container restart, counted live on the page.
  await page.waitForSelector('tr[data-pod="default/demo"] td[data-col="restarts"]:text-matches("^[1-9]")', { timeout: 60_000 });
  await page.waitForSelector('#events td:text("BackOff"), #events td:text("Started")', { timeout: 5_000 });

  // Logs of the crashing container (current attempt) and of its previous one.
  await page.click('.detail-tabs button[data-detail="logs"]');
  await page.selectOption('#log-container', 'crasher');
  await page.waitForSelector('#log:has-text("crash-log-line")', { timeout: 10_000 });
  await page.check('#log-previous');
  await page.waitForSelector('#log:has-text("crash-log-line")', { timeout: 10_000 });

  // The terminal: exec -it sh in main, a command's output, then the exit code.
  await page.click('.detail-tabs button[data-detail="terminal"]');
  await page.selectOption('#term-container', 'main');
  await page.click('#term-open');
  await page.waitForSelector('#terminal[data-state="connected"]', { timeout: 10_000 }).catch(async (err: unknown) => {
    console.log(pageErrors, await page.locator('#term-status').textContent());
    throw err;
  });
  await page.waitForSelector('#terminal .xterm-rows:has-text("/ #")', { timeout: 10_000 });
  await page.keyboard.type('echo dash-$((6*7)) $(cat /proc/1/cmdline | tr "\\0" " ")\n');
  await page.waitForSelector(`#terminal .xterm-rows:has-text("dash-42 sleep ${SLEEP_SECONDS}")`, { timeout: 10_000 });
  // The page sized the pty (runc relays SIGWINCH): 24 rows, and the columns of the box, not 80.
  await page.keyboard.type('stty size\n');
  const size = await waitFor(
    async () => {
      const text = (await page.locator('#terminal .xterm-rows').innerText()).split('\n').map((l) => l.trim());
      const line = text.find((l) => /^24 \d+$/.test(l));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    },
    { timeoutMs: 10_000, description: 'stty size in the terminal' },
  );
  assert.ok(size > 80, `columns ${size}`);
  await shot(page, 'dashboard-terminal.png');
  await page.keyboard.type('exit 3\n');
  await page.waitForSelector('#terminal[data-exit-code="3"]', { timeout: 10_000 });

  // Back to the Linux view, its charts some samples longer now, for the README.
  await page.click('.detail-tabs button[data-detail="linux"]');
  await page.waitForSelector(`.box[data-container="main"][data-pid="${pid}"]`, { timeout: 10_000 });
  await shot(page, 'dashboard-linux-view.png');

  // `peapod dashboard demo` opens straight on the pod's Linux view, and a tab opened now gets the last
  // minutes of samples at once, not only what comes after.
  const direct = await runCli(env, ['dashboard', 'demo']);
  assert.equal(direct.code, 0, direct.stderr);
  assert.match(direct.stdout.trim(), /\?token=[A-Za-z0-9_-]+#pod=default\/demo$/);
  const second = await browser.newPage();
  await second.goto(direct.stdout.trim());
  await second.waitForSelector(`.box[data-container="main"][data-pid="${pid}"]`, { timeout: 5_000 });
  // (Polled from here: the page's CSP refuses the string evaluation waitForFunction would use.)
  await waitFor(async () => Number(await second.locator('#charts').getAttribute('data-samples')) >= 3, {
    timeoutMs: 1_500,
    description: 'three samples in a freshly opened chart',
  });
  await second.close();

  // How it was built: the runtime's steps with durations.
  await page.click('.detail-tabs button[data-detail="timeline"]');
  for (const step of ['pod cgroup', 'CNI ADD', 'pause (catatonit) started', 'rootfs mounts', 'runc create', 'runc start', 'readiness probe: success']) {
    await page.waitForSelector(`.tl-row[data-step="${step}"]`, { timeout: 10_000 });
  }
  await shot(page, 'dashboard-timeline.png');

  // The node's cgroup tree and the images.
  await page.click('nav button[data-tab="cgroups"]');
  await page.waitForSelector(`#cgroups tr[data-kind="pod"][data-path$="pod${podUid}"]`, { timeout: 10_000 });
  await page.waitForSelector('#cgroups tr[data-kind="qos"]', { timeout: 10_000 });
  await shot(page, 'dashboard-cgroups.png');
  await page.click('nav button[data-tab="images"]');
  await page.waitForSelector('#images td:has-text("default/demo (main)")', { timeout: 10_000 });

  // A phone-sized screen still shows the pod list.
  await page.click('nav button[data-tab="pods"]');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'dashboard-phone.png');

  // Deleted: the row goes away, pushed.
  const deleted = await runCli(env, ['delete', 'pod', 'demo']);
  assert.equal(deleted.code, 0, deleted.stderr);
  await page.waitForSelector('tr[data-pod="default/demo"]', { state: 'detached', timeout: 10_000 });
  await browser.close();
  browser = undefined;
  await daemon.stop();
  await assertNoLeaks(roots.config);
});

test('a dashboard port already taken is a clear error, and the daemon keeps serving', { timeout: 60_000 }, async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const roots = await makeTestRoots({ dashboardAddress: `127.0.0.1:${(taken.address() as AddressInfo).port}` });
  const daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  const opened = await runCli(roots.env(), ['dashboard']);
  assert.notEqual(opened.code, 0);
  assert.match(opened.stderr, /dashboard: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  assert.match(opened.stderr, /PEAPOD_DASHBOARD_ADDRESS/);
  assert.equal((await runCli(roots.env(), ['get', 'pods'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
