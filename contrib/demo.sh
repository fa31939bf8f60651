#!/usr/bin/env bash
# The main job: installs dependencies, builds, then runs two regtest nodes with wallets that mine,
# relay and pay each other, and the model engine, printing each step (contrib/demo.py).
set -euo pipefail
cd "$(dirname "$0")/.."
depends/install-debian.sh
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build && cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --no-print-directory
cd ..
exec /usr/bin/python3 contrib/demo.py
