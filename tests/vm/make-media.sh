#!/bin/bash
# make-media.sh DIR BUILD — the speech the guest plays into the loopback sound card, synthesised
# with espeak-ng and resampled to what audiod captures (16 kHz, mono, S16). The host's own
# recogniser (BUILD/wakeword/wakeword --decode) listens to each file first and warns when it
# hears no command, so a guest failure can be told from a recording the recogniser misses.
set -euo pipefail
export SOX_OPTS=-R      # every sox run seeded, dither too: the same files each time
dir=$1; build=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
say() { # say NAME TEXT
        espeak-ng -v en-us+f3 -s 150 -w "$tmp/$1.raw.wav" "$2"
        sox -q "$tmp/$1.raw.wav" -r 16000 -c 1 -b 16 "$dir/$1.wav" pad 0.5 1.5
}
say set23 "hey climate. set the temperature to twenty three degrees"
say heat "hey climate. switch to heating mode"
say cool "hey climate. switch to cooling mode"
for f in set23 heat cool; do
        "$build/wakeword/wakeword" --decode "$dir/$f.wav" >"$dir/$f.decode" 2>&1 || true
        grep -q '"event":"command"' "$dir/$f.decode" ||
                echo "warning: the host's own recogniser hears no command in $f.wav: $(head -c 300 "$dir/$f.decode")"
done
