#!/bin/bash
# make-demo-audio.sh OUT.wav — the recording `make run` plays into the vhtest capture device when
# the machine has no sound card: a few spoken commands, each after the wake phrase, synthesised
# with espeak-ng and put on a faint pink-noise floor (espeak's digital silence between words is
# nothing a microphone ever delivers, and the recogniser's voice activity detection relies on a
# floor). 16 kHz mono S16, as audiod captures it.
set -eu
# Every sox run seeded (its noise and its dither): the same recording each time.
export SOX_OPTS=-R
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# voice|speed|command. The first entry is ordinary speech without the phrase: the recogniser
# adapts its feature normalisation to the voice and the room on what it hears first, and the
# stack is still starting meanwhile. The others are "hey climate", a short pause, the command:
# synthesised apart, since espeak runs them together into one breath otherwise, which the
# command recogniser hears less reliably.
lines=(
        "en-us|150|-|the weather is lovely today and I think we should go outside for a walk"
        "en-us+m3|150|hey climate|set the temperature to twenty four degrees"
        "en-us|150|hey climate|switch to cooling mode"
        "en-us+m3|150|hey climate|fan speed high"
)
parts=()
i=0
for line in "${lines[@]}"; do
        IFS='|' read -r voice speed phrase text <<<"$line"
        espeak-ng -v "$voice" -s "$speed" -w "$tmp/command$i.wav" "$text"
        # Quiet before, and room after the command for the recogniser to close it.
        sox -q "$tmp/command$i.wav" -r 16000 -c 1 -b 16 "$tmp/c$i.wav" pad 0 3
        if [ "$phrase" = - ]; then
                sox -q "$tmp/c$i.wav" "$tmp/part$i.wav" pad 1.5 0
        else
                espeak-ng -v "$voice" -s "$speed" -w "$tmp/phrase$i.wav" "$phrase"
                sox -q "$tmp/phrase$i.wav" -r 16000 -c 1 -b 16 "$tmp/p$i.wav" pad 1.5 0.5
                sox -q "$tmp/p$i.wav" "$tmp/c$i.wav" "$tmp/part$i.wav"
        fi
        parts+=("$tmp/part$i.wav")
        i=$((i + 1))
done
sox -q "${parts[@]}" "$tmp/speech.wav" pad 0 4
sox -R -q -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$(soxi -D "$tmp/speech.wav")" pinknoise vol 0.03
sox -q -m "$tmp/speech.wav" "$tmp/noise.wav" -r 16000 -c 1 -b 16 "$tmp/out.wav"
mv "$tmp/out.wav" "$out"
