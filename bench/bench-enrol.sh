#!/bin/bash
# bench-enrol.sh — enrolment (wakeword --enrol-from) per speaker-and-room condition: one voice
# (espeak-ng, or flite's) in one room and noise, saying the phrase and the commands at several
# speeds and pitches (bench/corpus/make-enrol-set.sh). 20 of its clips are enrolled; the figures
# are on its other clips, its off-topic clips, its speech without the phrase, and a television's
# near-miss sentences in a reverberant room (heard four times, a few milliseconds apart), for
# another voice in the same room that did not enrol, three times: "before" with the stock model,
# "after" with the adaptation loaded (the adapted model beside the stock one), "gated" with it and
# enrolled_only set (a command is acted on only when an enrolled voice said it); then what
# enrolment costs. A DET curve per
# condition and model: miss rate against false wakes per hour over the spotting threshold, into
# $VH_BUILD/bench/enrol-det.dat (and enrol-det.svg where gnuplot is installed). For the first
# condition, the live daemon with either model (latency, CPU, peak RSS). The sets are generated
# (seeded) and cached under $VH_BUILD/corpus keyed on the generator and the condition. Prints
# figures; judges nothing.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
bin="$build/wakeword/wakeword"
abs_bin=$(realpath "$bin")
gen="$src/bench/corpus/make-enrol-set.sh"
# VOICE|OTHER VOICE|ROOM (sox effects)|NOISE: espeak-ng voices in a reverberant room and in noise,
# flite voices in a quiet room and in a large live hall.
conditions=(
        "en-gb-scotland|en-us+m3|reverb 50 50 60 100 0 0|floor:0"
        "en-us+f3|en-gb|gain 0|pinknoise:10"
        "flite:slt|flite:kal16|gain 0|floor:0"
        "flite:awb|en-us|reverb 70 50 80 100 0 0|floor:0"
)
# The spotting thresholds of the DET curves; the configured one (1e-60) is the figures' own run.
det_thresholds=(1e-30 1e-90)
det="$build/bench/enrol-det.dat"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# decode NAME FLAGS FILES…: one process per set, as the main benchmark does
decode() {
        local name=$1 flags=$2; shift 2
        "$bin" --decode --verbose $flags "$@" >"$out/$name.jsonl" 2>/dev/null
}
negatives=(ordinary nearmiss broadcast)
# The broadcast sentences are few and a false action among them turns on a frame or two: the same
# recording, started a few milliseconds later, gives 1 to 3 where it gave 2. They are heard again
# delayed by these many milliseconds (not multiples of the 10 ms frame step, so that every reading
# cuts the frames differently), and the figures count all the readings.
broadcast_delays_ms=(13 37 71)
measure() {     # measure SET before|after FLAGS: the clips and the negatives side by side
        local set=$1 when=$2 flags=$3 n d
        (
                decode "$when-test" "$flags" "$set"/test/*.wav
                decode "$when-off" "$flags" "$set"/off/*.wav
                decode "$when-other" "$flags" "$set"/other/*.wav
        ) &
        for n in "${negatives[@]}"; do decode "$when-$n" "$flags" "$set/neg/$n.wav"; done
        for d in "${broadcast_delays_ms[@]}"; do decode "$when-broadcast+$d" "$flags" "$out/broadcast+$d.wav"; done
        wait
}
# sweep SET before|after FLAGS: the held-out clips and the negatives at each DET threshold, two
# thresholds at a time
sweep() {
        local set=$1 when=$2 flags=$3 t n k=0
        for t in "${det_thresholds[@]}"; do
                echo "{ \"threshold\": $t }" >"$out/det-$t.json"
                (
                        decode "$when-$t-test" "--config $out/det-$t.json $flags" "$set"/test/*.wav
                        for n in "${negatives[@]}"; do decode "$when-$t-$n" "--config $out/det-$t.json $flags" "$set/neg/$n.wav"; done
                ) &
                k=$((k + 1))
                [ $((k % 2)) -ne 0 ] || wait
        done
        wait
}

# live SET: the daemon as it runs, with the stock model and with the adaptation loaded: three
# held-out clips (speed 175, pitch 65) through audiod in real time; marks.txt: where each
# phrase ends.
live() {
        local set=$1 voice=$2 lead=5 floor=10 at c f model state list
        local live="$build/bench/bench-wakeword-live"
        [ -x "$live" ] || return 0
        sox -D -q -n -r 16000 -c 1 -b 16 "$out/lead.wav" trim 0 $lead
        sox -R -q -n -r 16000 -c 1 -b 16 "$out/floor.wav" synth $floor pinknoise vol 0.03
        espeak-ng -v "$voice" -s 175 -p 65 -w "$out/h.wav" "hey climate"
        sox -q "$out/h.wav" "$out/ht.wav" reverse silence 1 0.005 0.5% reverse
        : >"$out/marks.txt"; list=("$out/lead.wav"); at=$lead
        for c in 0 1 2; do
                f="$set/test/c3-$c.wav"
                awk -v at="$at" -v p="$(soxi -D "$out/ht.wav")" 'BEGIN { printf "%.3f\n", at + 1.0 + p }' >>"$out/marks.txt"
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
}

mkdir -p "$(dirname "$det")"
: >"$out/pooled.txt"
echo "# condition model threshold miss_rate false_wakes_per_hour" >"$det"
for i in "${!conditions[@]}"; do
        IFS='|' read -r voice other room noise <<<"${conditions[$i]}"
        key=$(cat "$gen" "$src/bench/corpus/common.sh" <(echo "${conditions[$i]}") | sha256sum | cut -c1-12)
        set="$build/corpus/enrol-$key"
        if [ ! -f "$set/done" ]; then
                echo "building the enrolment set of $voice ($room, $noise) in $set (espeak-ng + sox)…"
                rm -rf "$set"
                bash "$gen" "$set" "$voice" "$other" "$room" "$noise" 2>/dev/null || { echo "generation failed"; continue; }
                touch "$set/done"
        fi
        rm -f "$out"/*.jsonl "$out"/live-*.txt "$out/enrol.time"
        for d in "${broadcast_delays_ms[@]}"; do       # in samples: the sets are 16 kHz
                sox -q "$set/neg/broadcast.wav" "$out/broadcast+$d.wav" pad "$((d * 16))s"
        done
        export STATE_DIRECTORY="$out/state-$i"
        mkdir -p "$STATE_DIRECTORY" "$out/no-state"
        measure "$set" before --no-adaptation
        sweep "$set" before --no-adaptation
        (cd "$set" && /usr/bin/time -f "%U %S %M" -o "$out/enrol.time" "$abs_bin" --enrol-from enrol.txt) \
                >"$out/enrol.out" 2>"$out/enrol.err"
        enrolled=$?
        if [ $enrolled -eq 0 ]; then
                measure "$set" after ""
                echo '{ "enrolled_only": true }' >"$out/gated.json"
                measure "$set" gated "--config $out/gated.json"
                sweep "$set" after ""
                [ $i -eq 0 ] && live "$set" "$voice"
        fi
        /usr/bin/python3 - "$set" "$out" $enrolled "$det" $i "${det_thresholds[*]}" "$voice" "$other" "$room" "$noise" \
                "${broadcast_delays_ms[*]}" <<'PY'
import json, os, subprocess, sys
set_dir, out, enrolled, det, cond, thresholds = sys.argv[1], sys.argv[2], sys.argv[3] == "0", *sys.argv[4:7]
voice, other, room, noise = sys.argv[7:11]
delays = [0] + [int(d) for d in sys.argv[11].split()]
NEGATIVES = ("ordinary", "nearmiss", "broadcast")
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
    for name in NEGATIVES:
        readings = delays if name == "broadcast" else [0]
        h = duration(f"{set_dir}/neg/{name}.wav") / 3600 * len(readings)
        e = [(d, x) for d in readings for x in events(f"{when}-{name}" + (f"+{d}" if d else ""))]
        w = sum(x["event"] == "wake" for _, x in e); a = [(d, x) for d, x in e if x["event"] == "command"]
        who = "that voice's speech" if name != "broadcast" else \
              f"that voice and a television's, heard {len(readings)} times, delayed by {'/'.join(map(str, readings))} ms"
        print(f"  {name:9s} {when:6s} false wakes {w / h:5.1f} per hour ({w}), false actions {len(a) / h:5.1f} per hour "
              f"({len(a)}; {h * 60:.1f} min of {who})")
        for d, x in a:
            print(f"    false action at {x['audio_usec'] / 1e6:6.2f} s{f' (+{d} ms)' if d else ''}: "
                  f"\"{x['text']}\" -> {json.dumps(x['intent'])}")
        with open(f"{out}/pooled.txt", "a") as f:
            f.write(f"{when} {name} {h:.6f} {w} {len(a)}\n")
def det_point(when, t):
    prefix = when if t is None else f"{when}-{t}"
    woke, _, _, n = commands(prefix, "test")
    w = h = 0
    for name in NEGATIVES:
        h += duration(f"{set_dir}/neg/{name}.wav") / 3600
        w += sum(x["event"] == "wake" for x in events(f"{prefix}-{name}"))
    return 1 - woke / n, w / h

n_enrol = sum(1 for l in open(f"{set_dir}/enrol.txt") if l.strip())
print(f"--- condition: {voice}, room '{room}', noise {noise}; {n_enrol} clips enrolled, "
      f"{len(clips('test'))} phrase+command clips held out")
if enrolled:
    u, s, rss = open(f"{out}/enrol.time").read().split()
    summary = [l.strip() for l in open(f"{out}/enrol.out") if l.startswith(("clips used", "average acoustic"))]
    print(f"enrolment: {'; '.join(summary)}")
    print(f"enrolment cost: {float(u) + float(s):.2f} s CPU (user {u} s, system {s} s), peak memory {int(rss) / 1024:.1f} MiB")
else:
    print("enrolment failed: " + open(f"{out}/enrol.err").read().strip().replace("\n", " / "))
for when in ("before", "after", "gated") if enrolled else ("before",):
    print(line("  enrolled voice,", when, "test"))
    negatives(when)
    print(line(f"  {other} (not enrolled),", when, "other"))
with open(det, "a") as f:
    for when in ("before", "after") if enrolled else ("before",):
        model = "stock" if when == "before" else "adapted"
        points = sorted([(float(t), *det_point(when, t)) for t in thresholds.split()] + [(1e-60, *det_point(when, None))])
        for t, miss, fw in points:
            f.write(f"{cond} {model} {t:g} {miss:.4f} {fw:.1f}\n")
        print(f"  DET {model:7s} (threshold: miss rate, false wakes per hour): " +
              ", ".join(f"{t:g}: {100 * miss:.1f} % {fw:.0f}/h" for t, miss, fw in points))
for model in ("stock", "adapted"):
    if os.path.exists(f"{out}/live-{model}.txt"):
        print(f"the daemon, live, {model} model, on three held-out clips of the enrolled voice:")
        print("".join("  " + l for l in open(f"{out}/live-{model}.txt")), end="")
PY
done

# Every condition's negatives together: the rates on the most speech.
awk '{ h[$1 " " $2] += $3; w[$1 " " $2] += $4; a[$1 " " $2] += $5 }
     END { print "--- all conditions together";
           split("before after gated", m, " "); split("ordinary nearmiss broadcast", n, " ");
           for (i = 1; i <= 3; i++) for (j = 1; j <= 3; j++) { k = m[i] " " n[j]; if (!(k in h)) continue;
                   printf "  %-9s %-6s false wakes %5.1f per hour (%d), false actions %5.1f per hour (%d; %.1f min)\n",
                          n[j], m[i], w[k] / h[k], w[k], a[k] / h[k], a[k], h[k] * 60 } }' "$out/pooled.txt"

# The DET curves: one line per condition and model.
if command -v gnuplot >/dev/null; then
        gnuplot 2>/dev/null <<GP && echo "DET curves: $det, ${det%.dat}.svg" || echo "DET curves: $det (gnuplot failed)"
set terminal svg size 800,560 dynamic
set output "${det%.dat}.svg"
set title "wakeword: DET curves per enrolment condition, over the spotting threshold"
set xlabel "false wakes per hour (ordinary, near-miss and broadcast speech)"
set ylabel "miss rate (%)"
set key outside right
set grid
plot for [c=0:${#conditions[@]}-1] for [m in "stock adapted"] "$det" \\
        using ((\$1 == c && strcol(2) eq m) ? \$5 : 1/0):(100 * \$4) with linespoints \\
        linecolor c + 1 pointtype (m eq "stock" ? 6 : 7) title sprintf("condition %d, %s", c + 1, m)
GP
else
        echo "DET curves: $det (gnuplot is not installed: no SVG)"
fi
