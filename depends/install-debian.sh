#!/bin/sh
# Installs every Debian package ODA needs to build and test. Idempotent and
# quiet when everything is already present. Run as root (or with sudo).
set -e
PACKAGES="
  build-essential autoconf automake libtool pkg-config python3
  libboost-dev libboost-test-dev
  libevent-dev libleveldb-dev libsecp256k1-dev libssl-dev libsqlite3-dev
  libtorch-dev libtorrent-rasterbar-dev libzmq3-dev nlohmann-json3-dev zlib1g-dev
  python3-zmq dataset-fashion-mnist
  clang-14
"
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "depends: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "depends: done"
