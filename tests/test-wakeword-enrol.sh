#!/bin/bash
# wakeword --enrol-from on a small generated set: one voice in a reverberant room says the phrase
# and commands; beside its good clips, a silent one, a clipped one, one with the wrong transcript
# and one with a word outside the dictionary are refused, each for its reason. The adaptation is
# written into the state directory, a new process loads it (and --no-adaptation does not), the
# daemon loads it at start and again after a restart, the first wake of a new process is read as
# later ones are, bad input leaves it untouched, and a corrupt one is moved aside.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
bin="$build/wakeword/wakeword"
for t in espeak-ng sox dbus-daemon; do
        command -v $t >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || { echo "SKIP: pocketsphinx-en-us model missing"; exit 77; }
for t in /usr/lib/sphinxtrain/bw /usr/lib/sphinxtrain/map_adapt /usr/bin/sphinx_fe /usr/bin/pocketsphinx_mdef_convert; do
        [ -x "$t" ] || { echo "SKIP: $t is not installed (tools/deps.sh)"; exit 77; }
done

export SOX_OPTS=-R
. "$src/tests/lib/stack.sh"
dir=$(mktemp -d)
private_bus_pid="" daemon_pid=""
trap 'kill $daemon_pid $private_bus_pid 2>/dev/null; wait; rm -rf "$dir"' EXIT
mkdir -p "$dir/state" "$dir/tmp" "$dir/clips"
export STATE_DIRECTORY="$dir/state" TMPDIR="$dir/tmp"
state="$dir/state/wakeword-adaptation"
. "$src/tests/lib/check.sh"

# clip NAME TEXT: the voice (clip_voice: another) in a reverberant room, with a noise floor.
clip() {
        espeak-ng -v "${clip_voice:-en-gb-scotland}" -s 150 -w "$dir/raw.wav" "$2" || return 1
        sox -q "$dir/raw.wav" -r 16000 -c 1 -b 16 "$dir/pad.wav" gain -6 pad 0.5 0.8 reverb 50 50 60 100 0 0 channels 1
        sox -R -q -n -r 16000 -c 1 -b 16 "$dir/noise.wav" synth "$(soxi -D "$dir/pad.wav")" pinknoise vol 0.02
        sox -q -m "$dir/pad.wav" "$dir/noise.wav" "$dir/clips/$1.wav"
}
good=(
        "hey climate"
        "hey climate set the temperature to twenty four degrees"
        "hey climate make it warmer"
        "hey climate turn on the air conditioner"
        "hey climate switch to cooling mode"
        "hey climate set the fan to low"
        "hey climate switch to heating mode"
        "hey climate fan speed high"
        "hey climate set the temperature to nineteen"
)
: >"$dir/list.txt"
for i in "${!good[@]}"; do
        clip "good$i" "${good[$i]}" || { fail "espeak-ng failed"; continue; }
        printf 'clips/good%s.wav\t%s\n' "$i" "${good[$i]}" >>"$dir/list.txt"
done
sox -R -q -n -r 16000 -c 1 -b 16 "$dir/clips/silent.wav" synth 2.5 pinknoise vol 0.02
sox -q "$dir/clips/good2.wav" "$dir/clips/clipped.wav" gain 30 2>/dev/null
clip wrong "hey climate set the temperature to twenty four degrees" || fail "espeak-ng failed"
clip unknown "hey climate turn off the air conditioner" || fail "espeak-ng failed"
sox -q "$dir/clips/good1.wav" "$dir/clips/short.wav" trim 0.5 0.5
printf '%s\n' "# bad ones" \
        "clips/silent.wav	hey climate" \
        "clips/clipped.wav	hey climate make it warmer" \
        "clips/wrong.wav	hey climate make it warmer" \
        "clips/unknown.wav	hey climate turn off the frobnicator" \
        "clips/short.wav	hey climate" \
        "clips/missing.wav	hey climate" >>"$dir/list.txt"

# run OUT LIST: the enrolment's stdout and stderr in OUT.out/OUT.err; its exit code.
enrol() { "$bin" --enrol-from "$2" >"$dir/$1.out" 2>"$dir/$1.err"; }

enrol first "$dir/list.txt" || fail "enrolment failed: $(cat "$dir/first.err")"
cat "$dir/first.out"
out=$(cat "$dir/first.out")
refused() {     # refused CLIP REASON
        grep -q "^refused  .*clips/$1.wav: .*$2" <<<"$out" || fail "$1 not refused for '$2'"
}
refused silent "silent"
refused clipped "clipped"
refused wrong "alignment failed"
refused unknown "outside the dictionary: \"frobnicator\""
refused short "too short"
refused missing "cannot open"
used=$(grep -c '^used ' <<<"$out")
[ "$used" -eq ${#good[@]} ] || fail "$used of ${#good[@]} good clips used"
grep -q "^clips used: ${#good[@]}, refused: 6$" <<<"$out" || fail "no count of clips used and refused"
scores=$(sed -n 's/^average acoustic score per frame: \(-\?[0-9.]*\) before, \(-\?[0-9.]*\) after$/\1 \2/p' <<<"$out")
awk -v s="$scores" 'BEGIN { n = split(s, x, " "); exit !(n == 2 && x[2] > x[1]) }' ||
        fail "no better average score after the adaptation: '$scores'"
[ -s "$state" ] || fail "no adaptation in the state directory"
[ -z "$(ls -A "$dir/tmp")" ] || fail "scratch left behind: $(ls "$dir/tmp")"
# The enrolled-only gate's calibration: the clips' fits, each half heard with an adaptation of the
# other, kept in the file's header and said.
grep -q "^enrolled_only calibration: [0-9]* wake fits, [0-9]* command fits of held-out clips; margins: wake fit -\?[0-9.]*, command fit -\?[0-9.]* (from the enrolment's own clips)$" <<<"$out" ||
        fail "no calibration of enrolled_only from the enrolment: $(grep calibration <<<"$out")"
head -c 4096 "$state" | grep -aq "^wake_fits -\?[0-9]" && head -c 4096 "$state" | grep -aq "^command_fits -\?[0-9]" ||
        fail "no calibration in the adaptation's header"
cp "$state" "$dir/kept"

# Bad input leaves the adaptation as it was.
grep -v '^clips/good' "$dir/list.txt" >"$dir/bad-list.txt"
enrol bad "$dir/bad-list.txt" && fail "enrolment on bad clips alone succeeded"
grep -q "Not enough usable clips" "$dir/bad.err" || fail "no reason given: $(cat "$dir/bad.err")"
printf 'clips/good0.wav hey climate\n' >"$dir/malformed.txt"
enrol malformed "$dir/malformed.txt" && fail "a list line without a tab was accepted"
grep -q "malformed.txt: line 1: expected WAV<TAB>TRANSCRIPT" "$dir/malformed.err" || fail "unclear: $(cat "$dir/malformed.err")"
enrol nolist "$dir/no-such-list.txt" && fail "a missing list was accepted"
cmp -s "$state" "$dir/kept" || fail "bad input changed the adaptation"
[ -z "$(ls -A "$dir/tmp")" ] || fail "scratch left behind: $(ls "$dir/tmp")"

# Stopped while the tools run (its scratch directory is there): it cleans up and changes nothing.
"$bin" --enrol-from "$dir/list.txt" >"$dir/stopped.out" 2>"$dir/stopped.err" &
pid=$!
for _ in $(seq 500); do
        [ -n "$(ls -A "$dir/tmp")" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.02
done
if [ -n "$(ls -A "$dir/tmp")" ]; then
        kill -TERM $pid
        wait $pid && fail "a stopped enrolment succeeded"
        grep -q "Interrupted: no adaptation made" "$dir/stopped.err" || fail "no word of the interruption: $(cat "$dir/stopped.err")"
        [ -z "$(ls -A "$dir/tmp")" ] || fail "scratch left behind after SIGTERM: $(ls "$dir/tmp")"
        cmp -s "$state" "$dir/kept" || fail "a stopped enrolment changed the adaptation"
else
        wait $pid
        fail "the enrolment's scratch directory was never seen"
fi

# A new process loads the adaptation: the adapted model takes a second look at each wake beside
# the stock one, the enrolled voice's wake fits it clearly better, and its command is heard with
# it.
clip heldout "hey climate make it cooler" || fail "espeak-ng failed"
adapted=$("$bin" --decode --verbose "$dir/clips/heldout.wav" 2>"$dir/adapted.err")
stock=$("$bin" --decode --verbose --no-adaptation "$dir/clips/heldout.wav" 2>"$dir/stock.err")
echo "adapted: $adapted"
echo "stock:   $stock"
grep -q "Using the speaker and room adaptation in $state" "$dir/adapted.err" || fail "the adaptation was not loaded: $(cat "$dir/adapted.err")"
grep -q "adaptation" "$dir/stock.err" && fail "--no-adaptation loaded it: $(cat "$dir/stock.err")"
grep '"event":"wake"' <<<"$adapted" | grep -q '"model":"adapted"' ||
        fail "the adapted model did not verify the enrolled voice's wake: $adapted"
grep -q '"model"' <<<"$stock" && fail "the stock model alone names a model: $stock"

# enrolled_only: the enrolled voice's command is acted on; another voice's in the same room, which
# is acted on without the setting, is refused because the adapted model fits it too little better.
echo '{ "enrolled_only": true }' >"$dir/enrolled-only.json"
out=$("$bin" --config "$dir/enrolled-only.json" --decode --verbose "$dir/clips/heldout.wav" 2>/dev/null)
echo "enrolled_only, the enrolled voice: $out"
grep -q '"event":"command"' <<<"$out" || fail "enrolled_only refused the enrolled voice: $out"
clip_voice=en-us clip other "hey climate make it warmer" || fail "espeak-ng failed"
out=$("$bin" --decode --verbose "$dir/clips/other.wav" 2>/dev/null)
echo "another voice: $out"
grep -q '"event":"command"' <<<"$out" || fail "another voice's command was not heard at all: $out"
out=$("$bin" --config "$dir/enrolled-only.json" --decode --verbose "$dir/clips/other.wav" 2>/dev/null)
echo "enrolled_only, another voice: $out"
grep -q '"event":"command"' <<<"$out" && fail "enrolled_only acted on another voice: $out"
grep -q '"reason":"not an enrolled voice' <<<"$out" || fail "enrolled_only gave no reason for refusing another voice: $out"
# The first wake a new process hears fits the models as later ones do: the adapted decoder, which
# hears only the windows of wakes, does not read its first window with a front end that has heard
# nothing. Another voice's wake fit alone, and after the enrolled voice's clip.
wake_fits() {
        "$bin" --config "$dir/enrolled-only.json" --decode --verbose "$@" 2>/dev/null |
                /usr/bin/python3 -c 'import json, sys; print(*["%.1f" % json.loads(l)["wake_fit"] for l in sys.stdin if "\"wake_fit\"" in l])'
}
alone=$(wake_fits "$dir/clips/other.wav")
after=$(wake_fits "$dir/clips/heldout.wav" "$dir/clips/other.wav")
echo "another voice's wake fit, alone: $alone; after the enrolled voice: ${after##* }"
awk -v a="$alone" -v b="${after##* }" 'BEGIN { d = a - b; exit !(a != "" && b != "" && d < 4 && d > -4) }' ||
        fail "another voice's first wake fits the adaptation unlike its later ones: $alone alone, ${after##* } after another clip"

# The margins the gate uses: the enrolment's, those of the configuration where it sets them, and
# the fixed ones for an adaptation written before the calibration existed.
"$bin" --config "$dir/enrolled-only.json" --decode "$dir/clips/heldout.wav" >/dev/null 2>"$dir/margins.err"
grep -q "enrolled_only): wake fit at least [0-9.]*, command fit at least [0-9.]* (from the enrolment's own clips)" "$dir/margins.err" ||
        fail "the enrolment's margins not used: $(cat "$dir/margins.err")"
echo '{ "enrolled_only": true, "enrolled_min_wake_fit": 7.5, "enrolled_min_command_fit": -2 }' >"$dir/margins.json"
"$bin" --config "$dir/margins.json" --decode "$dir/clips/heldout.wav" >/dev/null 2>"$dir/margins.err"
grep -q "wake fit at least 7.5, command fit at least -2.0 (set in the configuration)" "$dir/margins.err" ||
        fail "the configuration's margins not used: $(cat "$dir/margins.err")"
# version 1: the same parts, no fits lines
/usr/bin/python3 - "$dir/kept" "$state" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
head, parts = data.split(b"\n\n", 1)
lines = [l for l in head.split(b"\n") if not l.startswith((b"wake_fits", b"command_fits"))]
lines[0] = b"voicehvac-wakeword-adaptation 1"
open(sys.argv[2], "wb").write(b"\n".join(lines) + b"\n\n" + parts)
PY
out=$("$bin" --config "$dir/enrolled-only.json" --decode --verbose "$dir/clips/heldout.wav" 2>"$dir/margins.err")
grep -q "wake fit at least 5.0, command fit at least 3.0 (fixed: the adaptation has no calibration)" "$dir/margins.err" ||
        fail "an adaptation without a calibration does not use the fixed margins: $(cat "$dir/margins.err")"
grep '"event":"wake"' <<<"$out" | grep -q '"model":"adapted"' || fail "an adaptation of version 1 was not used: $out"
[ -f "$state" ] && ! ls "$dir/state"/wakeword-adaptation.corrupt-* >/dev/null 2>&1 || fail "an adaptation of version 1 was moved aside"
# a malformed calibration: the file is unusable, moved aside
/usr/bin/python3 - "$dir/kept" "$state" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(re.sub(rb"\nwake_fits [^\n]*\n", b"\nwake_fits 12.00 twelve\n", data, count=1))
PY
"$bin" --decode "$dir/clips/heldout.wav" >/dev/null 2>"$dir/margins.err"
grep -q "Adaptation file .* is unusable .*moved it to" "$dir/margins.err" || fail "a malformed calibration was not refused: $(cat "$dir/margins.err")"
[ ! -e "$state" ] && ls "$dir/state"/wakeword-adaptation.corrupt-* >/dev/null 2>&1 || fail "the file with a malformed calibration was not moved aside"
rm -f "$dir/state"/wakeword-adaptation.corrupt-*
cp "$dir/kept" "$state"

# The daemon loads it when it starts, and again when it is restarted.
private_bus_start "$dir" || { fail "the private dbus-daemon did not start"; exit 1; }
daemon_start() {        # daemon_start LOG: until it listens (15 s at most); 1 if it never did
        "$bin" >"$dir/$1" 2>&1 &
        daemon_pid=$!
        for _ in $(seq 150); do
                grep -q "Listening for" "$dir/$1" && return 0
                kill -0 $daemon_pid 2>/dev/null || break
                sleep 0.1
        done
        return 1
}
daemon_stop() { kill -TERM $daemon_pid; wait $daemon_pid; local rc=$?; daemon_pid=""; return $rc; }
for run in first restarted; do
        daemon_start "daemon-$run.log" || fail "the $run daemon did not start: $(cat "$dir/daemon-$run.log")"
        grep -q "Using the speaker and room adaptation in $state" "$dir/daemon-$run.log" ||
                fail "the $run daemon did not load the adaptation: $(cat "$dir/daemon-$run.log")"
        daemon_stop || fail "the $run daemon did not exit cleanly: $(cat "$dir/daemon-$run.log")"
done
cmp -s "$state" "$dir/kept" || fail "the daemon changed the adaptation"

# A corrupt adaptation is moved aside with a warning, and the stock model is used.
echo "1 3 13 0.5 this is not a transform" >"$state"
out=$("$bin" --decode --verbose "$dir/clips/heldout.wav" 2>"$dir/corrupt.err")
grep -q "Adaptation file .* is unusable .*moved it to" "$dir/corrupt.err" || fail "no warning for the corrupt adaptation: $(cat "$dir/corrupt.err")"
[ ! -e "$state" ] && ls "$dir/state"/wakeword-adaptation.corrupt-* >/dev/null 2>&1 || fail "the corrupt file was not moved aside"
[ "$out" = "$stock" ] || fail "with a corrupt adaptation the stock model is not what decodes: $out"

# A symbolic link in its place, even to a good adaptation, is not read through: it is moved aside.
rm -f "$dir/state"/wakeword-adaptation.corrupt-*
ln -s "$dir/kept" "$state"
kept_sum=$(md5sum <"$dir/kept")
out=$("$bin" --decode --verbose "$dir/clips/heldout.wav" 2>"$dir/link.err")
grep -q "Adaptation file .* is unusable (a symbolic link" "$dir/link.err" || fail "no warning for the symbolic link: $(cat "$dir/link.err")"
[ ! -L "$state" ] && [ -L "$(ls -d "$dir/state"/wakeword-adaptation.corrupt-* | head -n1)" ] || fail "the link was not moved aside"
[ "$(md5sum <"$dir/kept")" = "$kept_sum" ] || fail "the link's target was touched"
[ "$out" = "$stock" ] || fail "through a symbolic link the adaptation was used: $out"

[ $failures -eq 0 ] || exit 1
echo "all enrolment checks passed"
