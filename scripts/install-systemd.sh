#!/usr/bin/env bash
# Installs peapod's systemd units (contrib/systemd) for this checkout and enables the socket, so the
# first CLI call or boot starts the daemon:
#   sudo bash scripts/install-systemd.sh            # into /etc/systemd/system, then enable --now
#   bash scripts/install-systemd.sh --dest DIR --no-enable   # only write the units (tests, packaging)
# Undo: systemctl disable --now peapod.socket peapod.service; rm /etc/systemd/system/peapod.{service,socket}
set -euo pipefail
cd "$(dirname "$0")/.."
dest=/etc/systemd/system
enable=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dest) dest="$2"; shift 2 ;;
    --no-enable) enable=0; shift ;;
    *) echo "install-systemd.sh: unknown argument $1 (--dest DIR, --no-enable)" >&2; exit 2 ;;
  esac
done
bin="$(pwd)/bin/peapod"
[ -x "$bin" ] || { echo "install-systemd.sh: $bin is not executable; build first (scripts/setup.sh)" >&2; exit 1; }
mkdir -p "$dest"
for unit in peapod.service peapod.socket; do
  sed -e "s|@PEAPOD_BIN@|$bin|g" -e "s|@PEAPOD_DIR@|$(pwd)|g" "contrib/systemd/$unit" > "$dest/$unit.tmp"
  mv "$dest/$unit.tmp" "$dest/$unit"
done
echo "installed $dest/peapod.service and $dest/peapod.socket (ExecStart=$bin daemon)"
if [ "$enable" = 1 ]; then
  systemctl daemon-reload
  systemctl enable --now peapod.socket
  echo "enabled peapod.socket: the daemon starts on the first connection (or: systemctl start peapod)"
fi
