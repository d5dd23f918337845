// `CLEANUP_DIR=DIR node dist/test/helpers/force-cleanup.js`: removes whatever a daemon run on the roots
// in the PEAPOD_* environment left behind (processes, mounts, cgroups, bridge, files under DIR). Used
// by scripts/conformance.sh after its daemon stops, as the integration tests use roots.cleanup(). DIR
// comes in the environment, not argv: forceCleanup kills every process whose argv names DIR. Exits 1
// when the leak check (test/helpers/leaks.ts) found anything.
import { resolveConfig } from '../../src/common/config.js';
import { forceCleanup } from './roots.js';
import { assertNoLeaks } from './leaks.js';

const dir = process.env['CLEANUP_DIR'];
if (dir === undefined || dir === '') {
  process.stderr.write('usage: CLEANUP_DIR=DIR force-cleanup (roots from the PEAPOD_* environment)\n');
  process.exit(2);
}
// What the daemon and the judge left is a leak worth failing for; it is reported, then removed anyway.
const config = resolveConfig();
let leaked = false;
try {
  await assertNoLeaks(config);
} catch (err) {
  leaked = true;
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
}
await forceCleanup(config, dir);
process.exit(leaked ? 1 : 0);
