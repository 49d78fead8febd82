#!/bin/bash
# Live enrolment on the bus: wakeword with the real audiod on a private bus, audio from the vhtest
# ALSA device playing, in a loop, one voice in a little noise saying the enrolment prompts
# (the wake phrase twice, then a command) in order. A caller who is neither root nor in
# enrol_group is refused. An enrolment cancelled after its first take writes nothing, leaves no
# scratch behind, and listening resumes; while recording, no wake is acted on. A completed one
# refuses the takes that are not its prompt (the loop does not start where the prompts do),
# writes the adaptation, sets Adaptation, and the daemon, still running, listens with it; it is
# driven by "voicehvacctl enrol" as a person would. ResetAdaptation ("voicehvacctl enrol --reset")
# removes it and goes back to the stock model. One cancelled while its adaptation is being made
# stops that process and writes nothing.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
# The sanitizer pass runs slower: its bounds on takes and adaptation scale with it.
scale=${VH_TEST_TIME_SCALE:-1}
. "$src/tests/lib/stack.sh"
case $build in /*) ;; *) build="$src/$build" ;; esac
case $src in /*) ;; *) src=$(cd "$src" && pwd) ;; esac
bin="$build/wakeword/wakeword"
ctl="$build/voicehvacctl/voicehvacctl"

for b in wakeword/wakeword audiod/audiod voicehvacctl/voicehvacctl; do
        [ -x "$build/$b" ] || { echo "FAIL: $build/$b is not built"; exit 1; }
done
for t in espeak-ng sox dbus-daemon busctl dbus-monitor dbus-send; do
        command -v $t >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
[ -f "$build/tests/alsa/libasound_module_pcm_vhtest.so" ] || { echo "SKIP: the vhtest ALSA plugin is not built"; exit 77; }
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || { echo "SKIP: pocketsphinx-en-us model missing"; exit 77; }
for t in /usr/lib/sphinxtrain/bw /usr/lib/sphinxtrain/map_adapt /usr/bin/sphinx_fe /usr/bin/pocketsphinx_mdef_convert; do
        [ -x "$t" ] || { echo "SKIP: $t is not installed (tools/deps.sh)"; exit 77; }
done

export SOX_OPTS=-R
tmp=$(mktemp -d /tmp/test-wakeword-enrol-live.XXXXXX)
chmod 755 "$tmp"
pids=""
cleanup() {
        for p in $pids; do kill "$p" 2>/dev/null; done
        wait 2>/dev/null
        [ -n "${VH_TEST_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

. "$src/tests/lib/check.sh"
bus() { busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" "$@"; }
ww() { bus "$1" org.voicehvac.WakeWord1 /org/voicehvac/WakeWord1 org.voicehvac.WakeWord1 "${@:2}"; }
prop() { ww get-property "$1" 2>/dev/null; }
# error [setpriv ARGS…] -- METHOD: the D-Bus error name and message the call gets (dbus-send says both)
error() {
        local pre=()
        while [ "$1" != -- ]; do pre+=("$1"); shift; done
        "${pre[@]}" dbus-send --bus="$DBUS_SYSTEM_BUS_ADDRESS" --print-reply --dest=org.voicehvac.WakeWord1 \
                /org/voicehvac/WakeWord1 "org.voicehvac.WakeWord1.$2" 2>&1 | grep '^Error'
}
prop_is() { [ "$(prop "$1")" = "$2" ]; }
detections() { prop Detections | cut -d' ' -f2; }
detections_above() { [ "$(detections)" -gt "$1" ]; }

# The prompts of enrol_wake_takes 2 and enrol_command_takes 1, said in that order, in a loop.
prompts=("hey climate" "hey climate" "hey climate set the temperature to twenty two degrees")
clip() { # clip OUT TEXT: a voice the stock model wakes on, with a noise floor and pauses around it
        espeak-ng -v en-us+f3 -s 150 -w "$tmp/raw.wav" "$2" || return 1
        sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$tmp/pad.wav" pad 0.8 1.8
        sox -q -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$(soxi -D "$tmp/pad.wav")" pinknoise vol 0.03
        sox -q -m "$tmp/pad.wav" "$tmp/noise.wav" -t raw "$1"
}
: >"$tmp/speech.raw"
for i in "${!prompts[@]}"; do
        clip "$tmp/p$i.raw" "${prompts[$i]}" || { echo "FAIL: espeak-ng failed"; exit 1; }
        cat "$tmp/p$i.raw" >>"$tmp/speech.raw"
done

vhtest_alsa_env "$tmp" "$tmp/speech.raw"
mkdir -p "$tmp/tmp"
export TMPDIR="$tmp/tmp"
state="$STATE_DIRECTORY/wakeword-adaptation"
private_bus_start "$tmp" || { echo "FAIL: the private dbus-daemon did not start"; exit 1; }
pids="$pids $private_bus_pid"
cat >"$tmp/audiod.json" <<JSON
{ "device": "vhtest", "mixer_device": "vhtest", "unmute_group": "root", "default_muted": false }
JSON
cat >"$tmp/wakeword.json" <<JSON
{ "enrol_wake_takes": 2, "enrol_command_takes": 1 }
JSON
# A bad enrolment setting stops start-up, naming the file, the key and the problem.
echo '{ "enrol_wake_takes": 1, "enrol_command_takes": 1 }' >"$tmp/bad.json"
err=$("$bin" --config "$tmp/bad.json" 2>&1)
check "too few takes configured: refused at start ($err)" \
        bash -c '[ $0 = 1 ] && grep -q "bad.json: key .enrol_command_takes.: with .enrol_wake_takes. at least 3 takes are needed" <<<"$1"' $? "$err"
echo '{ "enrol_command_takes": 13 }' >"$tmp/bad.json"
err=$("$bin" --config "$tmp/bad.json" 2>&1)
check "more command takes than prompts: refused at start ($err)" \
        bash -c '[ $0 = 1 ] && grep -q "bad.json: key .enrol_command_takes.: value 13 out of range" <<<"$1"' $? "$err"
"$build/audiod/audiod" --config "$tmp/audiod.json" >"$tmp/audiod.log" 2>&1 &
pids="$pids $!"
"$bin" --config "$tmp/wakeword.json" >"$tmp/wakeword.log" 2>&1 &
wakeword_pid=$!
pids="$pids $wakeword_pid"
dbus-monitor --address "$DBUS_SYSTEM_BUS_ADDRESS" "type='signal',interface='org.voicehvac.WakeWord1'" \
        "type='signal',path='/org/voicehvac/WakeWord1',interface='org.freedesktop.DBus.Properties'" >"$tmp/signals.log" 2>&1 &
pids="$pids $!"
wait_for 30 prop_is State 's "listening"' || { echo "FAIL: wakeword does not listen"; tail "$tmp"/*.log; exit 1; }
fds_at_start=$(ls /proc/$wakeword_pid/fd | wc -l)
check "Enrolment is idle at start" prop_is Enrolment 's "idle"'
check "Adaptation is none at start" prop_is Adaptation 's "none"'
check "EnrolmentProgress counts the prompts" prop_is EnrolmentProgress "(uu) 0 3"
check "CancelEnrolment without one does nothing" ww call CancelEnrolment
check "ResetAdaptation without one does nothing" ww call ResetAdaptation

# ---- refused to a caller who is neither root nor in the group --------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        for m in StartEnrolment CancelEnrolment ResetAdaptation; do
                err=$(error setpriv --reuid=nobody --regid=nogroup --clear-groups -- $m)
                check "$m as nobody: NotAuthorized ($err)" \
                        grep -q "^Error org.voicehvac.Error.NotAuthorized: .* requires root or membership of group 'voicehvac'" <<<"$err"
        done
        err=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$ctl" enrol 2>&1 </dev/null)
        check "voicehvacctl enrol as nobody: exit 1, refused ($err)" \
                bash -c '[ $0 = 1 ] && grep -q "^Failed to start the enrolment: Enrolling requires root" <<<"$1"' $? "$err"
        check "still idle" prop_is Enrolment 's "idle"'
else
        echo "# not root: the unprivileged caller is not tried"
fi

# ---- voicehvacctl enrol interrupted: the enrolment is cancelled in the daemon ------------------
"$ctl" enrol >"$tmp/interrupted.out" 2>&1 &
ctl_pid=$!
check "voicehvacctl enrol starts an enrolment" wait_for 10 prop_is Enrolment 's "recording"'
wait_for 10 grep -q 'Say: "hey climate"' "$tmp/interrupted.out"
kill -INT $ctl_pid
wait $ctl_pid
rc=$?
check "voicehvacctl enrol interrupted: exit 1 (got $rc)" test $rc = 1
check "voicehvacctl enrol interrupted: says it cancelled" grep -q '^Cancelled\.$' "$tmp/interrupted.out"
check "Enrolment is idle after the interruption ($(tr '\n' '|' <"$tmp/interrupted.out"))" prop_is Enrolment 's "idle"'
check "voicehvacctl enrol --json: a usage error" bash -c '"$0" --json enrol >/dev/null 2>&1; [ $? = 2 ]' "$ctl"

# ---- cancelled after the first take ----------------------------------------------------------
before=$(detections)
check "StartEnrolment" ww call StartEnrolment
check "Enrolment is recording" prop_is Enrolment 's "recording"'
check "EnrolmentPrompt is the wake phrase" prop_is EnrolmentPrompt 's "hey climate"'
err=$(error -- StartEnrolment)
check "StartEnrolment again: Busy ($err)" grep -q "^Error org.voicehvac.Error.Busy: An enrolment is already recording" <<<"$err"
err=$(error -- ResetAdaptation)
check "ResetAdaptation while enrolling: Busy ($err)" grep -q "^Error org.voicehvac.Error.Busy: .*cancel it first" <<<"$err"
check "a take is accepted within $((60 * scale)) s" wait_for $((60 * scale)) bash -c "busctl --address='$DBUS_SYSTEM_BUS_ADDRESS' get-property org.voicehvac.WakeWord1 /org/voicehvac/WakeWord1 org.voicehvac.WakeWord1 EnrolmentProgress | grep -q '^(uu) [12] 3$'"
check "no wake acted on while recording (Detections $before → $(detections))" test "$(detections)" = "$before"
check "CancelEnrolment" ww call CancelEnrolment
check "Enrolment is idle after cancelling" prop_is Enrolment 's "idle"'
check "EnrolmentPrompt is empty after cancelling" prop_is EnrolmentPrompt 's ""'
check "no adaptation written" test ! -e "$state"
check "no scratch left behind" test -z "$(ls -A "$tmp/tmp")"
check "listening resumes: a wake within 30 s" wait_for 30 detections_above "$before"
check "EnrolmentFinished(false, cancelled)" wait_for 5 grep -q 'string "cancelled"' "$tmp/signals.log"

# ---- completed, as a person does it: voicehvacctl enrol -------------------------------------
before=$(detections)
timeout 240 "$ctl" enrol >"$tmp/enrol.out" 2>"$tmp/enrol.err"
rc=$?
cat "$tmp/enrol.out"
check "voicehvacctl enrol: exit 0 (got $rc; $(cat "$tmp/enrol.err"))" test $rc = 0
check "voicehvacctl enrol: says the count and the first prompt" grep -q '^\[1/3\] Say: "hey climate"$' "$tmp/enrol.out"
check "voicehvacctl enrol: shows the command prompt" \
        grep -q '^\[3/3\] Say: "hey climate set the temperature to twenty two degrees"$' "$tmp/enrol.out"
check "voicehvacctl enrol: a verdict for each take" test "$(grep -c '^        ok$' "$tmp/enrol.out")" = 3
check "voicehvacctl enrol: the result" grep -q '^Done: the adaptation of 3 clips is in use\.$' "$tmp/enrol.out"
# Listening goes on while the adaptation is made: only the recording is free of wakes.
wakes_recording=$(awk '/string "recording"/ { rec = 1 } /string "(adapting|idle)"/ { rec = 0 }
        /member=WakeWordDetected/ && rec { n++ } END { print n + 0 }' "$tmp/signals.log")
check "no WakeWordDetected while recording (got $wakes_recording)" test "$wakes_recording" = 0
check "Enrolment went recording → adapting → idle" \
        bash -c "grep -o 'string \"\(recording\|adapting\|idle\)\"' '$tmp/signals.log' | uniq | tr -d '\n' | grep -q 'recording.*adapting.*idle'"
check "Adaptation says when and from how many clips" \
        bash -c "busctl --address='$DBUS_SYSTEM_BUS_ADDRESS' get-property org.voicehvac.WakeWord1 /org/voicehvac/WakeWord1 org.voicehvac.WakeWord1 Adaptation | grep -Eq '^s \"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z, 3 clips\"$'"
echo "# Adaptation: $(prop Adaptation)"
check "Enrolment is idle again" prop_is Enrolment 's "idle"'
check "the adaptation file is written" test -s "$state"
check "no scratch left behind" test -z "$(ls -A "$tmp/tmp")"
check "EnrolmentFinished(true, …)" grep -q 'string "the adaptation of 3 clips is in use"' "$tmp/signals.log"
check "the daemon loaded it without a restart" grep -q "Using the speaker and room adaptation in $state" "$tmp/wakeword.log"
check "the daemon still runs" kill -0 $wakeword_pid
before=$(detections)
check "it listens with the adapted model: a wake within 30 s" wait_for 30 detections_above "$before"

# ---- reset -----------------------------------------------------------------------------------
out=$("$ctl" enrol --reset 2>&1)
check "voicehvacctl enrol --reset: exit 0 ($out)" test $? = 0
check "Adaptation is none" prop_is Adaptation 's "none"'
check "the adaptation file is removed" test ! -e "$state"
check "the stock model is back" wait_for 30 grep -q "Recogniser replaced; adaptation: none" "$tmp/wakeword.log"
before=$(detections)
check "it listens with the stock model: a wake within 30 s" wait_for 30 detections_above "$before"

# ---- cancelled while the adaptation is made: its process is stopped, nothing is written ---------
check "StartEnrolment" ww call StartEnrolment
check "every prompt taken within $((120 * scale)) s" wait_for $((120 * scale)) prop_is Enrolment 's "adapting"'
check "CancelEnrolment while adapting" ww call CancelEnrolment
check "Enrolment is idle after cancelling" prop_is Enrolment 's "idle"'
check "no enrol process left" bash -c "! pgrep -f -- '[-]-enrol-from $tmp/tmp/' >/dev/null"
check "no scratch left behind" test -z "$(ls -A "$tmp/tmp")"
check "no adaptation written" test ! -e "$state"
check "Adaptation is still none" prop_is Adaptation 's "none"'

fds_at_end=$(ls /proc/$wakeword_pid/fd | wc -l)
check "no file descriptor left open by three enrolments and two model swaps ($fds_at_start, then $fds_at_end)" \
        test "$fds_at_end" -le "$fds_at_start"
kill -TERM $wakeword_pid
wait $wakeword_pid
check "wakeword exits cleanly (status $?)" test $? = 0
if [ $failures -ne 0 ]; then
        tail -n 40 "$tmp/wakeword.log"
        exit 1
fi
echo "all live enrolment checks passed"
