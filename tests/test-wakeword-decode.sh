#!/bin/bash
# wakeword --decode on synthetic speech: the phrase and a command give a wake and the right
# intent, speech without the phrase gives nothing, the phrase and off-topic speech give no command,
# and bad files are refused with a message and a non-zero exit. Clips are made with espeak-ng and
# get a noise floor from sox, as any microphone has.
set -u
build=${VH_BUILD:-build}
bin="$build/wakeword/wakeword"
for t in espeak-ng sox; do
        command -v $t >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || { echo "SKIP: pocketsphinx-en-us model missing"; exit 77; }

# Every sox run seeded, its dither too: a run is repeatable, and a failure can be looked at again.
export SOX_OPTS=-R
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The stock model: no adaptation a state directory on this machine may hold.
export STATE_DIRECTORY="$dir"
. "${VH_SRCDIR:-.}/tests/lib/check.sh"

# clip NAME VOICE TEXT: 16 kHz mono, pink noise floor about 20 dB below the speech.
clip() {
        espeak-ng -v "$2" -s 150 -w "$dir/raw.wav" "$3" || return 1
        sox -q "$dir/raw.wav" -r 16000 -c 1 -b 16 "$dir/pad.wav" pad 0.6 1.2
        sox -R -q -n -r 16000 -c 1 -b 16 "$dir/noise.wav" synth "$(soxi -D "$dir/pad.wav")" pinknoise vol 0.03
        sox -q -m "$dir/pad.wav" "$dir/noise.wav" "$dir/$1.wav"
}

# decode NAME: JSON lines on stdout
decode() { "$bin" --decode "$dir/$1.wav"; }

commands=(
        "en-us|set the temperature to twenty four degrees|set_temperature|24"
        "en-us+f3|make it warmer|adjust_temperature|1"
        "en-gb|turn on the air conditioner|set_power|true"
        "en-gb-scotland|switch to cooling mode|set_mode|\"cool\""
        "en-us+m3|fan speed high|set_fan|\"high\""
)
woke=0; right=0
for i in "${!commands[@]}"; do
        IFS='|' read -r voice text action value <<<"${commands[$i]}"
        clip "cmd$i" "$voice" "hey climate. $text" || { fail "espeak-ng failed"; continue; }
        out=$(decode "cmd$i")
        echo "$text → $out"
        grep -q '"event":"wake","phrase":"hey climate"' <<<"$out" && woke=$((woke + 1))
        grep -q "\"intent\":{\"action\":\"$action\",\"value\":$value}" <<<"$out" && right=$((right + 1))
        n=$(grep -c '"event":"command"' <<<"$out")
        [ "$n" -le 1 ] || fail "$n commands from one clip: $out"
        [ "$n" -eq 0 ] || grep -q "\"intent\":{\"action\":\"$action\",\"value\":$value}" <<<"$out" ||
                fail "wrong intent for '$text': $out"
        # Order and times: the wake comes first and before the command.
        if grep -q '"event":"command"' <<<"$out"; then
                first=$(head -n1 <<<"$out")
                grep -q '"event":"wake"' <<<"$first" || fail "command without a wake first: $out"
        fi
done
# A synthetic voice is a proxy: most, not all, clips must be right; a wrong intent never.
[ $woke -ge 4 ] || fail "woke on $woke of ${#commands[@]} clips with the phrase"
[ $right -ge 4 ] || fail "right intent on $right of ${#commands[@]} clips"

# The phrase said slowly, in pink noise 10 dB below the speech: the spotting reports it before its
# end, and the second look at that window refuses it. The search that starts over must hear the
# rest of the phrase.
slow=("switch to cooling mode|set_mode|\"cool\"" "heating mode|set_mode|\"heat\""
      "turn on the air conditioner|set_power|true" "fan speed high|set_fan|\"high\"")
woke=0; right=0
for i in "${!slow[@]}"; do
        IFS='|' read -r text action value <<<"${slow[$i]}"
        espeak-ng -v en-us+f3 -s 130 -p 35 -w "$dir/raw.wav" "hey climate. $text" || { fail "espeak-ng failed"; continue; }
        sox -q "$dir/raw.wav" -r 16000 -c 1 -b 16 "$dir/pad.wav" gain -6 pad 1 1
        rms=$(sox "$dir/pad.wav" -n stats 2>&1 | awk '/RMS lev dB/ { print $4 }')
        sox -R -q -n -r 16000 -c 1 -b 16 "$dir/pink.wav" synth "$(soxi -D "$dir/pad.wav")" pinknoise
        gain=$(sox "$dir/pink.wav" -n stats 2>&1 | awk -v r="$rms" '/RMS lev dB/ { print r - 10 - $4 }')
        sox -q "$dir/pink.wav" "$dir/noise.wav" gain "$gain"
        sox -q -m "$dir/pad.wav" "$dir/noise.wav" "$dir/slow$i.wav"
        out=$(decode "slow$i")
        echo "slowly, in noise: $text → $out"
        grep -q '"event":"wake","phrase":"hey climate"' <<<"$out" && woke=$((woke + 1))
        grep -q "\"intent\":{\"action\":\"$action\",\"value\":$value}" <<<"$out" && right=$((right + 1))
done
[ $woke -ge 3 ] || fail "woke on $woke of ${#slow[@]} slowly said phrases in noise"
[ $right -ge 3 ] || fail "right intent on $right of ${#slow[@]} slowly said commands in noise"

# --verbose gives each command's figures; the least word posterior is a probability and passed
# the default gate.
with=$("$bin" --decode --verbose "$dir/cmd0.wav")
p=$(sed -n 's/.*"event":"command".*"word_posterior":\([0-9.e+-]*\).*/\1/p' <<<"$with")
awk -v p="$p" 'BEGIN { exit !(p != "" && p >= 0.6 && p <= 1.001) }' || fail "command's word_posterior '$p' not in [0.6, 1]"
# … and how its worst-fitting word fits its own speech, which passed the default gate too.
w=$(sed -n 's/.*"event":"command".*"word_confidence":\([0-9.e+-]*\).*/\1/p' <<<"$with")
awk -v w="$w" 'BEGIN { exit !(w != "" && w >= -4000) }' || fail "command's word_confidence '$w' below the default -4000"
# … which is the least of its words' acoustic scores (VOICEHVAC_LOG_LEVEL=debug prints each).
least=$(VOICEHVAC_LOG_LEVEL=debug "$bin" --decode "$dir/cmd0.wav" 2>&1 >/dev/null |
        sed -n 's/.*Command word [0-9]*: frames [0-9]*-[0-9]*, acoustic score \(-\?[0-9]*\)\./\1/p' | sort -n | head -n1)
awk -v a="$least" -v w="$w" 'BEGIN { exit !(a != "" && a == w) }' ||
        fail "word_confidence '$w' is not the least of the words' scores '$least'"

# The second looks at audio the stream already gave (the wake's verification, the command gates'
# phone loop) leave the running cepstral mean as the stream alone makes it: with the verification
# switched off, the mean at the end of a clip that woke is the same (to the front end's noise
# estimate, which every pass updates; counting the window twice moves the mean by tenths).
echo '{"verify_logprob": 0}' >"$dir/noverify.json"
without=$("$bin" --config "$dir/noverify.json" --decode --verbose "$dir/cmd0.wav")
mean() { sed -n 's/.*"event":"end","cepstral_mean":\[\([^]]*\)\].*/\1/p' <<<"$1" | tr , ' '; }
if grep -q '"event":"wake"' <<<"$with"; then
        a=$(mean "$with"); b=$(mean "$without")
        awk -v a="$a" -v b="$b" 'BEGIN { n = split(a, x, " "); if (n != 13 || split(b, y, " ") != 13) exit 1
                for (i = 1; i <= n; i++) if (x[i] - y[i] > 0.01 || y[i] - x[i] > 0.01) exit 1 }' ||
                fail "the verification moved the cepstral mean: '$a' vs '$b'"
else
        fail "cmd0 did not wake: $with"
fi

# The stream's cepstral mean follows the last seconds of speech; the verification reads its window
# with its own too. So after a long stretch of quiet speech far from the microphone (26 dB down),
# the phrase said close to it still wakes.
espeak-ng -v en-gb -s 160 -w "$dir/far.wav" "The weather report said it would rain all afternoon, so we \
stayed inside and read books by the window while the kettle boiled. Later we walked down to the \
harbour to watch the boats come in." || fail "espeak-ng failed"
sox -q "$dir/far.wav" -r 16000 -c 1 -b 16 "$dir/far16.wav" vol 0.05
sox -R -q -n -r 16000 -c 1 -b 16 "$dir/farnoise.wav" synth "$(soxi -D "$dir/far16.wav")" pinknoise vol 0.003
sox -q -m "$dir/far16.wav" "$dir/farnoise.wav" "$dir/quiet.wav"
woke=0
for i in "${!commands[@]}"; do
        [ -f "$dir/cmd$i.wav" ] || continue
        out=$("$bin" --decode "$dir/quiet.wav" "$dir/cmd$i.wav")
        grep -q "cmd$i.wav\",\"event\":\"wake\"" <<<"$out" && woke=$((woke + 1))
        grep -q "quiet.wav\",\"event\":\"wake\"" <<<"$out" && fail "quiet speech without the phrase woke: $out"
done
echo "after quiet speech: woke on $woke of ${#commands[@]} clips"
[ $woke -ge 3 ] || fail "after quiet speech, woke on $woke of ${#commands[@]} clips with the phrase"

clip nophrase en-us "the weather is lovely today and I think we should go outside for a walk"
out=$(decode nophrase)
[ -z "$out" ] || fail "speech without the phrase produced: $out"

for v in en-us en-gb; do
        clip "offtopic-$v" "$v" "hey climate. what a lovely day it is outside, shall we go for a walk later"
        out=$(decode "offtopic-$v")
        echo "off-topic ($v) → $out"
        grep -q '"event":"command"' <<<"$out" && fail "off-topic speech gave a command: $out"
done

# enrolled_only before anyone enrolled: every command is refused, for that reason, and the start
# says so. The clip gave a command above.
if grep -q '"event":"command"' <<<"$with"; then
        echo '{ "enrolled_only": true }' >"$dir/enrolled-only.json"
        out=$("$bin" --config "$dir/enrolled-only.json" --decode --verbose "$dir/cmd0.wav" 2>"$dir/enrolled-only.err")
        echo "enrolled_only, no one enrolled → $out"
        grep -q '"event":"command"' <<<"$out" && fail "enrolled_only acted on a command without an adaptation: $out"
        grep -q '"event":"rejected".*"reason":"no one has enrolled"' <<<"$out" ||
                fail "enrolled_only gave no reason for refusing: $out"
        grep -q "enrolled_only is set but no one has enrolled" "$dir/enrolled-only.err" ||
                fail "no word at start that enrolled_only refuses everything: $(cat "$dir/enrolled-only.err")"
fi

# Bad files: clear message, non-zero exit.
expect_refused() {
        local name=$1 pattern=$2 err
        err=$("$bin" --decode "$dir/$name" 2>&1 >/dev/null) && { fail "$name accepted"; return; }
        grep -qi -- "$pattern" <<<"$err" || fail "$name: unclear error '$err'"
}
sox -q "$dir/cmd0.wav" -r 44100 "$dir/rate.wav"
expect_refused rate.wav "16000 Hz"
sox -q "$dir/cmd0.wav" -c 2 "$dir/stereo.wav"
expect_refused stereo.wav "mono"
echo "not audio" >"$dir/text.wav"
expect_refused text.wav "not a RIFF/WAVE"
head -c 20000 "$dir/cmd0.wav" >"$dir/truncated.wav"
expect_refused truncated.wav "truncated"
expect_refused missing.wav "cannot open"
"$bin" --decode 2>/dev/null && fail "--decode without files succeeded"

# Invalid configuration names file and key.
# config_refused FILE KEY JSON WHAT: start-up with JSON in FILE fails, naming FILE and KEY.
config_refused() {
        local file=$1 key=$2 json=$3 what=$4 err
        echo "$json" >"$dir/$file"
        err=$("$bin" --config "$dir/$file" --decode "$dir/cmd0.wav" 2>&1 >/dev/null) && { fail "$what accepted"; return; }
        grep -q "$file" <<<"$err" && grep -q "$key" <<<"$err" || fail "config error does not name file and key: $err"
}
config_refused bad.json threshold '{"threshold": "high"}' "threshold \"high\""
config_refused range.json max_coverage '{"max_coverage": 0.5}' "max_coverage below 1"
config_refused range.json min_word_posterior '{"min_word_posterior": 1.5}' "min_word_posterior above 1"
config_refused bad.json min_word_confidence '{"min_word_confidence": "low"}' "min_word_confidence \"low\""
config_refused range.json verify_filler_count '{"verify_filler_count": 0}' "verify_filler_count 0"
config_refused bad.json enrolled_only '{"enrolled_only": "yes"}' "enrolled_only \"yes\""
config_refused range.json enrolled_min_command_fit '{"enrolled_min_command_fit": 5000}' "enrolled_min_command_fit 5000"

[ $failures -eq 0 ] || exit 1
echo "all decode checks passed"
