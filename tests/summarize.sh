#!/bin/bash
# summarize.sh RESULTS — prints the one closing line CI reads, and fails when a test failed or
# when a test that is expected to run skipped. The one expected skip: the fuzzers run once, in
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
if [ "$f" -gt 0 ]; then
        echo "Failed:"; grep '^fail ' "$results" | sed 's/^fail /    /'
fi
if [ "$s" -gt 0 ]; then
        echo "Skipped:"
        grep '^skip ' "$results" | while read -r _ label name why; do
                if expected_skip "$label" "$name"; then
                        echo "    [$label] $name (expected: the fuzzers run once, in the plain pass)"
                else
                        echo "    [$label] $name: $why"
                fi
        done
fi
echo "$p passed, $f failed, $s skipped (${#unexpected[@]} of them not expected)"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "${#unexpected[@]}" -eq 0 ]
