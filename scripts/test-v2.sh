#!/usr/bin/env bash
# The cgroup v2 suite: boots the Debian 12 guest of ../shared/tools/v2guest.sh (kernel 6.1, pure cgroup
# v2, all controllers; emulated, so 5-10x slower), and runs there the tests that prove peapod on a real
# cgroup2 filesystem: the v2 manager against the kernel, pods in their QoS cgroups with their limits
# read back, OOMKilled, CRI stats, the Linux view, and no cgroup left after delete.
#
# The project (dist, bin, node_modules, the busybox image, ...) goes to the guest as one tar file and
# is unpacked on the guest's own disk: node loading thousands of modules over 9p is what is slow there.
# Every step is bounded by `timeout`. Only the boot is retried (the emulated guest rarely hangs while
# booting or after a memory-exhaustion run); the tests run once, and their verdict is final.
#
#   bash scripts/test-v2.sh [TEST_FILE...]   default: the V2_TESTS list below (dist/*.test.js paths)
# Environment: V2GUEST (path of v2guest.sh, default ../shared/tools/v2guest.sh),
#   V2_TEST_TIMEOUT (seconds for the whole guest run, default 780), V2_BOOT_TRIES (3).
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=$(pwd -P)
V2GUEST=${V2GUEST:-$PROJECT/../shared/tools/v2guest.sh}
[ -x "$V2GUEST" ] || { echo "test-v2: $V2GUEST not found (the cgroup v2 guest lives in ../shared/tools)" >&2; exit 1; }
V2_TESTS=(
  dist/test/cgroups/missing-controller.test.js   # first: it unbinds memory from the v2 tree for a moment
  dist/test/cgroups/v2.test.js
  dist/test/cgroups/pods-qos.test.js
  dist/test/pods/pod-linux.test.js
  dist/test/cri/stats-security-auth.test.js
  dist/test/cri/oom-restart.test.js
)
[ $# -gt 0 ] && V2_TESTS=("$@")
t0=$(date +%s)
step() { echo "test-v2: [$(( $(date +%s) - t0 ))s] $*"; }

[ -d dist/test ] || { echo "test-v2: no dist/ (run scripts/setup.sh or npx tsc first)" >&2; exit 1; }
[ -f .cache/busybox-oci/index.json ] || { echo "test-v2: no .cache/busybox-oci (run scripts/setup.sh first)" >&2; exit 1; }

step "building the guest image (idempotent)"
timeout 900 "$V2GUEST" build

step "packing the project for the guest"
mkdir -p .cache/v2guest
# -h: node_modules or .cache may be symlinks (a worktree); the guest sees only this directory.
tar -chf .cache/v2guest/peapod.tar --exclude='node_modules/typescript' --exclude='node_modules/eslint*' \
  --exclude='node_modules/@typescript-eslint' --exclude='node_modules/@eslint' --exclude='node_modules/.cache' \
  dist bin package.json src/cri/proto examples scripts/v2guest-job.sh node_modules .cache/busybox-oci

export V2GUEST_SHARE=$PROJECT
"$V2GUEST" stop >/dev/null 2>&1 || true
trap '"$V2GUEST" stop >/dev/null 2>&1 || true' EXIT
tries=${V2_BOOT_TRIES:-3}
for i in $(seq 1 "$tries"); do
  step "booting the guest (try $i of $tries)"
  if V2GUEST_BOOT_TIMEOUT=180 timeout 240 "$V2GUEST" start >/dev/null && timeout 60 "$V2GUEST" run true; then break; fi
  "$V2GUEST" stop >/dev/null 2>&1 || true
  [ "$i" -lt "$tries" ] || { echo "test-v2: the guest did not boot after $tries tries" >&2; exit 1; }
done

step "running in the guest: ${V2_TESTS[*]}"
rc=0
V2GUEST_TIMEOUT=${V2_TEST_TIMEOUT:-780} timeout $(( ${V2_TEST_TIMEOUT:-780} + 30 )) \
  "$V2GUEST" run bash scripts/v2guest-job.sh "$PROJECT/.cache/v2guest/peapod.tar" "${V2_TESTS[@]}" || rc=$?
step "done (exit $rc)"
exit "$rc"
