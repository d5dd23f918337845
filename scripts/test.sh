#!/usr/bin/env bash
# The whole test suite from a fresh clone: setup, lint, unit tests, then integration tests as root
# against real runc, conmon, CNI plugins and a loopback registry.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: lint"
npx --no-install prettier --check . >/dev/null
npx --no-install eslint --max-warnings=0 .
node scripts/check-layers.mjs
mapfile -t unit < <(find dist/src -name '*.test.js' | sort)
mapfile -t integration < <(find dist/test -name '*.test.js' | sort)
echo "test: ${#unit[@]} unit files, ${#integration[@]} integration files"
node --test --test-concurrency=2 --test-reporter=spec "${unit[@]}" "${integration[@]}"
