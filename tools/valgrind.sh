#!/usr/bin/env bash
# Valgrind memcheck over a representative subset of the suite, on a debug
# build of _fastsock (no sanitizer).
#
#   tools/valgrind.sh                          # the default subset (~10 min)
#   tools/valgrind.sh tests/test_x.py -k foo   # any pytest arguments instead
#
# The interpreter runs with PYTHONMALLOC=malloc, so every Python object is a
# malloc block memcheck can see.  The interpreter itself is not perfectly
# clean under memcheck (CPython 3.11 reads some uninitialised bits in its
# int fast paths, and keeps memory at exit), so the verdict is taken from
# the log: an error counts when any frame of its stack is in _fastsock
# (the .so or csrc/*.c), and a leak counts when it is "definitely lost" with
# a _fastsock frame.  Everything else is counted and shown as interpreter
# noise.  tools/valgrind-python.supp (ours) silences the commonest of it.
# VALGRIND_SUPP=file adds another suppression file (e.g. CPython's
# Misc/valgrind-python.supp, if you have a CPython source tree).
set -uo pipefail
cd "$(dirname "$0")/.."
py=$(${PYTHON:-python3} -c "import os, sys; print(os.path.realpath(sys.executable))")
name=${FASTSOCK_VG_NAME:-vg}
libdir=/tmp/fs-$name/lib
log=${FASTSOCK_VG_LOG:-/tmp/fs-valgrind.log}

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
echo "== debug build of _fastsock into $libdir"
FASTSOCK_DEBUG=1 tools/devbuild "$name" "$py" >/dev/null || exit 2

if [ $# -eq 0 ]; then
    # Representative: the socket object, addresses, ancillary data, socket
    # files, servers, and the leak tests' operation mix - fastsock's side
    # only (the stdlib's is not under test here).
    set -- tests/test_sockmsg.py tests/test_makefile.py tests/test_leaks.py \
           tests/test_socket_core.py tests/test_socketserver.py -k fastsock
    export FASTSOCK_SANITIZED=1     # the leak tests' short iteration counts
fi

supp=(--suppressions=tools/valgrind-python.supp)
[ -n "${VALGRIND_SUPP:-}" ] && supp+=(--suppressions="$VALGRIND_SUPP")

echo "== memcheck: pytest $* (log: $log)"
PYTHONMALLOC=malloc PYTHONPATH="$libdir:$PWD/pysrc" \
    valgrind --tool=memcheck --trace-children=no --num-callers=40 \
    --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite "${supp[@]}" \
    --log-file="$log" \
    "$py" -m pytest -q -p no:cacheprovider --timeout=1200 "$@"
rc=$?

"$py" - "$log" <<'EOF'
import re, sys
text = open(sys.argv[1], errors="replace").read()
records = re.split(r"\n==\d+== \n", text)
ours, noise, leaks = [], 0, []
for rec in records:
    lines = [re.sub(r"^==\d+== ?", "", l) for l in rec.splitlines()]
    head = next((l for l in lines if l.strip()), "")
    is_error = re.match(r"(Invalid|Conditional jump|Use of uninit|Syscall param|"
                        r"Mismatched|Source and destination|Argument)", head)
    is_leak = "definitely lost in loss record" in head
    if not (is_error or is_leak):
        continue
    mine = any("_fastsock" in l or "csrc/" in l for l in lines)
    if is_leak and mine:
        leaks.append("\n".join(lines))
    elif is_error and mine:
        ours.append("\n".join(lines))
    else:
        noise += 1
for rec in ours + leaks:
    print("---- fastsock:\n" + rec)
print("valgrind.sh: %d error(s) and %d definite leak(s) in fastsock; "
      "%d interpreter record(s) ignored" % (len(ours), len(leaks), noise))
sys.exit(1 if ours or leaks else 0)
EOF
verdict=$?
if [ $verdict -ne 0 ]; then
    echo "valgrind.sh: FAILED (details in $log)" >&2
    exit 1
fi
if [ $rc -ne 0 ]; then
    echo "valgrind.sh: memcheck clean, but pytest failed under valgrind (rc=$rc)" >&2
    exit $rc
fi
echo "valgrind.sh: clean"
