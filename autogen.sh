#!/bin/sh
# Generate ./configure from configure.ac (needs autoconf, automake, pkg-config).
set -e
srcdir="$(dirname "$0")"
cd "$srcdir"
autoreconf --install --force --warnings=all
