#!/usr/bin/env bash
# One idempotent setup for a fresh Debian 12 machine (as root): the host tools peapod drives,
# the npm dependencies, the build, `peapod` on PATH, and the offline busybox image.
# Fast when everything is already there: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# Debian packages peapod and its tests use (runtime, monitor, pause, CNI, registry, tools for the image tests).
packages=(runc conmon catatonit containernetworking-plugins busybox-static docker-registry iptables iproute2
          skopeo umoci zstd apache2-utils util-linux procps kmod attr python3 python3-prometheus-client systemd
          chromium)
# `setup.sh --bench` adds the references the benchmarks compare against.
[ "${1:-}" = "--bench" ] && packages+=(podman containerd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# kubectl for the kubectl tests and the README's kubectl walk-through: any kubectl on PATH is used as is;
# without one, Debian's kubernetes-client (the tests print which version they drove).
if ! command -v kubectl >/dev/null 2>&1; then
  echo "setup: installing kubernetes-client (kubectl)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
fi
# docker-registry's package starts a service on :5000 on systemd machines; peapod's tests run their own.

# npm dependencies, only when the lockfile changed since the last install.
stamp=node_modules/.peapod-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

echo "setup: build"
npx --no-install tsc -p tsconfig.json
node scripts/bundle-cli.mjs
node scripts/build-ui.mjs

ln -sf "$repo/bin/peapod" /usr/local/bin/peapod

# Pods need forwarding between the bridge and the host.
sysctl -qw net.ipv4.ip_forward=1 >/dev/null 2>&1 || true
modprobe br_netfilter >/dev/null 2>&1 || true

# The offline busybox image (OCI layout) used by the demo and the tests.
node dist/scripts/build-busybox-image.js --out "$repo/.cache/busybox-oci" >/dev/null
echo "setup: done (peapod is $(command -v peapod))"
