#!/usr/bin/env bash
# CRI conformance: a peapod daemon on private roots (its own state, cgroup parent, bridge and subnet, as
# the integration tests start one), then the CRI validation suite (../shared/conformance/critest.sh)
# against its CRI socket, offline and then mirrored. Any failed spec, a hang or a missing judge fails.
#
#   bash scripts/conformance.sh [offline|mirrored ...] [-- extra critest args]   (default: both modes)
#
# The judge lives beside the project (../shared), not in a user's clone: without it this says so and
# fails, so CI cannot pass silently. SHARED=/path/to/shared overrides where it is looked for.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
JUDGE=$SHARED/conformance/critest.sh
[ -x "$JUDGE" ] || [ -f "$JUDGE" ] || { echo "conformance: no judge at $JUDGE" >&2; exit 2; }
modes=(); extra=()
while [ $# -gt 0 ]; do
  case $1 in --) shift; extra=("$@"); break ;; *) modes+=("$1"); shift ;; esac
done
[ ${#modes[@]} -gt 0 ] || modes=(offline mirrored)

DIR=$(mktemp -d /tmp/peapod-conformance.XXXXXX)
# critest's logs and junit reports outlive the run (the daemon's log is copied there too).
REPORTS=${REPORTS:-$(mktemp -d /tmp/peapod-critest.XXXXXX)}
suffix=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
export PEAPOD_ROOT=$DIR/root PEAPOD_RUN_ROOT=$DIR/run PEAPOD_SOCKET=$DIR/run/peapod.sock
export PEAPOD_CRI_SOCKET=$DIR/run/cri.sock PEAPOD_CGROUP_ROOT=/peapod-conformance-$suffix
export PEAPOD_BRIDGE=pc$suffix PEAPOD_SUBNET=10.$((150 + RANDOM % 100)).$((RANDOM % 256)).0/24
export PEAPOD_MANIFEST_DIR=$DIR/manifests PEAPOD_AUTH_FILE=$DIR/auth.json PEAPOD_REGISTRIES_CONFIG=$DIR/registries.yaml
# The judge's images and pods are its own business: no node-pressure eviction or image GC under it (as the
# tests' roots), whatever this host's disk and memory look like.
export PEAPOD_EVICTION_HARD=none PEAPOD_IMAGE_GC_HIGH_PERCENT=100 PEAPOD_IMAGE_GC_LOW_PERCENT=99
# No Kubernetes API: a user's daemon may hold 6443, and critest does not need it.
export PEAPOD_KUBE_API_PORT=
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export REGISTRY_ADDR=127.0.0.1:$port
# Mirrored mode: the hosts critest hard-codes resolve through the judge's loopback registry.
export PEAPOD_REGISTRY_MIRRORS="registry.k8s.io=http://$REGISTRY_ADDR,gcr.io=http://$REGISTRY_ADDR"

DAEMON_PID=
stop_daemon() {
  [ -n "$DAEMON_PID" ] || return 0
  node dist/src/cli/main.js delete pods --all -A --now >/dev/null 2>&1 || true
  kill -TERM "$DAEMON_PID" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
}
LEAKED=0
cleanup() {
  stop_daemon
  cp "$DIR/daemon.log" "$REPORTS/" 2>/dev/null || true
  CLEANUP_DIR=$DIR node dist/test/helpers/force-cleanup.js || LEAKED=1
  rm -rf "$DIR"
}
trap 'cleanup; [ $LEAKED = 0 ] || { echo "conformance: host objects were left behind (above)" >&2; exit 1; }' EXIT

node --max-semi-space-size=1 dist/src/cli/main.js daemon >"$DIR/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 200); do [ -S "$PEAPOD_CRI_SOCKET" ] && break; sleep 0.1; done
[ -S "$PEAPOD_CRI_SOCKET" ] || { echo "conformance: the daemon did not open $PEAPOD_CRI_SOCKET" >&2; cat "$DIR/daemon.log" >&2; exit 1; }

status=0
for mode in "${modes[@]}"; do
  echo "conformance: critest, $mode"
  OUT=$REPORTS/$mode MODE=$mode ENDPOINT=unix://$PEAPOD_CRI_SOCKET TIMEOUT=${TIMEOUT:-900} bash "$JUDGE" "${extra[@]}" || status=1
  echo "conformance: $mode: reports in $REPORTS/$mode"
done
[ $status -eq 0 ] || { echo "conformance: daemon log tail:"; tail -n 40 "$DIR/daemon.log"; }
exit $status
