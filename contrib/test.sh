#!/usr/bin/env bash
# The test command: installs dependencies (Debian), builds in ./build, runs the unit
# tests (test_oda) and the functional tests, and ends with one summary line.
# Pass --extended to include the slow functional tests.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTENDED=""
[ "${1:-}" = "--extended" ] && EXTENDED="--extended"

echo "== dependencies"
depends/install-debian.sh

echo "== build"
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --no-print-directory

echo "== thread-safety (clang)"
# clang's -Wthread-safety over every non-libtorch source (contrib/devtools/check-thread-safety.sh):
# a lock annotation violated anywhere fails the test command.
tsa_start=$(date +%s)
set +e
JOBS=2 ../contrib/devtools/check-thread-safety.sh .
tsa_rc=$?
set -e
echo "thread-safety: $(( $(date +%s) - tsa_start )) s"
if [ "$tsa_rc" -ne 0 ]; then
    echo "total: 0 passed, 1 failed"
    exit 1
fi

echo "== unit tests (test_oda)"
unit_log=$(mktemp)
set +e
src/test/test_oda --report_level=short --log_level=test_suite >"$unit_log" 2>&1
unit_rc=$?
set -e
grep -E "^(Running|Test module|Leaving test suite|.*error)" "$unit_log" | grep -v "Leaving test suite" || true
tail -n 3 "$unit_log"
unit_summary=$(grep -Eo "[0-9]+ test cases? out of [0-9]+ (passed|failed)" "$unit_log" | head -n1 || true)
unit_total=$(grep -Eo "out of [0-9]+" <<<"$unit_summary" | grep -Eo "[0-9]+" || echo 0)
unit_failed=$(grep -Eo "[0-9]+ test cases? out of [0-9]+ failed" "$unit_log" | grep -Eo "^[0-9]+" | head -n1 || true)
unit_failed=${unit_failed:-0}
if [ "$unit_rc" -ne 0 ] && [ "$unit_failed" -eq 0 ]; then unit_failed=1; fi
unit_passed=$((unit_total - unit_failed))
echo "unit: $unit_passed passed, $unit_failed failed"

echo "== functional tests"
func_log=$(mktemp)
set +e
/usr/bin/python3 ../test/functional/test_runner.py --configfile=test/config.ini --jobs=2 $EXTENDED 2>&1 | tee "$func_log"
func_rc=${PIPESTATUS[0]}
set -e
func_line=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$func_log" | tail -n1 || echo "0 passed, 1 failed")
func_passed=$(awk '{print $1}' <<<"$func_line")
func_failed=$(awk '{print $3}' <<<"$func_line" | tr -d ,)

echo
echo "== summary: unit tests $unit_passed passed / $unit_failed failed; functional tests: $func_line"
echo "total: $((unit_passed + func_passed)) passed, $((unit_failed + func_failed)) failed"
[ "$unit_rc" -eq 0 ] && [ "$func_rc" -eq 0 ]
