#!/bin/bash
# bench-enrol.sh — enrolment (wakeword --enrol-from) on one speaker-and-room condition: one
# espeak-ng voice in a reverberant room with a noise floor, saying the phrase and the commands at
# several speeds and pitches. 20 of its clips are enrolled; the figures are on its other clips,
# its off-topic clips and its speech without the phrase, with the stock model and with the
# adaptation, and for another voice in the same room that did not enrol. Then what enrolment
# costs, and the daemon's RSS with the adaptation loaded. The set is generated (seeded) and cached
# under $VH_BUILD/corpus keyed on this script. Prints figures; judges nothing.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
bin="$build/wakeword/wakeword"
voice=en-gb-scotland other=en-us+m3
room="reverb 50 50 60 100 0 0"
key=$(cat "$0" "$src/bench/corpus/common.sh" | sha256sum | cut -c1-12)
set_dir="$build/corpus/enrol-$key"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tmp="$out"
. "$src/bench/corpus/common.sh"

say() {         # say VOICE SPEED PITCH TEXT OUT: the voice in the room, with a noise floor
        espeak-ng -v "$1" -s "$2" -p "$3" -w "$tmp/raw.wav" "$4"
        sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$tmp/dry.wav" gain -6 pad 1 1 $room channels 1
        noise floor 0 "$tmp/dry.wav" "$5"
}

if [ ! -f "$set_dir/done" ]; then
        echo "building the enrolment set in $set_dir (espeak-ng + sox)…"
        rm -rf "$set_dir"
        mkdir -p "$set_dir"/{enrol,test,off,other,neg}
        : >"$set_dir/enrol.txt"
        for r in 0 1 2 3; do
                speed=$((130 + 15 * r)); pitch=$((35 + 10 * r))
                say $voice $speed $pitch "hey climate" "$set_dir/enrol/phrase$r.wav"
                printf 'enrol/phrase%s.wav\they climate\n' $r >>"$set_dir/enrol.txt"
                for c in "${!commands[@]}"; do
                        IFS='|' read -r text intent <<<"${commands[$c]}"
                        # enrolled: every command once, and five of them once more (20 clips
                        # with the four phrases alone); the rest is held out
                        if [ $r -eq 0 ] || { [ $r -eq 1 ] && [ $c -lt 5 ]; }; then
                                say $voice $speed $pitch "hey climate. $text" "$set_dir/enrol/c$r-$c.wav"
                                printf 'enrol/c%s-%s.wav\they climate %s\n' $r $c "$text" >>"$set_dir/enrol.txt"
                        else
                                say $voice $speed $pitch "hey climate. $text" "$set_dir/test/c$r-$c.wav"
                                echo "$intent" >"$set_dir/test/c$r-$c.txt"
                        fi
                done
        done
        for j in "${!offtopic[@]}"; do
                say $voice 150 45 "hey climate. ${offtopic[$j]}" "$set_dir/off/o$j.wav"
        done
        for c in "${!commands[@]}"; do
                IFS='|' read -r text intent <<<"${commands[$c]}"
                say $other 150 50 "hey climate. $text" "$set_dir/other/c$c.wav"
                echo "$intent" >"$set_dir/other/c$c.txt"
        done
        for set in ordinary nearmiss; do
                mapfile -t list < <(sentences $set)
                : >"$tmp/list.txt"
                for n in "${!list[@]}"; do
                        espeak-ng -v $voice -s $((140 + (n % 3) * 15)) -p 45 -w "$tmp/raw.wav" "${list[$n]}"
                        sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$tmp/$set-$n.wav" gain -6 pad 0.5 0.5 $room channels 1
                        echo "$tmp/$set-$n.wav" >>"$tmp/list.txt"
                done
                join_negatives "$set_dir/neg/$set.wav"
        done
        touch "$set_dir/done"
fi

export STATE_DIRECTORY="$out/state"
mkdir -p "$STATE_DIRECTORY" "$out/no-state"
# decode NAME FLAGS FILES…: one process per set, as the main benchmark does
decode() {
        local name=$1 flags=$2; shift 2
        "$bin" --decode --verbose $flags "$@" >"$out/$name.jsonl" 2>/dev/null
}
measure() {     # measure before|after FLAGS
        decode "$1-test" "$2" "$set_dir"/test/*.wav
        decode "$1-off" "$2" "$set_dir"/off/*.wav
        decode "$1-other" "$2" "$set_dir"/other/*.wav
        decode "$1-ordinary" "$2" "$set_dir/neg/ordinary.wav"
        decode "$1-nearmiss" "$2" "$set_dir/neg/nearmiss.wav"
}
measure before --no-adaptation
(cd "$set_dir" && /usr/bin/time -f "%U %S %M" -o "$out/enrol.time" "$OLDPWD/$bin" --enrol-from enrol.txt) \
        >"$out/enrol.out" 2>"$out/enrol.err"
enrolled=$?
[ $enrolled -eq 0 ] && measure after ""

# The daemon as it runs, with the stock model and with the adaptation loaded: three held-out
# clips (speed 175, pitch 65) through audiod in real time; marks.txt: where each phrase ends.
live="$build/bench/bench-wakeword-live"
if [ $enrolled -eq 0 ] && [ -x "$live" ]; then
        lead=5 floor=10
        sox -D -q -n -r 16000 -c 1 -b 16 "$out/lead.wav" trim 0 $lead
        sox -R -q -n -r 16000 -c 1 -b 16 "$out/floor.wav" synth $floor pinknoise vol 0.03
        espeak-ng -v $voice -s 175 -p 65 -w "$tmp/h.wav" "hey climate"
        sox -q "$tmp/h.wav" "$tmp/ht.wav" reverse silence 1 0.005 0.5% reverse
        : >"$out/marks.txt"; list=("$out/lead.wav"); at=$lead
        for c in 0 1 2; do
                f="$set_dir/test/c3-$c.wav"
                awk -v at="$at" -v p="$(soxi -D "$tmp/ht.wav")" 'BEGIN { printf "%.3f\n", at + 1.0 + p }' >>"$out/marks.txt"
                at=$(awk -v a="$at" -v d="$(soxi -D "$f")" 'BEGIN { printf "%.3f", a + d }')
                list+=("$f")
        done
        sox -D -q "${list[@]}" "$out/floor.wav" "$out/live.wav"
        for model in stock adapted; do
                state="$STATE_DIRECTORY"
                [ $model = stock ] && state="$out/no-state"
                STATE_DIRECTORY="$state" "$live" "$out/live.wav" "$out/marks.txt" $lead "$(soxi -D "$out/live.wav")" $floor \
                        >"$out/live-$model.txt" 2>"$out/live-$model.err" ||
                        echo "live run failed: $(tail -n 3 "$out/live-$model.err")" >"$out/live-$model.txt"
        done
fi

/usr/bin/python3 - "$set_dir" "$out" $enrolled "$voice" "$other" <<'PY'
import json, os, subprocess, sys
set_dir, out, enrolled, voice, other = sys.argv[1], sys.argv[2], sys.argv[3] == "0", sys.argv[4], sys.argv[5]
def events(name):
    return [json.loads(l) for l in open(f"{out}/{name}.jsonl") if l.strip()]
def duration(path):
    return float(subprocess.run(["soxi", "-D", path], capture_output=True, text=True).stdout)
def clips(sub):
    return sorted(f[:-4] for f in os.listdir(f"{set_dir}/{sub}") if f.endswith(".wav"))
def commands(when, sub):
    ev = events(f"{when}-{sub}")
    woke = right = wrong = 0
    for p in clips(sub):
        e = [x for x in ev if os.path.basename(x.get("file", "")) == p + ".wav"]
        woke += any(x["event"] == "wake" for x in e)
        action, value = open(f"{set_dir}/{sub}/{p}.txt").read().split()
        for c in (x for x in e if x["event"] == "command"):
            got = c["intent"]["value"]
            ok = c["intent"]["action"] == action and (got if isinstance(got, str) else json.dumps(got)) == value
            right += ok; wrong += not ok
    return woke, right, wrong, len(clips(sub))
def line(label, when, sub):
    woke, right, wrong, n = commands(when, sub)
    return (f"{label} {when:6s} wake recall {100 * woke / n:5.1f} % ({woke}/{n}), intents {100 * right / max(woke, 1):5.1f} % "
            f"of woken ({right}/{woke}; wrong {wrong})")
def negatives(when):
    ev = events(f"{when}-off")
    ow = {os.path.basename(x["file"]) for x in ev if x["event"] == "wake"}
    oc = {os.path.basename(x["file"]) for x in ev if x["event"] == "command"}
    print(f"  off-topic {when:6s} rejection {100 * (1 - len(oc) / max(len(ow), 1)):5.1f} % of woken ({len(ow) - len(oc)}/{len(ow)})")
    for name in ("ordinary", "nearmiss"):
        h = duration(f"{set_dir}/neg/{name}.wav") / 3600
        e = events(f"{when}-{name}")
        w = sum(x["event"] == "wake" for x in e); a = sum(x["event"] == "command" for x in e)
        print(f"  {name:9s} {when:6s} false wakes {w / h:5.1f} per hour, false actions {a} ({h * 60:.1f} min of that voice's speech)")

n_enrol = sum(1 for l in open(f"{set_dir}/enrol.txt") if l.strip())
print(f"condition: {voice} in a reverberant room (sox reverb 50 50 60), noise floor; {n_enrol} clips enrolled, "
      f"{len(clips('test'))} phrase+command clips held out")
if enrolled:
    u, s, rss = open(f"{out}/enrol.time").read().split()
    summary = [l.strip() for l in open(f"{out}/enrol.out") if l.startswith(("clips used", "average acoustic"))]
    print(f"enrolment: {'; '.join(summary)}")
    print(f"enrolment cost: {float(u) + float(s):.2f} s CPU (user {u} s, system {s} s), peak memory {int(rss) / 1024:.1f} MiB")
else:
    print("enrolment failed: " + open(f"{out}/enrol.err").read().strip().replace("\n", " / "))
for when in ("before", "after") if enrolled else ("before",):
    print(line("  enrolled voice,", when, "test"))
    negatives(when)
    print(line(f"  {other} (not enrolled),", when, "other"))
for model in ("stock", "adapted"):
    if os.path.exists(f"{out}/live-{model}.txt"):
        print(f"the daemon, live, {model} model, on three held-out clips of the enrolled voice:")
        print("".join("  " + l for l in open(f"{out}/live-{model}.txt")), end="")
PY
