#!/bin/bash
# make-holdout.sh OUTDIR CORPUS — conditions the recogniser was not tuned on, in the layout of
# make-corpus.sh (pos/ off/ neg/ for each):
#   flite/   the same sentences from another synthesizer (flite's diphone and statistical voices,
#            one of them 8 kHz), at other speeds and pitches, with a noise floor
#   rooms/   CORPUS (the espeak-ng corpus) played in rooms: sox's reverb, from a small dry room to
#            a large live one, different for each clip
# Seeded like make-corpus.sh, so the figures are the same on every machine.
set -eu
out=$1 corpus=$2
tmp="$out/tmp"
mkdir -p "$tmp"
. "$(dirname "$0")/common.sh"

# --- another synthesizer
voices=(slt rms awb kal16 kal)
say() {         # say VOICE STRETCH F0 TEXT OUT
        flite -voice "$1" --setf duration_stretch="$2" --setf int_f0_target_mean="$3" -t "$4" -o "$tmp/raw.wav"
        sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$5" pad 1 1
}
stretch() { awk -v i="$1" 'BEGIN { printf "%.2f", 0.85 + (i * 7 % 30) / 100 }'; }
pitch() { if [ "$1" = slt ]; then echo $((160 + $2 % 60)); else echo $((90 + $2 % 40)); fi; }

f="$out/flite"
mkdir -p "$f/pos" "$f/off" "$f/neg"
conditions=(floor:0 pinknoise:20 whitenoise:15 brownnoise:10 pinknoise:10 floor:0)
i=0
for v in "${voices[@]}"; do
        for c in "${!commands[@]}"; do
                for take in 1 2; do
                        i=$((i + 1))
                        IFS='|' read -r text intent <<<"${commands[$c]}"
                        cond=${conditions[$((i % ${#conditions[@]}))]}
                        say "$v" "$(stretch $i)" "$(pitch "$v" $((i * 13)))" "hey climate. $text" "$tmp/s.wav"
                        noise "${cond%%:*}" "${cond##*:}" "$tmp/s.wav" "$f/pos/p$i.wav"
                        echo "$intent" >"$f/pos/p$i.txt"
                done
        done
done
j=0
for v in "${voices[@]}"; do
        for t in "${offtopic[@]}"; do
                j=$((j + 1))
                [ $((j % 2)) -eq 0 ] || continue
                say "$v" 1.0 "$(pitch "$v" $j)" "hey climate. $t" "$tmp/s.wav"
                noise floor 0 "$tmp/s.wav" "$f/off/o$j.wav"
        done
done
for set in ordinary nearmiss; do
        mapfile -t list < <(sentences $set)
        : >"$tmp/list.txt"
        n=0
        for round in 1 2 3; do
                for v in "${voices[@]}"; do
                        for t in "${list[@]}"; do
                                n=$((n + 1))
                                say "$v" "$(stretch $n)" "$(pitch "$v" $((n * 17)))" "$t" "$tmp/$set-$n.wav"
                                echo "$tmp/$set-$n.wav" >>"$tmp/list.txt"
                        done
                done
        done
        join_negatives "$f/neg/$set.wav"
        rm -f "$tmp"/$set-*.wav
done

# --- rooms
r="$out/rooms"
mkdir -p "$r/pos" "$r/off" "$r/neg"
room() {        # room K IN OUT: reverberance and room scale 10-80 %, varied with K
        sox -q "$2" "$3" reverb $((10 + ($1 * 17) % 70)) 50 $((10 + ($1 * 23) % 70)) 100 0 0 channels 1
}
k=0
for sub in pos off neg; do
        for w in "$corpus/$sub"/*.wav; do
                k=$((k + 1))
                room $k "$w" "$r/$sub/$(basename "$w")"
        done
done
cp "$corpus"/pos/*.txt "$r/pos/"
rm -rf "$tmp"
