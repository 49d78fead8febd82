#!/bin/bash
# make-enrol-set.sh OUTDIR VOICE OTHER ROOM NOISE — one speaker-and-room condition for
# bench-enrol.sh: VOICE (an espeak-ng voice, or flite:NAME for one of flite's) in ROOM (sox effects, e.g. "reverb 50 50 60 100 0 0", or
# "gain 0" for none) with NOISE ("floor:0", or a kind and SNR as in common.sh: "pinknoise:10"),
# saying the phrase and every command at four speeds and pitches:
#   enrol/*.wav, enrol.txt  20 clips and their transcripts (WAV<TAB>TRANSCRIPT): the phrase alone
#                           at each speed, every command once, five of them once more
#   test/*.wav, *.txt       the other 24+ phrase+command clips, with "action value"
#   off/*.wav               the phrase and off-topic sentences
#   neg/ordinary.wav, neg/nearmiss.wav  that voice's speech without the phrase, joined
#   neg/broadcast.wav       what a television in a reverberant room says (common.sh), read by
#                           VOICE and by a flite voice: ROOM, or a reverberant room when ROOM has
#                           no reverb
#   other/*.wav, *.txt      OTHER in the same room and noise: every command once
# Seeded (sox -R), so a set is the same bit for bit.
set -eu
out=$1 voice=$2 other=$3 room=$4 cond=$5
mkdir -p "$out"/{enrol,test,off,other,neg,tmp}
tmp="$out/tmp"
. "$(dirname "$0")/common.sh"

speak() {       # speak VOICE SPEED PITCH TEXT: $tmp/raw.wav; flite's speed as a stretch, pitch as F0
        local base=90
        case $1 in
        flite:*)
                [ "$1" = flite:slt ] && base=150
                flite -voice "${1#flite:}" --setf duration_stretch="$(awk -v s="$2" 'BEGIN { printf "%.2f", 150 / s }')" \
                        --setf int_f0_target_mean=$((base + $3)) -t "$4" -o "$tmp/raw.wav" ;;
        *)      espeak-ng -v "$1" -s "$2" -p "$3" -w "$tmp/raw.wav" "$4" ;;
        esac
}
say() {         # say VOICE SPEED PITCH TEXT OUT
        speak "$@"
        sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$tmp/dry.wav" gain -6 pad 1 1 $room channels 1 2>/dev/null
        noise "${cond%%:*}" "${cond##*:}" "$tmp/dry.wav" "$5"
}

: >"$out/enrol.txt"
for r in 0 1 2 3; do
        speed=$((130 + 15 * r)); pitch=$((35 + 10 * r))
        say $voice $speed $pitch "hey climate" "$out/enrol/phrase$r.wav"
        printf 'enrol/phrase%s.wav\they climate\n' $r >>"$out/enrol.txt"
        for c in "${!commands[@]}"; do
                IFS='|' read -r text intent <<<"${commands[$c]}"
                if [ $r -eq 0 ] || { [ $r -eq 1 ] && [ $c -lt 5 ]; }; then
                        say $voice $speed $pitch "hey climate. $text" "$out/enrol/c$r-$c.wav"
                        printf 'enrol/c%s-%s.wav\they climate %s\n' $r $c "$text" >>"$out/enrol.txt"
                else
                        say $voice $speed $pitch "hey climate. $text" "$out/test/c$r-$c.wav"
                        echo "$intent" >"$out/test/c$r-$c.txt"
                fi
        done
done
for j in "${!offtopic[@]}"; do
        say $voice 150 45 "hey climate. ${offtopic[$j]}" "$out/off/o$j.wav"
done
for c in "${!commands[@]}"; do
        IFS='|' read -r text intent <<<"${commands[$c]}"
        say $other 150 50 "hey climate. $text" "$out/other/c$c.wav"
        echo "$intent" >"$out/other/c$c.txt"
done
tv=flite:rms
[ "$voice" = $tv ] && tv=flite:awb
tvroom=$room
[[ $room == *reverb* ]] || tvroom="reverb 50 50 60 100 0 0"
for set in ordinary nearmiss broadcast; do
        mapfile -t list < <(sentences $set)
        : >"$tmp/list.txt"
        for n in "${!list[@]}"; do
                speak $voice $((140 + (n % 3) * 15)) 45 "${list[$n]}"
                r=$room
                [ $set = broadcast ] && r=$tvroom
                sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$tmp/$set-$n.wav" gain -6 pad 0.5 0.5 $r channels 1 2>/dev/null
                echo "$tmp/$set-$n.wav" >>"$tmp/list.txt"
                [ $set = broadcast ] || continue
                speak $tv $((150 + (n % 2) * 20)) $((20 + (n % 3) * 10)) "${list[$n]}"
                sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$tmp/$set-tv$n.wav" gain -6 pad 0.5 0.5 $r channels 1 2>/dev/null
                echo "$tmp/$set-tv$n.wav" >>"$tmp/list.txt"
        done
        sox -q $(cat "$tmp/list.txt") "$tmp/joined.wav"
        noise "${cond%%:*}" "${cond##*:}" "$tmp/joined.wav" "$out/neg/$set.wav"
done
rm -rf "$tmp"
