#!/usr/bin/env bash
# Build _fastsock for coverage-guided fuzzing of its C code with atheris:
# clang with -fsanitize=address,fuzzer-no-link, so libFuzzer (inside atheris)
# sees the C code's edges and ASan checks every access.
#
#   fuzz/build_native.sh            # -> /tmp/fs-fuzz/lib, prints the env to use
#
# The objects are instrumented but the .so is linked without a sanitizer
# runtime: the runtime comes from atheris's asan_with_fuzzer.so, which the
# interpreter preloads (ASan must be loaded first, and it must be the same
# runtime as libFuzzer's).  Needs clang (apt-get install clang) and atheris.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${FUZZ_NATIVE_DIR:-/tmp/fs-fuzz}
cc=${CLANG:-clang}
command -v "$cc" >/dev/null || { echo "build_native.sh: no clang" >&2; exit 2; }
rt=$(python3 -c "import atheris, os; print(os.path.join(atheris.path(), 'asan_with_fuzzer.so'))")
[ -e "$rt" ] || { echo "build_native.sh: atheris has no asan_with_fuzzer.so" >&2; exit 2; }

mkdir -p "$out/lib" "$out/tmp"
# A compiler wrapper: instrument when compiling, plain when linking.
cat > "$out/cc" <<EOF
#!/bin/sh
for a in "\$@"; do
    if [ "\$a" = "-c" ]; then
        exec $cc -fsanitize=address,fuzzer-no-link -fno-omit-frame-pointer -g "\$@"
    fi
done
exec $cc "\$@"
EOF
chmod +x "$out/cc"
CC="$out/cc" LDSHARED="$out/cc -shared" FASTSOCK_DEBUG=1 \
    tools/with-setuptools python3 python3 setup.py -q build_ext -b "$out/lib" -t "$out/tmp" 2>&1 \
    | grep -v -E "BetaConfiguration|warnings.warn|FutureWarning|warn\(" || true
so=$(ls "$out"/lib/_fastsock*.so)
if ! nm "$so" | grep __sancov >/dev/null; then
    echo "build_native.sh: $so has no coverage instrumentation" >&2
    exit 2
fi
echo "export LD_PRELOAD=$rt"
echo "export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1"
echo "export PYTHONPATH=$out/lib:$PWD/pysrc"
