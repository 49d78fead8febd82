#!/bin/bash
# reliability-report.sh BUILD — runs the reliability measurements in BUILD (the plain tree) and
# prints one table: for each fuzzer, the bus fuzzer, the load tests and the authorisation test,
# the cases tried, the inputs fed in, the faults injected, and what was lost (the goal: nothing).
#
#   cases    fuzzers: the corpus (distinct behaviours found); busfuzz: methods and properties;
#            load tests: calls or cycles; authorisation: caller/method pairs
#   inputs   fuzzers: inputs executed; busfuzz: calls made; load-mute: stream packets checked
#   faults   deliberately bad input refused with a named error (busfuzz), the capture switch
#            turned off behind audiod's back (load-mute), calls that must be refused (authorisation)
#   lost     crashes and property violations (fuzzers), findings (busfuzz), packets with audio
#            captured while muted or a Muted/switch disagreement (load-mute), failed opens, leaked
#            fds and stream gaps (load-streams), a wrong final state or an uncoalesced or foreign
#            transmission (load-apply), a caller wrongly allowed or refused (authorisation)
#
# Environment: VH_FUZZ_SECONDS (30) per fuzzer. Exit 0 when every row passed with nothing lost.
set -u
build=${1:-build}
src=$(pwd)
stats="$build/reliability-stats"
logs="$build/test-logs"
fuzz_seconds=${VH_FUZZ_SECONDS:-30}
mkdir -p "$logs"
rm -f "$stats"
export VH_BUILD="$build" VH_SRCDIR="$src"
declare -A result

run() {
        local row=$1; shift
        timeout --kill-after=10 600 "$@" >"$logs/reliability-$row.log" 2>&1 </dev/null
        case $? in
        0) result[$row]=pass ;;
        77) result[$row]="skip: $(grep -m1 -i skip "$logs/reliability-$row.log" | cut -c1-60)" ;;
        *) result[$row]=FAIL ;;
        esac
        printf '  %-18s %s\n' "$row" "${result[$row]}" >&2
}

echo "Running (logs in $logs/reliability-*.log):" >&2
for f in fuzz-config fuzz-hvac-state fuzz-intent fuzz-audio-packet fuzz-mute-state; do
        VH_FUZZ_SECONDS=$fuzz_seconds run "$f" bash tests/fuzz/run-fuzzer.sh "$f"
done
run busfuzz "$build/tests/test-busfuzz"
run load-mute "$build/tests/test-load-mute"
run load-streams "$build/tests/test-load-streams"
run load-apply "$build/tests/test-load-apply"
run authorization "$build/tests/test-authorization"

value() { sed -n "s/^$1 .*\\b$2=\\([0-9]*\\).*/\\1/p" "$stats" 2>/dev/null | tail -n1; }
note() { sed -n "s/^$1 cases=[0-9]* inputs=[0-9]* faults=[0-9]* lost=[0-9]* //p" "$stats" 2>/dev/null | tail -n1; }

echo
printf '%-18s %-6s %10s %12s %9s %6s  %s\n' "what" "result" "cases" "inputs" "faults" "lost" "notes"
printf '%-18s %-6s %10s %12s %9s %6s  %s\n' "----" "------" "-----" "------" "------" "----" "-----"
total_cases=0 total_inputs=0 total_faults=0 total_lost=0 bad=0
for row in fuzz-config fuzz-hvac-state fuzz-intent fuzz-audio-packet fuzz-mute-state busfuzz load-mute \
           load-streams load-apply authorization; do
        cases=$(value "$row" cases) inputs=$(value "$row" inputs) faults=$(value "$row" faults) lost=$(value "$row" lost)
        res=${result[$row]}
        case $res in skip*) short=skip ;; *) short=$res ;; esac
        if [ -z "$cases" ]; then
                [ "$short" = pass ] && short=FAIL        # passed without saying what it did
                printf '%-18s %-6s %10s %12s %9s %6s  %s\n' "$row" "$short" - - - - "${res#skip: }"
                [ "$short" = skip ] || bad=1
                continue
        fi
        printf '%-18s %-6s %10s %12s %9s %6s  %s\n' "$row" "$short" "$cases" "$inputs" "$faults" "$lost" "$(note "$row")"
        total_cases=$((total_cases + cases)) total_inputs=$((total_inputs + inputs))
        total_faults=$((total_faults + faults)) total_lost=$((total_lost + lost))
        [ "$short" = FAIL ] && bad=1
done
printf '%-18s %-6s %10s %12s %9s %6s\n' "total" "" "$total_cases" "$total_inputs" "$total_faults" "$total_lost"
echo
if [ "$bad" -eq 0 ] && [ "$total_lost" -eq 0 ]; then
        echo "Nothing lost."
        exit 0
fi
echo "Something was lost or failed: see $logs/reliability-*.log (fuzzer crashes: $build/fuzz/artifacts/)."
exit 1
