#!/usr/bin/env bash
# CI step (called by .ci/run after the full suite): the core subset of the
# test suite on every other CPython 3.9-3.13 the machine has.
#
# The full suite has run on `python3` (the README's commands).  The README
# promises CPython 3.9 to 3.13, so each other minor version found through
# pyenv (`pyenv versions --bare`, `pyenv prefix X.Y.Z`) gets its own virtual
# environment, `pip install .` of this tree and the test tools, and runs the
# subset below with -x -q.  A version the machine lacks is skipped with the
# reason printed.  The installs run at once, the tests one version after
# another, each step under a hard timeout.  Measured on two cores shared
# with other work (CI of 2026-12-03): installs 80-105 s in all; the subset
# 150-155 s on 3.9 and 3.13, 90-100 s on 3.10 and 3.12, which leave out
# CPython's own suites (see EXTREMES_ONLY; 130-155 s each when all four
# versions ran them).
#   .ci/other-pythons.sh [X.Y ...]      (default: 3.9 3.10 3.11 3.12 3.13)
set -uo pipefail
cd "$(dirname "$0")/.."

# The socket core, socket files, servers, CPython's own test_socket and
# test_socketserver, the book's examples, and its Python 2 text under
# run --py2 (issue 10 promises py2 mode on every CPython 3.9-3.13).
SUBSET=(tests/test_socket_core.py tests/test_makefile.py tests/test_socketserver.py
        tests/test_cpython_suite.py tests/test_examples.py
        tests/test_py2_translate.py tests/test_py2.py)
# Files run only on the oldest and the newest of the versions tested here
# (3.9 and 3.13 by default), the reason printed in the log.  CPython's
# test_socket and test_socketserver (test_cpython_suite.py) are the
# heaviest part of the subset, and they drive the same code of ours on
# every version: each version test in csrc/ and pysrc/ (against 3.10,
# 3.11, 3.11.3, 3.12 or 3.13) answers on 3.10 and on 3.12 as it does on
# 3.9, 3.11 (python3, the full suite) or 3.13.  What is given up: a test
# that only CPython 3.10's or 3.12's own suite has.  The rest of the subset
# runs on every version.
EXTREMES_ONLY=(tests/test_cpython_suite.py)
# The test tools, lighter than the [test] extra (no mypy: the stub check
# runs with the full suite).
TOOLS=(pytest pytest-timeout hypothesis twisted)

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.9 3.10 3.11 3.12 3.13)
main=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')

pyenv_cmd=
for cand in pyenv "${PYENV_ROOT:-$HOME/.pyenv}/bin/pyenv"; do
    if command -v "$cand" >/dev/null 2>&1; then pyenv_cmd=$cand; break; fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fastsock-ci-pythons.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=()
summary=()
found=()          # "minor full python" of each version to test

for minor in "${versions[@]}"; do
    if [ "$minor" = "$main" ]; then
        summary+=("$minor: the full suite ran on it above (python3)")
        continue
    fi
    if [ -z "$pyenv_cmd" ]; then
        echo "-- $minor: skipped: pyenv is not installed, so no other CPython can be found"
        summary+=("$minor: skipped (no pyenv)")
        continue
    fi
    full=$("$pyenv_cmd" versions --bare 2>/dev/null \
           | grep -E "^${minor//./\\.}\.[0-9]+$" | sort -V | tail -n 1)
    if [ -z "$full" ]; then
        echo "-- $minor: skipped: pyenv has no CPython $minor on this machine"
        summary+=("$minor: skipped (not installed)")
        continue
    fi
    prefix=$("$pyenv_cmd" prefix "$full")
    py=$prefix/bin/python3
    [ -x "$py" ] || py=$prefix/bin/python
    found+=("$minor $full $py")
done

# The installs (a venv, then pip building fastsock and fetching the tools)
# mostly wait on the network and the compiler: all versions at once, each
# from its own copy of the tree so that their in-tree builds do not meet.
install() {
    local minor=$1 py=$2 src=$work/src-$1 venv=$work/venv-$1
    mkdir -p "$src"
    tar --exclude=./.venv --exclude=./build --exclude=./.git -cf - . \
        | tar -xf - -C "$src" &&
    timeout 120 "$py" -m venv "$venv" &&
    timeout 900 "$venv/bin/python" -m pip install -q "$src" "${TOOLS[@]}"
}
t0=$(date +%s)
pids=()
for entry in "${found[@]}"; do
    read -r minor full py <<<"$entry"
    echo "-- $minor: installing fastsock and the test tools for CPython $full ($py)"
    install "$minor" "$py" >"$work/install-$minor.log" 2>&1 &
    pids+=($!)
done
installed=()
for i in "${!found[@]}"; do
    read -r minor full py <<<"${found[$i]}"
    if wait "${pids[$i]}"; then
        installed+=("${found[$i]}")
    else
        echo "-- $minor: FAILED to install; its log:"
        tail -n 30 "$work/install-$minor.log"
        failed+=("$minor"); summary+=("$minor: FAILED (venv or pip install)")
    fi
done
echo "-- installs done in $(( $(date +%s) - t0 )) s"

# The oldest and the newest version installed run the whole subset.
oldest= newest=
if [ ${#installed[@]} -gt 0 ]; then
    oldest=$(printf '%s\n' "${installed[@]}" | cut -d' ' -f1 | sort -V | head -n 1)
    newest=$(printf '%s\n' "${installed[@]}" | cut -d' ' -f1 | sort -V | tail -n 1)
fi

# The tests one version at a time (they time servers and signals).
for entry in "${installed[@]}"; do
    read -r minor full py <<<"$entry"
    files=("${SUBSET[@]}")
    if [ "$minor" = "$oldest" ] || [ "$minor" = "$newest" ]; then
        echo "-- $minor: the core subset on CPython $full"
    else
        files=()
        for f in "${SUBSET[@]}"; do
            case " ${EXTREMES_ONLY[*]} " in
                *" $f "*) ;;
                *) files+=("$f") ;;
            esac
        done
        echo "-- $minor: the core subset on CPython $full, without ${EXTREMES_ONLY[*]}:"
        echo "   it runs on $oldest and $newest only; every version-dependent branch of"
        echo "   fastsock takes the same side here as on one of those or on python3 ($main)"
    fi
    t1=$(date +%s)
    if timeout 900 "$work/venv-$minor/bin/python" -m pytest -x -q -p no:cacheprovider "${files[@]}"; then
        result=passed
    else
        result=FAILED
        failed+=("$minor")
    fi
    note=
    [ ${#files[@]} = ${#SUBSET[@]} ] || note=", without ${EXTREMES_ONLY[*]}"
    summary+=("$minor: $result (CPython $full: tests $(( $(date +%s) - t1 )) s$note)")
    rm -rf "$work/venv-$minor" "$work/src-$minor"
done

echo "-- the core subset per version:"
printf '   %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "-- FAILED on: ${failed[*]}"
    exit 1
fi
