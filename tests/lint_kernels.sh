#!/bin/sh
# Usage: lint_kernels.sh KERNEL_DIR VARIANTS_FILE [CLANG]
#
# Compiles every kernel build variant of VARIANTS_FILE (lines "FILE.cl OPTIONS", # comments)
# with clang as strict OpenCL C 1.2 (-Wpedantic -Werror), syntax only. Each driver's compiler
# accepts its own extensions: PoCL's clang took a variadic macro that NVIDIA's compiler refuses
# (OpenCL C has none before 3.0), found only on a GPU machine. clang's pedantic mode names such
# extensions here. Every KERNEL_DIR/*.cl must appear in VARIANTS_FILE; each is compiled after
# KERNEL_DIR/vector_access.clh, as the library builds it.
# Exit status: 0 clean, 1 a variant warns or fails, 77 (skipped) no clang, 2 usage.
set -u
[ $# -ge 2 ] || { echo "usage: lint_kernels.sh KERNEL_DIR VARIANTS_FILE [CLANG]" >&2; exit 2; }
dir=$1
variants=$2
clang=${3:-}
if [ -z "$clang" ]; then
    for c in clang clang-16 clang-15 clang-14; do
        if command -v "$c" >/dev/null 2>&1; then clang=$c; break; fi
    done
fi
if [ -z "$clang" ]; then
    echo "SKIP: no clang on PATH (Debian: clang, which pocl-opencl-icd pulls in)"
    exit 77
fi

failures=0
checked=0
for f in "$dir"/*.cl; do
    name=${f##*/}
    if ! grep -q "^$name " "$variants"; then
        echo "FAIL $name: no build variant in $variants"
        failures=$((failures + 1))
    fi
done
while read -r name options; do
    case $name in '' | '#'*) continue ;; esac
    # Options are -D and -cl-std words, never quoted: split on spaces.
    # shellcheck disable=SC2086
    if ! out=$("$clang" -x cl -Xclang -finclude-default-header -fsyntax-only -Wpedantic -Werror \
        -include "$dir/vector_access.clh" $options "$dir/$name" 2>&1) || [ -n "$out" ]; then
        echo "FAIL $name $options"
        echo "$out" | head -n 20
        failures=$((failures + 1))
    fi
    checked=$((checked + 1))
done <"$variants"
echo "$checked variants checked with $clang, $failures failure(s)"
[ "$failures" -eq 0 ]
