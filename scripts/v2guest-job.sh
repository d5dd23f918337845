#!/usr/bin/env bash
# Runs inside the cgroup v2 guest (started by scripts/test-v2.sh): unpacks the project onto the guest's
# disk, checks that the host really is pure cgroup v2, and runs the given test files with test deadlines
# stretched for emulation (PEAPOD_TEST_TIME_SCALE; assertions are unchanged).
set -euo pipefail
tarball=$1; shift
t0=$(date +%s)
step() { echo "v2guest-job: [$(( $(date +%s) - t0 ))s] $*"; }
[ -f /sys/fs/cgroup/cgroup.controllers ] || { echo "v2guest-job: /sys/fs/cgroup is not cgroup2" >&2; exit 1; }
step "kernel $(uname -r), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
rm -rf /opt/peapod && mkdir -p /opt/peapod
tar -xf "$tarball" -C /opt/peapod
cd /opt/peapod
step "unpacked; running ${#} test files"
export PEAPOD_TEST_TIME_SCALE=${PEAPOD_TEST_TIME_SCALE:-8}
# This guest is thrown away after the run: tests may change its cgroup layout (missing-controller.test).
export PEAPOD_TEST_REBIND_CGROUPS=1
# One node per file, so each file's result and time show as it ends; every file runs even after a failure.
failed=()
for f in "$@"; do
  s=$(date +%s)
  node --test --test-reporter=spec "$f" || failed+=("$f")
  step "$f: $(( $(date +%s) - s ))s"
done
[ ${#failed[@]} -eq 0 ] || { echo "v2guest-job: FAILED: ${failed[*]}" >&2; exit 1; }
step "all ${#} test files passed"
