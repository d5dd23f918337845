#!/usr/bin/env bash
# CPU time by command name while a command runs, from the scheduler's own accounting: perf records the
# sched:sched_stat_runtime tracepoint on every CPU (each slice a task ran, in ns), summed by comm.
# Sampling (`perf record -e cpu-clock`) sees nothing but the idle task on this project's VMs; the tracepoint
# works, and unlike /proc/<pid>/stat it counts processes that live a few milliseconds (runc, CNI plugins).
# A process's comm changes at exec: a spawner's child counts as the spawner until it has exec'd.
# Usage: scripts/cpu-by-command.sh ROUNDS command [args...]   (ROUNDS divides the totals: ms per round)
# Needs root and perf (Debian: linux-perf).
set -euo pipefail
rounds=${1:?usage: $0 ROUNDS command [args...]}
shift
data=$(mktemp /tmp/cpu-by-command.XXXXXX)
trap 'rm -f "$data" "$data.old"' EXIT
perf record -q -e sched:sched_stat_runtime -a -o "$data" -- "$@" >&2
perf script -i "$data" 2>/dev/null | awk -v rounds="$rounds" '
  { for (i = 1; i <= NF; i++) { if ($i ~ /^comm=/) comm = substr($i, 6); if ($i ~ /^runtime=/) ns = substr($i, 9) }
    by[comm] += ns; total += ns }
  END { for (c in by) printf "%9.2f ms  %s\n", by[c] / 1e6 / rounds, c; printf "%9.2f ms  (all)\n", total / 1e6 / rounds }' | sort -rn | head -40
