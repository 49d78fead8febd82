#!/bin/bash
# run-bench.sh BUILD "BENCHES" — runs each benchmark (program or script) and lets it print its
# figures. Benchmarks measure; they do not pass or fail on a goal.
set -u
build=$1; benches=$2
export VH_BUILD="$build"
export VH_SRCDIR="$(pwd)"
status=0
for b in $benches; do
        echo "=== $(basename "$b")"
        case $b in
        *.sh) bash "$b" || status=1 ;;
        *)    "$b" || status=1 ;;
        esac
        echo
done
exit $status
