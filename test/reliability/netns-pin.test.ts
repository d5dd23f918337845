// A daemon killed while a pod's network goes can leave the netns pin's file with nothing mounted on it
// (the unmount went through, the unlink did not). The next teardown must still release the pod's IP:
// CNI DEL then runs with no netns (the bridge plugin refuses a plain file as one), and the file goes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdir } from 'node:fs/promises';
import { paths } from '../../src/common/config.js';
import { run } from '../../src/host/exec.js';
import { createPodNetworkManager } from '../../src/host/network/manager.js';
import { isNamespacePin } from '../../src/host/ns-pin.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { makeTestRoots } from '../helpers/roots.js';

test('a netns pin unmounted but not removed: tearDown releases the IP with no netns, removeNetns removes the file', async (t) => {
  const roots = await makeTestRoots();
  t.after(() => roots.cleanup());
  const network = createPodNetworkManager(roots.config);
  await network.ensureReady();
  let hostSetUp = true;
  t.after(async () => {
    if (hostSetUp) await network.removeHostSetup();
  });
  const id = 'pinlost0';
  const netnsPath = await network.createNetns(id);
  assert.equal(await isNamespacePin(netnsPath), true);
  const request = { sandboxId: id, netnsPath, podName: 'p', podNamespace: 'default', podUid: 'u1', portMappings: [] };
  const status = await network.setUp(request);
  assert.match(status.ip, /^\d+\.\d+\.\d+\.\d+$/);

  await run('umount', [netnsPath]); // what a daemon killed between the two halves of removeNetns leaves
  assert.equal(await isNamespacePin(netnsPath), false);
  await network.tearDown(request, status);
  await network.removeNetns(id);
  assert.deepEqual(await readdir(paths(roots.config).netns), []);
  hostSetUp = false;
  await network.removeHostSetup();
  await assertNoLeaks(roots.config);
});
