#!/usr/bin/env python3
"""Run ODA's functional tests in parallel and print a summary table.

Each test is a standalone script in this folder (feature_*, rpc_*, p2p_*, wallet_*,
mining_*, mempool_*, oda_*) that exits 0 on success, 77 when it skips itself, and
anything else on failure. Tests listed in EXTENDED_TESTS only run with --extended.

Usage: test_runner.py [--jobs N] [--extended] [--configfile PATH] [--failfast] [TEST ...]
A test that cannot find odad fails (it does not skip): build the node first.
"""
import argparse
import configparser
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIXES = ("feature_", "rpc_", "p2p_", "wallet_", "mining_", "mempool_", "oda_", "interface_", "tool_")
SKIP_EXIT_CODE = 77
# Slow scenarios: run only with --extended (CI's default run stays under its time budget).
EXTENDED_TESTS = set()
# Tests that need no node (run first, they are quick).
NO_NODE_TESTS = {"feature_framework_selftest.py"}


def discover():
    names = []
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".py") and name.startswith(PREFIXES):
            names.append(name)
    return names


def run_one(name, configfile, tmproot, timeout, portseed, extra_args=()):
    start = time.time()
    # Each test of one run gets its own port seed, so parallel tests never share a port block.
    cmd = [sys.executable, os.path.join(HERE, name), "--configfile", configfile,
           "--tmpdir", os.path.join(tmproot, name[:-3]), f"--portseed={portseed}"] + list(extra_args)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        code, output = proc.returncode, proc.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        code, output = -1, (e.stdout or b"").decode(errors="replace") + f"\nTIMEOUT after {timeout}s\n"
    status = "passed" if code == 0 else "skipped" if code == SKIP_EXIT_CODE else "failed"
    return name, status, time.time() - start, output


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tests", nargs="*", help="tests to run (default: all)")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="tests run in parallel (default 2)")
    parser.add_argument("--extended", action="store_true", help="also run the slow tests")
    parser.add_argument("--configfile", default=os.path.join(HERE, "..", "config.ini"),
                        help="config.ini written by configure (default: test/config.ini)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds before a test is killed")
    parser.add_argument("--quiet", action="store_true", help="print failing tests' output only")
    parser.add_argument("--failfast", action="store_true", help="stop starting new tests after a failure")
    parser.add_argument("--tmpdirprefix", default=None, help="where to create the run's temporary directory")
    parser.add_argument("--nocleanup", action="store_true", help="keep every test's data directory")
    args = parser.parse_args()

    configfile = os.path.abspath(args.configfile)
    if not os.path.exists(configfile):
        print(f"config file {configfile} not found: run ./configure first (or pass --configfile)")
        return 1
    config = configparser.ConfigParser()
    config.read(configfile)

    available = discover()
    if args.tests:
        tests = []
        for t in args.tests:
            t = os.path.basename(t)
            t = t if t.endswith(".py") else t + ".py"
            if t not in available:
                print(f"unknown test {t}")
                return 1
            tests.append(t)
    else:
        tests = [t for t in available if args.extended or t not in EXTENDED_TESTS]
        tests.sort(key=lambda t: t not in NO_NODE_TESTS)
    not_run = [t for t in available if t not in tests]

    print(f"Running {len(tests)} functional test(s) with {args.jobs} job(s)"
          + (" (extended)" if args.extended else f"; not run without --extended: {', '.join(sorted(EXTENDED_TESTS & set(available))) or 'none'}"))
    tmproot = tempfile.mkdtemp(prefix="oda_functional_", dir=args.tmpdirprefix)
    results = []
    failed_once = []
    base_seed = os.getpid() * 37

    def job(index, test):
        if args.failfast and failed_once:
            return test, "skipped", 0.0, "not run (--failfast)"
        extra = ["--nocleanup"] if args.nocleanup else []
        result = run_one(test, configfile, tmproot, args.timeout, base_seed + index, extra)
        if result[1] == "failed":
            failed_once.append(test)
        return result

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(job, i, t) for i, t in enumerate(tests)]
        for fut in futures:
            name, status, duration, output = fut.result()
            results.append((name, status, duration))
            print(f"{status.upper():8} {name} ({duration:.1f} s)", flush=True)
            if status == "failed":
                print(output)

    width = max([len(r[0]) for r in results] + [4])
    print()
    print(f"{'TEST':<{width}}  {'STATUS':<8}  DURATION")
    for name, status, duration in sorted(results, key=lambda r: (r[1] != "failed", r[0])):
        print(f"{name:<{width}}  {status:<8}  {duration:7.1f} s")
    passed = sum(1 for r in results if r[1] == "passed")
    failed = sum(1 for r in results if r[1] == "failed")
    skipped = sum(1 for r in results if r[1] == "skipped")
    print()
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if failed:
        print(f"Data directories of failed tests are kept under {tmproot}")
    elif not args.nocleanup:
        shutil.rmtree(tmproot, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
