#!/usr/bin/env bash
# The main job: installs dependencies, builds, and shows what has landed so far.
# Milestone status: the foundation (build, primitives, crypto, consensus types) is in;
# the regtest node replaces this self-test when it lands.
set -euo pipefail
cd "$(dirname "$0")/.."
depends/install-debian.sh
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build && cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --no-print-directory
echo "== build self-test"
src/test/test_oda --report_level=short
