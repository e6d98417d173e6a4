#!/usr/bin/env bash
# Build _fastsock with AddressSanitizer + UndefinedBehaviorSanitizer, as the
# FASTSOCK_DEBUG=1 build (-O0 -g3 -UNDEBUG: every assert() in csrc/ is live),
# and run the test suite against it, with the interpreter preloading the ASan
# runtime.  A failed assertion aborts the interpreter and fails the run.
#
#   tools/sanitize.sh                      # the whole suite
#   tools/sanitize.sh tests/test_x.py -x   # any pytest arguments
#   PYTHON=python3.12 tools/sanitize.sh    # another interpreter
#   tools/sanitize.sh --run python3 fuzz/fuzz_msg.py -max_total_time=600
#                                          # any command instead of pytest
#
# Any sanitizer report fails the run, even one from a child process whose
# stderr a test captured: every report also goes to a log file under
# $FASTSOCK_SAN_LOGS (default /tmp/fs-san-logs), and the run fails when any
# log file exists at the end.  Before the suite, a self-test proves that the
# runtime is live and that a report does fail the run.
set -uo pipefail
cd "$(dirname "$0")/.."

py=${PYTHON:-python3}
name=${FASTSOCK_SAN_NAME:-san}
logs=${FASTSOCK_SAN_LOGS:-/tmp/fs-san-logs}
libdir=/tmp/fs-$name/lib

echo "== sanitizer build of _fastsock (ASan + UBSan, assertions live) into $libdir"
if ! FASTSOCK_SANITIZE=1 FASTSOCK_DEBUG=1 tools/devbuild "$name" "$py"; then
    echo "sanitize.sh: the sanitizer build failed" >&2
    exit 2
fi
so=$(ls "$libdir"/_fastsock*.so | head -n 1)
# The build must really be instrumented, or a clean run would prove nothing.
if ! ldd "$so" | grep libasan >/dev/null; then
    echo "sanitize.sh: $so is not linked with libasan (stale build?)" >&2
    exit 2
fi
# The same for the assertions: a build with NDEBUG has no call to
# __assert_fail left, and would check none of the invariants.
if ! nm -u "$so" | grep __assert_fail >/dev/null; then
    echo "sanitize.sh: $so has no live assert() (built with NDEBUG?)" >&2
    exit 2
fi

# gcc's runtime; with clang builds, point FASTSOCK_ASAN_LIB at its runtime.
asan_lib=${FASTSOCK_ASAN_LIB:-$(gcc -print-file-name=libasan.so)}
if [ ! -e "$asan_lib" ]; then
    echo "sanitize.sh: ASan runtime not found ($asan_lib)" >&2
    exit 2
fi

rm -rf "$logs"
mkdir -p "$logs"

# External peers the interop tests run (curl, nc, socat...) are not ours and
# some hang with the ASan runtime forced into them: put wrappers first in
# PATH that drop LD_PRELOAD before running the real tool.
wrapdir=/tmp/fs-$name/nopreload
rm -rf "$wrapdir"
mkdir -p "$wrapdir"
for tool in curl nc ncat netcat socat openssl wget telnet; do
    real=$(command -v "$tool" 2>/dev/null) || continue
    printf '#!/bin/sh\nunset LD_PRELOAD\nexec %s "$@"\n' "$real" > "$wrapdir/$tool"
    chmod +x "$wrapdir/$tool"
done
export PATH="$wrapdir:$PATH"

# Leak detection stays off: the interpreter itself does not free everything
# at exit, and fastsock's own leaks are checked by tests/test_leaks.py.
# PYTHONMALLOC=malloc sends Python objects through malloc too, so an
# overflow from C into a bytes object lands in an ASan redzone instead of
# in a neighbouring pymalloc block.
export LD_PRELOAD="$asan_lib${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:exitcode=86:strict_memcmp=0:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$logs/asan:log_exe_name=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=87:log_path=$logs/ubsan"
export PYTHONMALLOC=malloc
export PYTHONFAULTHANDLER=1
export PYTHONPATH="$libdir:$PWD/pysrc"
# Tests may shrink their heaviest loops under the sanitizer (10x slower).
export FASTSOCK_SANITIZED=1

show_logs() {
    local f found=1
    for f in "$logs"/*; do
        [ -e "$f" ] || continue
        found=0
        echo "---- sanitizer report: $f"
        cat "$f"
    done
    return $found
}

echo "== self-test: a deliberate heap overflow must be caught"
"$py" - <<'EOF' >/dev/null 2>&1
import ctypes
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
p = libc.malloc(8)
src = ctypes.create_string_buffer(32)
ctypes.memmove(p, src, 32)      # 24 bytes past the end of an 8-byte block
EOF
rc=$?
if [ "$rc" -ne 86 ] || ! ls "$logs"/asan* >/dev/null 2>&1; then
    echo "sanitize.sh: the ASan runtime did not catch the self-test overflow (rc=$rc)" >&2
    exit 2
fi
rm -f "$logs"/*
echo "   caught (rc=$rc); the runtime is live"

echo "== which _fastsock the suite imports"
if ! "$py" -c "import _fastsock, sys; print(_fastsock.__file__); sys.exit(not _fastsock.__file__.startswith('$libdir'))"; then
    echo "sanitize.sh: the suite would not import the sanitizer build" >&2
    exit 2
fi

if [ "${1:-}" = "--run" ]; then
    shift
    echo "== $* under ASan + UBSan"
    "$@"
    rc=$?
else
    echo "== pytest under ASan + UBSan"
    "$py" -m pytest -p no:cacheprovider "$@"
    rc=$?
fi

if show_logs; then
    echo "sanitize.sh: FAILED: sanitizer reports above (pytest rc=$rc)" >&2
    exit 1
fi
case $rc in
    0) echo "sanitize.sh: clean: no sanitizer report, and the run passed" ;;
    5) echo "sanitize.sh: clean: no sanitizer report (pytest collected no test)"; rc=0 ;;
    86|87) echo "sanitize.sh: FAILED: the interpreter stopped on a sanitizer report" >&2 ;;
    *) echo "sanitize.sh: no sanitizer report, but pytest failed (rc=$rc)" >&2 ;;
esac
exit $rc
