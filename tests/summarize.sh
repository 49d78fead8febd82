#!/bin/bash
# summarize.sh RESULTS — prints the one closing line CI reads, "N passed, N failed, N skipped",
# and fails when a test failed or when a test that is expected to run skipped (counted as failed). The one expected skip: the fuzzers run once, in
# the plain pass (tests/fuzz/fuzz.mk), so each tests/fuzz/test-fuzz-*.sh skips in the asan pass.
results=$1
expected_skip() { # expected_skip LABEL NAME
        [ "$1" = asan ] && [[ $2 == test-fuzz-*.sh ]]
}
p=$(grep -c '^pass ' "$results" 2>/dev/null); p=${p:-0}
f=$(grep -c '^fail ' "$results" 2>/dev/null); f=${f:-0}
s=0; unexpected=()
while read -r _ label name why; do
        s=$((s + 1))
        expected_skip "$label" "$name" || unexpected+=("[$label] $name: $why")
done < <(grep '^skip ' "$results" 2>/dev/null)
# A skip that was not expected is a failure: it is listed, and counted, as one.
if [ "$f" -gt 0 ] || [ ${#unexpected[@]} -gt 0 ]; then
        echo "Failed:"
        grep '^fail ' "$results" | sed 's/^fail /    /'
        for u in "${unexpected[@]}"; do echo "    $u (skipped, where it must run)"; done
fi
if [ $((s - ${#unexpected[@]})) -gt 0 ]; then
        echo "Skipped, as expected:"
        grep '^skip ' "$results" | while read -r _ label name why; do
                expected_skip "$label" "$name" &&
                        echo "    [$label] $name (the fuzzers run once, in the plain pass)"
        done
fi
echo "$p passed, $((f + ${#unexpected[@]})) failed, $((s - ${#unexpected[@]})) skipped"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "${#unexpected[@]}" -eq 0 ]
