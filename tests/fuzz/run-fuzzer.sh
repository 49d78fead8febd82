#!/bin/bash
# run-fuzzer.sh NAME — runs the libFuzzer target $VH_BUILD/fuzz/NAME for $VH_FUZZ_SECONDS
# (20 by default) on its seeds (tests/fuzz/corpus/NAME) and on what earlier runs found
# ($VH_BUILD/fuzz/corpus/NAME). Exit 0 when it found nothing, 77 when it cannot run here,
# else 1 with the crashing input in $VH_BUILD/fuzz/artifacts/. Appends one line to
# $VH_BUILD/fuzz/stats: "NAME RUNS SECONDS CORPUS_SIZE RESULT".
set -u
name=$1
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-$(pwd)}
seconds=${VH_FUZZ_SECONDS:-20}

case $build in
*-asan) echo "skip: the fuzzers run once, in the plain pass; they are built with ASan/UBSan themselves"; exit 77 ;;
esac
bin="$build/fuzz/$name"
if [ ! -x "$bin" ]; then
        echo "skip: $bin is not built (clang with libFuzzer, i.e. libclang-rt-14-dev, is needed)"
        exit 77
fi

corpus="$build/fuzz/corpus/$name"
seeds="$src/tests/fuzz/corpus/$name"
artifacts="$build/fuzz/artifacts"
mkdir -p "$corpus" "$artifacts"
dict=()
[ -f "$src/tests/fuzz/$name.dict" ] && dict=(-dict="$src/tests/fuzz/$name.dict")
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The loaders write their scratch files (with fsync) under $TMPDIR: tmpfs keeps that cheap.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
# The fuzzers find leaks themselves; the suite's exit codes would hide libFuzzer's report.
unset ASAN_OPTIONS LSAN_OPTIONS
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 \
        "${dict[@]}" -artifact_prefix="$artifacts/$name-" "$corpus" "$seeds" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
size=$(ls "$corpus" | wc -l)
lost=0; [ $rc -eq 0 ] || lost=1
echo "$name cases=$size inputs=${runs:-0} faults=0 lost=$lost corpus of $size inputs after ${time:-$seconds} s" \
        >>"$build/reliability-stats"
tail -n 30 "$log"
echo "$name: ${runs:-0} inputs in ${time:-?} s, corpus $size, exit $rc"
if [ $rc -ne 0 ]; then
        echo "$name found a problem; the input is in $artifacts/ (reproduce: $bin $artifacts/$name-crash-…)"
        exit 1
fi
exit 0
