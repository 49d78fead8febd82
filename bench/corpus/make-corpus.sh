#!/bin/bash
# make-corpus.sh OUTDIR — the wakeword benchmark corpus, synthesised with espeak-ng and sox:
#   pos/*.wav      "hey climate. <command>" (several voices, speeds, pitches; a noise floor, and
#                  pink/white/brown noise at 20/15/10 dB SNR); pos/*.txt holds "action value"
#   off/*.wav      "hey climate. <off-topic sentence>"
#   neg/*.wav      long recordings of speech without the phrase (ordinary and near-miss apart),
#                  each once more in pink noise at 10 dB SNR (*-noisy.wav)
#   phrase-end.txt where "hey climate" ends in each pos clip (seconds, after the 1 s of padding),
#                  for the latency figure
# Every clip has a noise floor: real microphones always have one. The noise is seeded (sox -R),
# so the corpus, and the figures, are the same on every machine.
set -eu
out=$1
mkdir -p "$out/pos" "$out/off" "$out/neg" "$out/tmp"
tmp="$out/tmp"

voices=(en-us en-gb en-us+f3 en-gb-scotland en-029 en-us+m3 en-gb-x-rp en-gb+f2 en-us+f4 en-gb+m4)
. "$(dirname "$0")/common.sh"

say() {         # say VOICE SPEED PITCH TEXT OUT
        espeak-ng -v "$1" -s "$2" -p "$3" -w "$tmp/raw.wav" "$4"
        sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$5" pad 1 1 2>/dev/null
}

conditions=(floor:0 pinknoise:20 whitenoise:15 brownnoise:10 pinknoise:10 floor:0)
: >"$out/phrase-end.txt"
i=0
for v in "${voices[@]}"; do
        for c in "${!commands[@]}"; do
                i=$((i + 1))
                [ $((i % 2)) -eq 0 ] || [ $c -lt 6 ] || continue       # ~80 clips
                speed=$((130 + (i * 7) % 50)); pitch=$((35 + (i * 11) % 30))
                IFS='|' read -r text intent <<<"${commands[$c]}"
                cond=${conditions[$((i % ${#conditions[@]}))]}
                say "$v" $speed $pitch "hey climate. $text" "$tmp/s.wav"
                noise "${cond%%:*}" "${cond##*:}" "$tmp/s.wav" "$out/pos/p$i.wav"
                echo "$intent" >"$out/pos/p$i.txt"
                # Where the phrase ends: 1 s of padding plus the phrase alone, without the
                # silence espeak-ng leaves after it.
                espeak-ng -v "$v" -s $speed -p $pitch -w "$tmp/h.wav" "hey climate"
                sox -q "$tmp/h.wav" "$tmp/ht.wav" reverse silence 1 0.005 0.5% reverse
                echo "p$i $(soxi -D "$tmp/ht.wav")" >>"$out/phrase-end.txt"
        done
done
for v in "${voices[@]}"; do
        for j in "${!offtopic[@]}"; do
                [ $(( (j + ${#v}) % 3)) -eq 0 ] || continue
                say "$v" 160 50 "hey climate. ${offtopic[$j]}" "$tmp/s.wav"
                noise floor 0 "$tmp/s.wav" "$out/off/o-$v-$j.wav"
        done
done
# Negatives: every voice reads every sentence, at two speeds, joined into one long file per set.
for set in ordinary nearmiss; do
        mapfile -t list < <(sentences $set)
        : >"$tmp/list.txt"
        n=0
        for v in "${voices[@]}"; do
                for speed in 140 175; do
                        for s in "${list[@]}"; do
                                n=$((n + 1))
                                say "$v" $speed $(( 30 + n % 40 )) "$s" "$tmp/$set-$n.wav"
                                echo "$tmp/$set-$n.wav" >>"$tmp/list.txt"
                        done
                done
        done
        join_negatives "$out/neg/$set.wav"
        rm -f "$tmp"/$set-*.wav
        # The same speech in a noisy room: noise that tips the verification towards the phrase
        # would show here first.
        noise pinknoise 10 "$out/neg/$set.wav" "$out/neg/$set-noisy.wav"
done
rm -rf "$tmp"
