#!/bin/bash
# run-tests.sh BUILD "TEST BINARIES" "TEST SCRIPTS" RESULTS LABEL
# Runs each test with a time limit; exit 0 = pass, 77 = skipped (the test says why), else fail.
# Appends "pass|fail|skip LABEL NAME [WHY]" lines to RESULTS; logs go to BUILD/test-logs/.
set -u
build=$1; tests=$2; scripts=$3; results=$4; label=$5
logdir="$build/test-logs"
mkdir -p "$logdir"
export VH_BUILD="$build"
export VH_SRCDIR="$(pwd)"
# Sanitizer runs: a leak or undefined behaviour in a test or in a daemon it started fails.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"
export LSAN_OPTIONS="exitcode=86"
# Sanitized code runs two to four times slower: the bounds that guard against a blocked loop
# (test_scaled_usec) grow with it there.
[ "$label" = asan ] && export VH_TEST_TIME_SCALE="${VH_TEST_TIME_SCALE:-3}"
timeout_s=${VH_TEST_TIMEOUT:-600}

run_one() {
        local name=$1; shift
        local log="$logdir/$name.log"
        local start=$(date +%s%3N)
        timeout --kill-after=10 "$timeout_s" "$@" >"$log" 2>&1 </dev/null
        local rc=$?
        local ms=$(( $(date +%s%3N) - start )); local secs="$((ms / 1000)).$(( (ms % 1000) / 100 ))"
        case $rc in
        0)  echo "PASS [$label] $name (${secs}s)"; echo "pass $label $name" >>"$results" ;;
        77) local why; why=$(grep -m1 -i 'skip' "$log" | cut -c1-160)
            echo "SKIP [$label] $name: $why"; echo "skip $label $name ${why:-(the test gave no reason)}" >>"$results" ;;
        *)  echo "FAIL [$label] $name (exit $rc, ${secs}s) — last lines of $log:"
            tail -n 25 "$log" | sed 's/^/    /'
            echo "fail $label $name" >>"$results" ;;
        esac
}

for t in $tests; do
        run_one "$(basename "$t")" "$t"
done
for s in $scripts; do
        run_one "$(basename "$s")" bash "$s"
done
exit 0
