#!/bin/bash
# make-demo-audio.sh OUT.wav — the recording `make run` plays into the vhtest capture device when
# the machine has no sound card: a few spoken commands, each after the wake phrase, synthesised
# with espeak-ng and put on a faint pink-noise floor (espeak's digital silence between words is
# nothing a microphone ever delivers, and the recogniser's voice activity detection relies on a
# floor). 16 kHz mono S16, as audiod captures it.
set -eu
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# voice|speed|text — one voice and speed the recogniser hears well for each command. The first
# line is ordinary speech without the phrase: the recogniser adapts its feature normalisation to
# the voice and the room on what it hears first, and the stack is still starting up meanwhile.
lines=(
        "en-us|150|the weather is lovely today and I think we should go outside for a walk"
        "en-us+f3|150|hey climate. set the temperature to twenty four degrees"
        "en-us|150|hey climate. switch to cooling mode"
        "en-us+f3|150|hey climate. fan speed high"
)
parts=()
i=0
for line in "${lines[@]}"; do
        IFS='|' read -r voice speed text <<<"$line"
        espeak-ng -v "$voice" -s "$speed" -w "$tmp/raw$i.wav" "$text"
        # Quiet before, and room after the command for the recogniser to close it.
        sox -q "$tmp/raw$i.wav" -r 16000 -c 1 -b 16 "$tmp/part$i.wav" pad 1.5 3
        parts+=("$tmp/part$i.wav")
        i=$((i + 1))
done
sox -q "${parts[@]}" "$tmp/speech.wav" pad 0 4
sox -q -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$(soxi -D "$tmp/speech.wav")" pinknoise vol 0.03
sox -q -m "$tmp/speech.wav" "$tmp/noise.wav" -r 16000 -c 1 -b 16 "$tmp/out.wav"
mv "$tmp/out.wav" "$out"
