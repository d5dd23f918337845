// `node dist/test/helpers/force-cleanup.js DIR`: removes whatever a daemon run on the roots in the
// PEAPOD_* environment left behind (processes, mounts, cgroups, bridge, files under DIR). Used by
// scripts/conformance.sh after its daemon stops, as the integration tests use roots.cleanup().
import { resolveConfig } from '../../src/common/config.js';
import { forceCleanup } from './roots.js';

const dir = process.argv[2];
if (dir === undefined || dir === '') {
  process.stderr.write('usage: force-cleanup DIR (roots from the PEAPOD_* environment)\n');
  process.exit(2);
}
await forceCleanup(resolveConfig(), dir);
