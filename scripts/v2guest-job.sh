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
node --test --test-concurrency=1 --test-reporter=spec "$@"
step "tests passed"
