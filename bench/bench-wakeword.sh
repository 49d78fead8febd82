#!/bin/bash
# bench-wakeword.sh — wakeword's accuracy and cost on a synthetic corpus (bench/corpus/make-corpus.sh,
# cached under $VH_BUILD/corpus keyed on the generator). Prints figures; judges nothing.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
bin="$build/wakeword/wakeword"
gen="$src/bench/corpus/make-corpus.sh"
key=$(cat "$gen" "$src/bench/corpus/common.sh" | sha256sum | cut -c1-12)
corpus="$build/corpus/$key"
if [ ! -f "$corpus/done" ]; then
        echo "building corpus in $corpus (espeak-ng + sox)…"
        rm -rf "$corpus"
        bash "$gen" "$corpus" 2>/dev/null || { echo "corpus generation failed"; exit 1; }
        touch "$corpus/done"
fi
# Conditions nothing was tuned on: another synthesizer, and the corpus in reverberant rooms.
holdgen="$src/bench/corpus/make-holdout.sh"
holdout="$build/corpus/holdout-$(cat "$holdgen" "$src/bench/corpus/common.sh" | sha256sum | cut -c1-8)-$key"
if command -v flite >/dev/null && [ ! -f "$holdout/done" ]; then
        echo "building hold-out corpus in $holdout (flite + sox)…"
        rm -rf "$holdout"
        if bash "$holdgen" "$holdout" "$corpus" 2>/dev/null; then touch "$holdout/done"; else echo "hold-out corpus generation failed"; fi
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The stock model from its typical start: neither an adaptation nor a cepstral mean a state
# directory on this machine may hold (bench-enrol.sh measures the adaptation).
export STATE_DIRECTORY="$out/state"
mkdir -p "$STATE_DIRECTORY"

# One process per set, timed: CPU seconds and peak RSS (getrusage of the child).
run() {         # run NAME FILES...
        local name=$1; shift
        /usr/bin/python3 - "$bin" "$out/$name" "$@" <<'PY'
import resource, subprocess, sys
binary, prefix, files = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(prefix + ".jsonl", "w") as o:
    subprocess.run([binary, "--decode", "--verbose", *files], stdout=o, check=False)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(prefix + ".cost", "w").write("%f %d\n" % (ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
PY
}
# With the recogniser's debug log, which times each second look at a wake candidate: where a
# wake's latency goes.
VOICEHVAC_LOG_LEVEL=debug run pos "$corpus"/pos/*.wav 2>"$out/pos-debug.log"
run off "$corpus"/off/*.wav
run ordinary "$corpus/neg/ordinary.wav"
run nearmiss "$corpus/neg/nearmiss.wav"
run ordinary-noisy "$corpus/neg/ordinary-noisy.wav"
run nearmiss-noisy "$corpus/neg/nearmiss-noisy.wav"
for h in flite rooms; do
        [ -f "$holdout/done" ] || break
        for set in pos off; do run "$h-$set" "$holdout/$h/$set"/*.wav; done
        for set in ordinary nearmiss; do run "$h-$set" "$holdout/$h/neg/$set.wav"; done
done
sox -R -q -n -r 16000 -c 1 -b 16 "$out/silence.wav" synth 600 pinknoise vol 0.01
run silence "$out/silence.wav"

# The live run: a recording of every third phrase+command clip between exact digital silence
# (5 s, to find the start on the stream) and 60 s of noise floor, captured through audiod in
# real time. marks.txt: where each phrase ends in it.
lead=5 floor=60
sox -D -q -n -r 16000 -c 1 -b 16 "$out/lead.wav" trim 0 $lead         # -D: no dither, exact zeros
sox -R -q -n -r 16000 -c 1 -b 16 "$out/floor.wav" synth $floor pinknoise vol 0.03
: >"$out/marks.txt"; list=("$out/lead.wav"); at=$lead; k=0
for f in $(ls "$corpus"/pos/*.wav | sort -V); do
        k=$((k + 1)); [ $((k % 3)) -eq 1 ] || continue
        p=$(basename "$f" .wav)
        awk -v p="$p" -v at="$at" '$1 == p { printf "%.3f\n", at + 1.0 + $2 }' "$corpus/phrase-end.txt" >>"$out/marks.txt"
        at=$(awk -v a="$at" -v d="$(soxi -D "$f")" 'BEGIN { printf "%.3f", a + d }')
        list+=("$f")
done
list+=("$out/floor.wav")
sox -D -q "${list[@]}" "$out/live.wav"
"$build/bench/bench-wakeword-live" "$out/live.wav" "$out/marks.txt" $lead "$(soxi -D "$out/live.wav")" $floor >"$out/live.txt" 2>"$out/live.err" ||
        echo "live run failed: $(tail -n 3 "$out/live.err")" >"$out/live.txt"
# Live again on three minutes of the ordinary speech, which has no phrase in it: what the daemon
# costs while people in the room just talk.
talk=180
sox -q "$corpus/neg/ordinary.wav" "$out/talk0.wav" trim 0 $talk
sox -R -q -n -r 16000 -c 1 -b 16 "$out/floor10.wav" synth 10 pinknoise vol 0.03
sox -D -q "$out/lead.wav" "$out/talk0.wav" "$out/floor10.wav" "$out/talk.wav"
: >"$out/no-marks.txt"
"$build/bench/bench-wakeword-live" "$out/talk.wav" "$out/no-marks.txt" $lead "$(soxi -D "$out/talk.wav")" 10 \
        "continuous speech without the phrase" >"$out/talk.txt" 2>"$out/talk.err" ||
        echo "live run on speech failed: $(tail -n 3 "$out/talk.err")" >"$out/talk.txt"

# The same recogniser built for arm64 (make ARCH=arm64, in $VH_ARM64_BUILD) on one minute of the
# speech, under qemu-user beside the build machine's: what emulation costs, not what a board does.
arm64="${VH_ARM64_BUILD:-$src/build-arm64}/wakeword/wakeword"
sox -q "$corpus/neg/ordinary.wav" "$out/minute.wav" trim 0 60
rtf() {         # rtf BINARY: wall and CPU seconds of --decode on $out/minute.wav per second of audio
        /usr/bin/python3 - "$1" "$out/minute.wav" "$(soxi -D "$out/minute.wav")" <<'PY'
import resource, subprocess, sys, time
secs = float(sys.argv[3])
t0 = time.monotonic()
subprocess.run([sys.argv[1], "--decode", sys.argv[2]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f (CPU %.3f)" % (wall / secs, (ru.ru_utime + ru.ru_stime) / secs))
PY
}
native_rtf=$(rtf "$bin" 2>/dev/null) || native_rtf="failed"
if [ -x "$arm64" ] && "$arm64" --help >/dev/null 2>&1; then
        arm64_rtf=$(rtf "$arm64" 2>/dev/null) || arm64_rtf="failed"
else
        arm64_rtf="not measured (make deps-arm64, then make bench builds it)"
fi
echo "--decode real-time factor, $(soxi -D "$out/minute.wav" | cut -d. -f1) s of speech: native $native_rtf; arm64 under qemu-user $arm64_rtf" >"$out/rtf.txt"

/usr/bin/python3 - "$corpus" "$out" "$holdout" <<'PY'
import json, os, re, subprocess, sys, statistics
corpus, out, holdout = sys.argv[1], sys.argv[2], sys.argv[3]
def events(name):
    return [json.loads(l) for l in open(f"{out}/{name}.jsonl") if l.strip()]
def cost(name):
    cpu, rss = open(f"{out}/{name}.cost").read().split()
    return float(cpu), int(rss)
def duration(path):
    return float(subprocess.run(["soxi", "-D", path], capture_output=True, text=True).stdout)

def accuracy(corpus, prefix=""):
    pos = sorted(f[:-4] for f in os.listdir(f"{corpus}/pos") if f.endswith(".wav"))
    ev = events(prefix + "pos")
    woke, right, wrong = 0, 0, 0
    for p in pos:
        e = [x for x in ev if os.path.basename(x.get("file", "")) == p + ".wav"]
        if any(x["event"] == "wake" for x in e):
            woke += 1
        action, value = open(f"{corpus}/pos/{p}.txt").read().split()
        for c in (x for x in e if x["event"] == "command"):
            got = c["intent"]["value"]
            if c["intent"]["action"] == action and (got if isinstance(got, str) else json.dumps(got)) == value:
                right += 1
            else:
                wrong += 1
    n = len(pos)
    off_files = [f for f in os.listdir(f"{corpus}/off") if f.endswith(".wav")]
    oe = events(prefix + "off")
    off_woke = {os.path.basename(x["file"]) for x in oe if x["event"] == "wake"}
    off_cmd = {os.path.basename(x["file"]) for x in oe if x["event"] == "command"}
    print(f"corpus: {n} phrase+command clips, {len(off_files)} phrase+off-topic clips")
    print(f"wake recall:                 {100 * woke / n:.1f} % ({woke}/{n})")
    print(f"command-intent accuracy:     {100 * right / max(woke, 1):.1f} % of woken clips ({right}/{woke}; wrong intents {wrong}), end to end {100 * right / n:.1f} %")
    print(f"off-topic rejection:         {100 * (1 - len(off_cmd) / max(len(off_woke), 1)):.1f} % of woken off-topic clips ({len(off_woke) - len(off_cmd)}/{len(off_woke)} rejected)")
    actions_total, hours_total = 0, 0
    for name in ("ordinary", "nearmiss", "ordinary-noisy", "nearmiss-noisy"):
        if not os.path.exists(f"{out}/{prefix}{name}.jsonl"):
            continue            # the noisy negatives are decoded for the main corpus only
        e = events(prefix + name)
        h = duration(f"{corpus}/neg/{name}.wav") / 3600
        w = sum(1 for x in e if x["event"] == "wake")
        a = sum(1 for x in e if x["event"] == "command")
        hours_total += h; actions_total += a
        print(f"false wakes, {name + ':':16s} {w / h:.1f} per hour ({w} in {h * 60:.0f} min)")
        print(f"false actions, {name + ':':16s} {a / h:.2f} per hour ({a} in {h * 60:.0f} min)")
    print(f"false actions, all negatives: {actions_total} in {hours_total * 60:.0f} min of speech without the phrase")

def percentile(v, p):      # as bench-wakeword-live.c: the nearest rank
    v = sorted(v)
    return v[min(int(p * (len(v) - 1) + 0.5), len(v) - 1)] if v else 0

# The two parts of the live wake latency, each on its own: when the spotting reports the phrase
# (audio time from the phrase's end, in the decoded clips: it waits a few frames for a better
# end), and the CPU of the second look, which the wake then waits for.
def latency_parts():
    ends = {l.split()[0]: float(l.split()[1]) for l in open(f"{corpus}/phrase-end.txt")}
    spotted = {}
    for x in events("pos"):
        p = os.path.basename(x.get("file", ""))[:-4]
        if x["event"] == "wake" and p in ends and p not in spotted:
            spotted[p] = x["audio_usec"] / 1000 - (1 + ends[p]) * 1000     # the clips open with 1 s of padding
    looks = [float(m) for m in re.findall(r"Wake candidate (?:verified|rejected) in [0-9.]+ ms \(([0-9.]+) ms of CPU\)",
                                            open(f"{out}/pos-debug.log").read())]
    print(f"wake latency, its parts:     the spotting reports the phrase p50 {percentile(spotted.values(), 0.5):.0f} ms, "
          f"p95 {percentile(spotted.values(), 0.95):.0f} ms after its end (audio time, {len(spotted)} wakes); "
          f"the second look takes p50 {percentile(looks, 0.5):.0f} ms, p95 {percentile(looks, 0.95):.0f} ms of CPU "
          f"({len(looks)} candidates)")

accuracy(corpus)
latency_parts()
for name, label in (("ordinary", "continuous speech"), ("silence", "silence with a noise floor")):
    cpu, rss = cost(name)
    dur = duration(f"{corpus}/neg/ordinary.wav") if name == "ordinary" else 600
    print(f"--decode CPU on {label}: {100 * cpu / dur:.2f} % of one core")
print(f"--decode peak RSS (longest file): {max(cost(n)[1] for n in ('ordinary', 'nearmiss', 'pos')) / 1024:.1f} MiB")
print(open(f"{out}/rtf.txt").read(), end="")
print(open(f"{out}/live.txt").read(), end="")
print(open(f"{out}/talk.txt").read(), end="")
for h, label in (("flite", "another synthesizer (flite voices)"), ("rooms", "the corpus in reverberant rooms")):
    if os.path.exists(f"{out}/{h}-pos.jsonl"):
        print(f"--- hold-out, {label}:")
        accuracy(f"{holdout}/{h}", h + "-")
    else:
        print(f"--- hold-out, {label}: not measured (flite is not installed)")
PY
