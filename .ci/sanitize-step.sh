#!/usr/bin/env bash
# CI's hardening step (called by .ci/run after the normal test run):
#   1. the whole test suite against an ASan + UBSan debug build of _fastsock
#      (tools/sanitize.sh: FASTSOCK_DEBUG=1, so every assert() is live; any
#      sanitizer report or failed assertion fails the step);
#   2. the leak checks on a normal build: tests/test_leaks.py (RSS and C heap
#      included, which ASan's allocator hides) and whole test modules run
#      repeatedly in one process (tools/leakcheck.py).
# It installs what it needs itself and is bounded: about 15-20 minutes on two
# cores, each part under a hard timeout.
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

echo "== hardening: the suite under ASan + UBSan"
if ! timeout 2400 tools/sanitize.sh -q --timeout=300; then
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
