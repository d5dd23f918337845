#!/usr/bin/env bash
# The long form of test/ops/log-rotation.test.ts: a container writes numbered lines as fast as it can for
# 10 minutes (or $1 seconds) under the default rotation (10 MiB × 5); `logs -f` must see every line in
# order and the log directory must stay within 5 × 10 MiB (peak printed). Run as root after a build.
set -euo pipefail
cd "$(dirname "$0")/.."
PEAPOD_LOG_SOAK_SECONDS="${1:-600}" node --test --test-reporter=spec dist/test/ops/log-rotation.test.js
