#!/bin/bash
# bench-ir explains what disagrees: a capture whose frame another label of its remote carries is
# found and named, a '#why' of captures.list goes on its captures' lines, the rest say
# "unexplained", the counts of each are computed, and a '#why' naming no disagreeing capture or
# written wrong is reported; a capture is reproduced only when every frame it holds is the
# encoder's. On a captures.list of its own, from real captures (Fujitsu 1286, Mitsubishi 1139).
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/check.sh"
bench="$(realpath "$build")/bench/bench-ir"
captures="$src/tests/ir-captures"

tmp=$(mktemp -d /tmp/test-bench-ir-XXXXXX)
cleanup() {
        [ -n "${VH_TEST_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
[ -x "$bench" ] || { echo "FAIL: $bench not built"; exit 1; }

# The capture labelled $2 in file $1.
capture() {
        awk -v l="# label $2" '$0 == l { getline; print; exit }' "$captures/$1"
}
mkdir -p "$tmp/tests/ir-captures"
cool24=$(capture 1286.ir "cool auto 24")
cool26=$(capture 1286.ir "cool high 26")
heat24=$(capture 1286.ir "heat high 24")
heat20=$(capture 1286.ir "heat auto 20")
# Mitsubishi 1139: its 'heat auto 61' has a one for a zero in the frame's copy (the decoder reads
# the first frame, which is right); its 'heat auto 88' is whole.
heat61=$(capture 1139.ir "heat auto 61")
heat88=$(capture 1139.ir "heat auto 88")
for c in "$cool24" "$cool26" "$heat24" "$heat20" "$heat61" "$heat88"; do
        [ -n "$c" ] || { echo "FAIL: captures of 1286.ir"; exit 1; }
done
cat >"$tmp/tests/ir-captures/9000.ir" <<EOT
# label cool auto 24
$cool24
# label dry medium 24
$cool24
# label heat auto 30
$heat20
# label cool high 30
$cool26
# label heat high 24
$heat24
EOT
cat >"$tmp/tests/ir-captures/9001.ir" <<EOT
# label heat auto 61
$heat61
# label heat auto 88
$heat88
EOT
cat >"$tmp/tests/ir-captures/captures.list" <<EOT
# A remote of four captures.
9000.ir  fujitsu  Fujitsu, test
#why 5 carries 20 °C, not 30
#why 11,13-15 names no disagreeing capture
9001.ir  mitsubishi  Mitsubishi, test
EOT

out=$(VH_SRCDIR="$tmp" "$bench")
check "bench-ir exits 0" test $? -eq 0
check "a label copied from another capture is found" \
        grep -qF '9000.ir:3 "dry medium 24": decoded cool auto 24 (' <<<"$out"
check "... and named with its line and label" \
        grep -qF "; the same frame as line 1 ('cool auto 24')" <<<"$(grep -F '9000.ir:3 ' <<<"$out")"
check "a #why goes on its capture's line" \
        grep -qF '9000.ir:5 "heat auto 30": decoded heat auto 20 (' <<<"$out"
check "... with its text" grep -q '; carries 20 °C, not 30$' <<<"$(grep -F '9000.ir:5 ' <<<"$out")"
check "the rest is unexplained" grep -q '^    9000.ir:7 "cool high 30": decoded cool high 26 (.*); unexplained$' <<<"$out"
check "agreeing captures are not listed" test "$(grep -c '^    9000.ir:[0-9]' <<<"$out")" -eq 3
check "the figures: explained and not, counted" \
        grep -qx '  fujitsu    disagreeing    3: explained    2 (the same frame as another label 1, noted 1), unexplained 1' <<<"$out"
check "the summary line keeps its shape" \
        grep -Eq '^  fujitsu     1 remotes    5 captures: label    2/5 +40\.0 %  reproduced    5/5 +100\.0 %  defaults ' \
        <<<"$out"
check "a #why that names no disagreeing capture is reported" \
        grep -qF '9000.ir: the #why of captures.list line 4 names no disagreeing capture' <<<"$out"
check "a frame the decoder does not read is compared too" \
        grep -qF '9001.ir:1 "heat auto 61": encoder differs from 23CB26010020080000785100000081000087: the encoder'"'"'s frame 2 differs at sample 357 of 581 (583 sent); unexplained' \
        <<<"$out"
check "... and not counted as reproduced" \
        grep -Eq '^  mitsubishi  1 remotes    2 captures: label    2/2 +100\.0 %  reproduced    1/2 +50\.0 %' <<<"$out"
check "the totals count them" grep -q '^  covered:   disagreeing    4: explained    2 .* unexplained 2$' <<<"$out"

echo '#why x1 bad' >>"$tmp/tests/ir-captures/captures.list"
err=$(VH_SRCDIR="$tmp" "$bench" 2>&1 >/dev/null)
check "a #why written wrong fails" test $? -ne 0
check "... naming its line" grep -qF "captures.list:6: not '#why LINE[-LINE][,…] TEXT'" <<<"$err"

{ echo '# A comment'; echo '#note under no remote'; } >"$tmp/tests/ir-captures/captures.list"
err=$(VH_SRCDIR="$tmp" "$bench" 2>&1 >/dev/null)
check "a #note under no remote fails" test $? -ne 0
check "... naming its line" grep -qF "captures.list:2: not under a remote" <<<"$err"

checks_done
