#!/usr/bin/env bash
# Clang's thread-safety analysis over the sources: every src/**/*.cpp that does not pull in
# libtorch is parsed (no code generated) by clang++ with -Wthread-safety as an error, using the
# include paths and defines of an already configured build. A GUARDED_BY member touched
# without its lock, a call that needs a lock the caller does not hold, or a LOCKS_EXCLUDED
# function called with the lock held fails the check (util/threadsafety.h, util/sync.h).
#
#     contrib/devtools/check-thread-safety.sh [BUILDDIR [FILE...]]   (default: ./build, all files)
#
# FILE...: only these sources (paths below src/, e.g. rpc/blockchain.cpp), for a quick check
# while editing.
# The libtorch translation units are skipped because each costs ~25 s to parse; they hold
# no annotated state of their own. CLANGXX (default clang++-14) and JOBS (default 2) may be
# set in the environment. Exit status: 0 clean, 1 violations (printed), 2 usage/setup error.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$(cd "${1:-$top/build}" 2>/dev/null && pwd) || { echo "no build directory ${1:-$top/build}" >&2; exit 2; }
[ $# -gt 0 ] && shift
only=("$@")
clangxx=${CLANGXX:-clang++-14}
jobs=${JOBS:-2}
command -v "$clangxx" >/dev/null || { echo "$clangxx not found (depends/install-debian.sh installs clang-14)" >&2; exit 2; }
[ -f "$builddir/src/Makefile" ] || { echo "$builddir/src/Makefile not found: configure first" >&2; exit 2; }

# The preprocessor flags configure wrote for the libraries (paths relative to build/src).
flags=$(printf 'print-tsa-flags:\n\t@echo $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) $(EVENT_CFLAGS) $(EVENT_PTHREADS_CFLAGS) $(SECP256K1_CFLAGS) $(CRYPTO_CFLAGS) $(SQLITE_CFLAGS) $(ZMQ_CFLAGS)\n' |
        make -s --no-print-directory -C "$builddir/src" -f Makefile -f - print-tsa-flags)

# Headers that reach libtorch (directly or through other project headers), then the .cpp
# files that include any of them.
cd "$top/src"
torch_pattern='#include <(torch|ATen)/'
mapfile -t torch_headers < <(grep -rlE "$torch_pattern" --include='*.h' . | sed 's|^\./||' || true)
for _ in 1 2 3 4; do
    [ "${#torch_headers[@]}" -eq 0 ] && break
    alt=$(printf '%s|' "${torch_headers[@]}" | sed 's/|$//; s/\./\\./g')
    mapfile -t more < <(grep -rlE "#include <($alt)>" --include='*.h' . | sed 's|^\./||' || true)
    mapfile -t torch_headers < <(printf '%s\n' "${torch_headers[@]}" "${more[@]}" | sort -u)
done
skip_pattern=$torch_pattern
if [ "${#torch_headers[@]}" -gt 0 ]; then
    skip_pattern="$torch_pattern|#include <($(printf '%s|' "${torch_headers[@]}" | sed 's/|$//; s/\./\\./g'))>"
fi
if [ "${#only[@]}" -gt 0 ]; then
    all=("${only[@]}")
else
    mapfile -t all < <(find . -name '*.cpp' | sed 's|^\./||' | sort)
fi
mapfile -t skipped < <(grep -lE "$skip_pattern" "${all[@]}" || true)
mapfile -t files < <(printf '%s\n' "${all[@]}" | grep -vxF -f <(printf '%s\n' "${skipped[@]}" "") || true)
echo "thread-safety: ${#files[@]} files with $clangxx, ${#skipped[@]} libtorch files skipped (${skipped[*]})"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cd "$builddir/src"
set +e
printf '../../src/%s\n' "${files[@]}" | xargs -P"$jobs" -n4 \
    "$clangxx" -fsyntax-only -std=c++17 -pthread -Wthread-safety -Werror=thread-safety \
    -DODA_TEST_DATA_DIR='""' $flags >"$log" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ] || grep -q "error:" "$log"; then
    cat "$log"
    echo "thread-safety: FAILED ($(grep -c 'error:' "$log" || true) errors)"
    exit 1
fi
echo "thread-safety: no violations"
