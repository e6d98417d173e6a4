#!/usr/bin/env bash
# CI's hardening step (called by .ci/run after the normal test run):
#   1. the whole test suite against an ASan + UBSan debug build of _fastsock
#      (tools/sanitize.sh: FASTSOCK_DEBUG=1, so every assert() is live; any
#      sanitizer report or failed assertion fails the step);
#   2. the leak checks on a normal build: tests/test_leaks.py (RSS and C heap
#      included, which ASan's allocator hides) and whole test modules run
#      repeatedly in one process (tools/leakcheck.py).
# It installs what it needs itself and is bounded, each part under a hard
# timeout: 8.5 minutes on two cores shared with other work (CI of
# 2026-12-03: the sanitizer run 425 s, the leak checks about a minute),
# from 13 before the files below were left out of the sanitizer run and
# the leak checker's census got faster.
set -uo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
failed=0
t0=$(date +%s)

echo "== hardening: tools"
"$py" -m pip install -q pytest pytest-timeout hypothesis >/dev/null 2>&1 \
    || echo "pip install of the test tools failed; using what is installed"
# atheris is optional: without it the fuzz targets use the random driver.
"$py" -m pip install -q atheris >/dev/null 2>&1 \
    || echo "atheris is not installable here; fuzz targets use the random driver"
if ! command -v gcc >/dev/null || [ ! -e "$(gcc -print-file-name=libasan.so)" ]; then
    if command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            gcc libasan8 libubsan1 >/dev/null 2>&1 || true
    fi
fi

# Test files left out of the sanitizer run: they drive no line of csrc/
# that the files kept here do not drive too (measured with a gcov build:
# each file alone against the kept files together), so under ASan they
# would only repeat the normal run's Python-side checks, 10x slower.
#   test_stubs.py         mypy's stubtest, in a child process: imports only
#   test_docs.py          the README, packaging and CI text
#   test_py2_translate.py the Python 2 source translation (pure Python)
#   test_run.py           python -m fastsock run: the launcher, argv, exit
#                         status, tracebacks (child processes)
#   test_examples.py      the book's example programs as child processes
# (test_py2.py stays: Python 2 mode's str sockets have C of their own.)
SAN_LEFT_OUT=(tests/test_stubs.py tests/test_docs.py tests/test_py2_translate.py
              tests/test_run.py tests/test_examples.py)
ignore=()
for f in "${SAN_LEFT_OUT[@]}"; do ignore+=("--ignore=$f"); done
echo "left out of the sanitizer run (no C of their own; the normal run has them): ${SAN_LEFT_OUT[*]}"
if ! timeout 2400 tools/sanitize.sh -q --timeout=300 "${ignore[@]}"; then
    echo "hardening: the sanitizer run FAILED"
    failed=1
fi

echo "== hardening: leak checks (normal build)"
pp=$(tools/devbuild ci-leaks "$py" | tail -n 1)
export "$pp"
if ! timeout 600 "$py" -m pytest -q -p no:cacheprovider tests/test_leaks.py; then
    echo "hardening: tests/test_leaks.py FAILED"
    failed=1
fi
# Whole modules, repeatedly, in one process: fastsock objects and fds may
# not grow from round to round.
if ! timeout 600 "$py" tools/leakcheck.py --warmup 1 --rounds 3 \
        tests/test_socket_core.py tests/test_sockmsg.py tests/test_badinput.py \
        tests/test_socketserver.py; then
    echo "hardening: tools/leakcheck.py FAILED"
    failed=1
fi

echo "== hardening: done in $(( $(date +%s) - t0 )) s: $([ $failed = 0 ] && echo passed || echo FAILED)"
exit $failed
