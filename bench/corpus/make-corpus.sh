#!/bin/bash
# make-corpus.sh OUTDIR — the wakeword benchmark corpus, synthesised with espeak-ng and sox:
#   pos/*.wav      "hey climate. <command>" (several voices, speeds, pitches; a noise floor, and
#                  pink/white/brown noise at 20/15/10 dB SNR); pos/*.txt holds "action value"
#   off/*.wav      "hey climate. <off-topic sentence>"
#   neg/*.wav      long recordings of speech without the phrase (ordinary and near-miss apart)
#   phrase-end.txt where "hey climate" ends in each pos clip (seconds, after the 1 s of padding),
#                  for the latency figure
# Every clip has a noise floor: real microphones always have one. The noise is seeded (sox -R),
# so the corpus, and the figures, are the same on every machine.
set -eu
out=$1
mkdir -p "$out/pos" "$out/off" "$out/neg" "$out/tmp"
tmp="$out/tmp"

voices=(en-us en-gb en-us+f3 en-gb-scotland en-029 en-us+m3 en-gb-x-rp en-gb+f2 en-us+f4 en-gb+m4)
commands=(
        "set the temperature to twenty four degrees|set_temperature 24"
        "set temperature to eighteen|set_temperature 18"
        "make it warmer|adjust_temperature 1"
        "make it cooler|adjust_temperature -1"
        "switch to cooling mode|set_mode cool"
        "heating mode|set_mode heat"
        "switch to dry mode|set_mode dry"
        "turn on the air conditioner|set_power true"
        "turn off the air conditioner|set_power false"
        "fan speed high|set_fan high"
        "set the fan to low|set_fan low"
)
offtopic=(
        "what a lovely day it is outside"
        "I was wondering about dinner tonight"
        "please call my mother on the phone"
        "the cat sat on the mat all afternoon"
        "how tall is the eiffel tower"
        "play some music in the kitchen"
        "remind me to buy milk tomorrow"
        "what time does the train leave"
        "tell me a joke about penguins"
        "open the garage door please"
)
ordinary=(
        "the weather is lovely today and I think we should go outside for a walk"
        "my brother bought a new car last week and drove it to the mountains"
        "could you pass me the salt and the pepper please"
        "the meeting has been moved to thursday afternoon at three"
        "she reads the newspaper every morning with a cup of coffee"
        "we are planning a trip to the seaside in august"
        "the children played football in the park until it got dark"
        "I need to finish this report before the end of the day"
        "the restaurant on the corner serves excellent pasta"
        "turn left at the traffic lights and then go straight on"
        "the library is closed on sundays and public holidays"
        "he forgot his umbrella and got soaked in the rain"
        "there is a concert in the town hall on saturday evening"
        "the garden needs watering because it has not rained for weeks"
        "our neighbours have a small dog that barks at the postman"
        "the price of vegetables has gone up again this month"
        "I think the film starts at half past seven"
        "the temperature outside dropped below freezing last night"
        "she turned on the television to watch the news"
        "the air in the mountains is fresh and clean"
)
nearmiss=(
        "the climate is changing faster than expected"
        "hey Clementine how are you doing today"
        "okay climate scientists met in paris"
        "hey Clyde can you help me with this"
        "the climate change conference starts on monday"
        "hey climber be careful on the rocks"
        "they say the climate here is mild in winter"
        "hey Kate I like the new haircut"
        "a stable climate matters for farming"
        "hey time to go home now"
)

# noise KIND LEVEL_DB IN OUT: adds noise at LEVEL below the speech RMS (or a floor at -45 dBFS).
noise() {
        local kind=$1 snr=$2 in=$3 outf=$4 len rms gain
        len=$(soxi -D "$in")
        if [ "$kind" = floor ]; then
                sox -R -q -n -r 16000 -c 1 -b 16 "$tmp/n.wav" synth "$len" pinknoise vol 0.03
        else
                rms=$(sox "$in" -n stats 2>&1 | awk '/RMS lev dB/ {print $4}')
                sox -R -q -n -r 16000 -c 1 -b 16 "$tmp/n0.wav" synth "$len" "$kind"
                gain=$(sox "$tmp/n0.wav" -n stats 2>&1 | awk -v r="$rms" -v s="$snr" '/RMS lev dB/ {print r - s - $4}')
                sox -q "$tmp/n0.wav" "$tmp/n.wav" gain "$gain"
        fi
        sox -q -m "$in" "$tmp/n.wav" "$outf"
}

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
        if [ $set = ordinary ]; then list=("${ordinary[@]}"); else list=("${nearmiss[@]}"); fi
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
        sox -q $(cat "$tmp/list.txt") "$tmp/joined.wav"
        noise floor 0 "$tmp/joined.wav" "$out/neg/$set.wav"
        rm -f "$tmp"/$set-*.wav
done
rm -rf "$tmp"
