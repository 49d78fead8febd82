#!/bin/bash
# voicehvacctl as a user drives it: the real audiod (on the vhtest ALSA plugin, fed a tone of
# known level), hvacd (sim backend), wakeword and watchdogd (watch
# mode) on a private bus. Every command's output and exit status; --json that parses; usage
# errors before any bus call; hvacd's refusals as one line; unmute refused to nobody; services
# that are not running; monitor showing another client's change and the level meter.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/stack.sh"
. "$src/tests/lib/check.sh"
case $build in /*) ;; *) build="$src/$build" ;; esac
case $src in /*) ;; *) src=$(cd "$src" && pwd) ;; esac
ctl="$build/voicehvacctl/voicehvacctl"
py=/usr/bin/python3

stack_require_built voicehvacctl/voicehvacctl audiod/audiod hvacd/hvacd watchdogd/watchdogd wakeword/wakeword \
        tests/alsa/libasound_module_pcm_vhtest.so
stack_require_tools dbus-daemon busctl setpriv
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || { echo "SKIP: pocketsphinx-en-us (wakeword's model) is not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to call as nobody"; exit 77; }

stack_tmpdir test-voicehvacctl

# run ARGS… — runs voicehvacctl; $out, $err, $rc hold what it did.
run() {
        "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        out=$(cat "$tmp/out")
        err=$(cat "$tmp/err")
}
lines() { [ -z "$1" ] && echo 0 || printf '%s\n' "$1" | wc -l; }
json_ok() { $py -m json.tool <<<"$1" >/dev/null 2>&1; }
# jq-like: jget JSON EXPR — prints the Python expression EXPR of the parsed object "j".
jget() { $py -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
bus() { busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" "$@"; }
hvac_prop() { bus get-property org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 "$1"; }
muted() { bus get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 Muted; }
# shown_after MARK PATTERN FILE — PATTERN in a line of FILE after the first line with MARK.
shown_after() { sed -n "/$1/,\$p" "$3" | tail -n +2 | grep -Eq "$2"; }
has_name() { bus status "$1" >/dev/null 2>&1; }
export -f jget json_ok bus hvac_prop muted
export py
stop() { # stop PID — SIGTERM, and the exit status it ends with
        kill -TERM "$1" 2>/dev/null
        wait "$1"
}

# ---- the stack ----------------------------------------------------------------------------
# A 1 kHz sine at half of full scale: RMS -9.03 dBFS, peak -6.02 dBFS.
$py - "$tmp/tone.raw" <<'PY'
import math, struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(b"".join(struct.pack("<h", round(16384 * math.sin(2 * math.pi * 1000 * k / 16000))) for k in range(16000)))
PY
vhtest_alsa_env "$tmp" "$tmp/tone.raw"
stack_bus "$tmp"

cat >"$tmp/audiod.json" <<JSON
{ "device": "vhtest", "mixer_device": "vhtest", "unmute_group": "root", "default_muted": false }
JSON
cat >"$tmp/hvacd.json" <<JSON
{ "backend": "sim", "min_temperature": 16, "max_temperature": 30, "temperature_step": 0.5 }
JSON
cat >"$tmp/watchdogd.json" <<JSON
{ "ping_interval_ms": 500, "ping_timeout_ms": 400, "start_timeout_ms": 2000, "budget_file": "$src/cgroups/budget.json" }
JSON
spawn audiod "$build/audiod/audiod" --config "$tmp/audiod.json"
spawn hvacd "$build/hvacd/hvacd" --config "$tmp/hvacd.json"
spawn watchdogd "$build/watchdogd/watchdogd" --config "$tmp/watchdogd.json"
spawn wakeword "$build/wakeword/wakeword"
for n in Audio1 Hvac1 Watchdog1 WakeWord1; do
        wait_for 30 has_name "org.voicehvac.$n" || { echo "FAIL: org.voicehvac.$n did not come up"; tail "$tmp"/*.log; exit 1; }
done
wait_for 10 bash -c "busctl --address='$DBUS_SYSTEM_BUS_ADDRESS' get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 State | grep -q running" ||
        fail "audiod captures from vhtest"

# ---- usage errors: exit 2, said on stderr, and no bus involved ----------------------------
usage_case() { # usage_case NEEDLE ARGS…
        local needle=$1; shift
        DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        err=$(cat "$tmp/err")
        check "'$*': usage error, exit 2 (got $rc)" test "$rc" = 2
        check "'$*': one line naming the problem ('$needle'): $err" \
                bash -c '[ "$(wc -l <"$1")" = 1 ] && grep -qF -- "$2" "$1"' _ "$tmp/err" "$needle"
}
usage_case "Unknown command 'frobnicate'" frobnicate
usage_case "command is needed"
usage_case "Invalid temperature 'abc'" set temperature abc
usage_case "Invalid temperature 'nan'" set temperature nan
usage_case "Invalid mode 'warm'" set mode warm
usage_case "Invalid fan speed 'turbo'" set fan turbo
usage_case "Unknown setting 'colour'" set colour blue
usage_case "Usage: set" set temperature
usage_case "Invalid power 'maybe'" power maybe
usage_case "takes no arguments" status now
usage_case "Invalid --level-interval" --level-interval=soon monitor
usage_case "Unknown option '--frobnicate'" --frobnicate status
usage_case "needs '--' before it" set temperature -5
usage_case "Option '--level-interval' needs a value" monitor --level-interval

# With --json every failure is one object on stdout, named like the bus errors, nothing on stderr.
json_error_case() { # json_error_case NAME NEEDLE EXPECTED_RC ARGS…
        local name=$1 needle=$2 want=$3; shift 3
        DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus "$ctl" --json "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        out=$(cat "$tmp/out")
        check "--json $*: exit $want (got $rc), nothing on stderr" bash -c '[ $0 = $1 ] && [ ! -s "$2" ]' "$rc" "$want" "$tmp/err"
        check "--json $*: {\"error\": \"$name\"} naming '$needle': $out" \
                bash -c 'json_ok "$0" && [ "$(jget "$0" "j[\"error\"]")" = "$1" ] && grep -qF -- "$2" <<<"$0"' "$out" "$name" "$needle"
}
json_error_case org.voicehvac.Error.InvalidArgument "Invalid mode 'turbo'" 2 set mode turbo
json_error_case org.voicehvac.Error.InvalidArgument "Unknown command 'frobnicate'" 2 frobnicate
json_error_case org.freedesktop.DBus.Error.NoServer "Failed to connect to the system bus at unix:path=/nonexistent/bus" 1 status

# ---- help and version ---------------------------------------------------------------------
run --help
check "--help: exit 0, lists every command" bash -c '[ $0 = 0 ] && for c in status mute unmute "set temperature" power monitor health; do grep -q "^  $c" <<<"$1" || exit 1; done' "$rc" "$out"
check "--help documents the exit status" grep -q "Exit status" <<<"$out"
run set --help
check "'set --help': the set command's help" bash -c '[ $0 = 0 ] && grep -q "set temperature DEGREES" <<<"$1" && grep -q "fan_only" <<<"$1"' "$rc" "$out"
run help set
check "'help set' is the same as 'set --help'" bash -c '[ $0 = 0 ] && [ "$1" = "$("$2" set --help)" ]' "$rc" "$out" "$ctl"
run help monitor
check "'help monitor' explains the level meter" grep -q "dBFS" <<<"$out"
run --version
check "--version: exit 0, 'voicehvacctl VERSION'" bash -c '[ $0 = 0 ] && grep -Eq "^voicehvacctl [0-9]" <<<"$1"' "$rc" "$out"

# ---- changes, seen in the daemons' properties ---------------------------------------------
run power on
check "power on: exit 0, quiet" bash -c '[ $0 = 0 ] && [ -z "$1$2" ]' "$rc" "$out" "$err"
check "Power is true" bash -c '[ "$(hvac_prop Power)" = "b true" ]'
run set temperature 24
check "set temperature 24: exit 0" test "$rc" = 0
check "TargetTemperature is 24" test "$(hvac_prop TargetTemperature)" = "d 24"
run set temperature 22.5
check "set temperature 22.5: TargetTemperature is 22.5" bash -c '[ $0 = 0 ] && [ "$1" = "d 22.5" ]' "$rc" "$(hvac_prop TargetTemperature)"
run set mode cool
check "set mode cool: Mode is cool" bash -c '[ $0 = 0 ] && [ "$1" = "s \"cool\"" ]' "$rc" "$(hvac_prop Mode)"
run set mode fan-only
check "set mode fan-only: Mode is fan_only" bash -c '[ $0 = 0 ] && [ "$1" = "s \"fan_only\"" ]' "$rc" "$(hvac_prop Mode)"
run set mode cool
run set fan high
check "set fan high: FanSpeed is high" bash -c '[ $0 = 0 ] && [ "$1" = "s \"high\"" ]' "$rc" "$(hvac_prop FanSpeed)"
run set temperature 24

# ---- hvacd's refusals: one line, its message, exit 1 --------------------------------------
run set temperature 40
check "set temperature 40: exit 1 (got $rc)" test "$rc" = 1
check "one line on stderr with hvacd's reason: $err" \
        bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "^Failed to set the temperature: .*40.*out of range.*16.*30" <<<"$1"' _ "$err"
check "nothing on stdout" test -z "$out"
check "the target stayed 24" test "$(hvac_prop TargetTemperature)" = "d 24"
run set temperature 24.3
check "set temperature 24.3 (off the 0.5 grid): exit 1, hvacd says why: $err" \
        bash -c '[ $0 = 1 ] && grep -q "step grid" <<<"$1"' "$rc" "$err"
run --json set temperature 40
check "--json: the error as one JSON object on stdout: $out" \
        bash -c '[ $0 = 1 ] && [ "$(wc -l <<<"$1")" = 1 ] && [ "$(jget "$1" "j[\"error\"]")" = org.voicehvac.Error.InvalidArgument ] && jget "$1" "j[\"message\"]" | grep -q "out of range"' "$rc" "$out"

# ---- a polkit agent for what polkit may ask about, on a terminal only -----------------------
# The calls that polkit may question (unmute, set, power) carry ALLOW_INTERACTIVE_AUTHORIZATION
# unless --no-ask-password, as seen by a bus monitor; on a terminal (a pty from script(1)) they
# start pkttyagent first and stop it once answered, as seen by strace. No polkitd is on this bus:
# the agent cannot register, says so, and the call goes out all the same.
# interactive_of MEMBER — for each monitored call of MEMBER, 1 when it carries
# ALLOW_INTERACTIVE_AUTHORIZATION (header flag 0x4), else 0, on one line.
interactive_of() { $py -c 'import json,sys
for l in open(sys.argv[1]):
    try: m = json.loads(l)
    except ValueError: continue
    if m.get("member") == sys.argv[2]: print(int(bool(m.get("flags", 0) & 4)), end="")' "$tmp/monitor.json" "$1"; }
monitor_saw_get() { bus get-property org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 Power >/dev/null &&
        grep -q '"member":"Get"' "$tmp/monitor.json"; }
# agent_run NAME TTY ARGS… — voicehvacctl ARGS under strace, on a pty (TTY=tty) or with no terminal;
# $tmp/trace-NAME holds its execs and exits, $rc its status; the command $agent_as (an array)
# runs it. (LeakSanitizer cannot run under ptrace: the same paths run without strace below.)
agent_as=()
agent_run() {
        local name=$1 tty=$2 cmd; shift 2
        cmd=(env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
             strace -f -q -e trace=execve -e signal=none -o "$tmp/trace-$name" "${agent_as[@]}" "$ctl" "$@")
        if [ "$tty" = tty ]; then
                script -qec "$(printf '%q ' "${cmd[@]}")" /dev/null >"$tmp/out-$name" 2>&1 </dev/null
        else
                "${cmd[@]}" >"$tmp/out-$name" 2>&1 </dev/null
        fi
        rc=$?
}
# agent_started NAME — pkttyagent was executed with --notify-fd and --fallback, and ended
# (killed or exited) before voicehvacctl did.
agent_started() {
        local pid
        pid=$(grep -E 'execve\("/usr/bin/pkttyagent", \["/usr/bin/pkttyagent", "--notify-fd", "[0-9]+", "--fallback"\]' \
                "$tmp/trace-$1" | awk '{ print $1 }' | head -n1)
        [ -n "$pid" ] && grep -Eq "^$pid +\+\+\+ (killed by|exited with)" "$tmp/trace-$1"
}
agent_none() { ! grep -q pkttyagent "$tmp/trace-$1"; }
if ! command -v strace >/dev/null || ! command -v script >/dev/null || [ ! -x /usr/bin/pkttyagent ]; then
        fail "strace, script (util-linux) and /usr/bin/pkttyagent (polkitd) are needed (make deps)"
fi
busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" monitor --json=short org.voicehvac.Hvac1 org.voicehvac.Audio1 \
        >"$tmp/monitor.json" 2>"$tmp/monitor.err" &
monitor_pid=$!
check "a bus monitor sees the calls to hvacd: $(head -c 200 "$tmp/monitor.err")" wait_for 10 monitor_saw_get
run power on
agent_run tty-power tty power on
check "power on, on a terminal: exit 0 (got $rc)" test "$rc" = 0
check "power on, on a terminal: pkttyagent --notify-fd N --fallback started, and stopped before the end" \
        agent_started tty-power
agent_run tty-set tty set temperature 23
check "set temperature 23, on a terminal: exit 0, an agent started and stopped" \
        eval '[ $rc = 0 ] && agent_started tty-set && [ "$(hvac_prop TargetTemperature)" = "d 23" ]'
agent_run notty-power notty power on
check "power on, no terminal: exit 0 (got $rc), no agent started" eval '[ $rc = 0 ] && agent_none notty-power'
agent_run noask-power tty --no-ask-password power off
check "--no-ask-password power off, on a terminal: exit 0 (got $rc), no agent started" \
        eval '[ $rc = 0 ] && agent_none noask-power && [ "$(hvac_prop Power)" = "b false" ]'
agent_run tty-mute tty mute
check "mute, on a terminal: exit 0 (got $rc), no agent (muting asks nobody)" eval '[ $rc = 0 ] && agent_none tty-mute'
agent_run tty-unmute tty unmute
check "unmute, on a terminal: exit 0 (got $rc), an agent started and stopped" eval '[ $rc = 0 ] && agent_started tty-unmute'
script -qec "$(printf '%q ' "$ctl" power on)" /dev/null >"$tmp/out-pty" 2>&1 </dev/null
rc=$?
check "power on, on a terminal, without strace: exit 0 (got $rc), no sanitizer report: $(grep -m1 Sanitizer "$tmp/out-pty")" \
        eval '[ $rc = 0 ] && ! grep -q Sanitizer "$tmp/out-pty"'
run --no-ask-password mute
wait_for 10 eval '[ "$(interactive_of SetMute | wc -c)" -ge 3 ]'
kill "$monitor_pid" 2>/dev/null; wait "$monitor_pid" 2>/dev/null
check "SetPower: ALLOW_INTERACTIVE_AUTHORIZATION not with --no-ask-password alone ($(interactive_of SetPower))" \
        test "$(interactive_of SetPower)" = 11101
check "SetTargetTemperature: ALLOW_INTERACTIVE_AUTHORIZATION ($(interactive_of SetTargetTemperature))" \
        test "$(interactive_of SetTargetTemperature)" = 1
check "SetMute: on mute and unmute, not with --no-ask-password ($(interactive_of SetMute))" \
        test "$(interactive_of SetMute)" = 110
run power on
run set temperature 24

# The real polkitd on this bus, in a mount namespace of its own where its actions directory holds
# the project's .policy and no rule applies: the agent a terminal call starts registers with it,
# for voicehvacctl's process, before the call, and is gone after it. This host has no login
# session for polkit to ask in, and polkitd consults a fallback agent only for a subject in a
# session: nobody's unmute is still refused here, and the microphone stays muted.
mkdir -p "$tmp/pk-actions" "$tmp/pk-rules" "$tmp/pk-empty"
cp "$src/dbus-interfaces/org.voicehvac.policy" "$tmp/pk-actions/"
spawn polkitd unshare --mount --propagation private sh -c "mount --bind '$tmp/pk-actions' /usr/share/polkit-1/actions &&
        mount --bind '$tmp/pk-rules' /etc/polkit-1/rules.d && mount --bind '$tmp/pk-empty' /usr/share/polkit-1/rules.d &&
        exec /usr/lib/polkit-1/polkitd"
check "polkitd owns org.freedesktop.PolicyKit1 on this bus" wait_for 20 has_name org.freedesktop.PolicyKit1
# registered_for NAME — polkitd's log says the agent of run NAME registered for voicehvacctl's
# process, with --fallback, and unregistered.
registered_for() {
        local pid
        pid=$(head -n1 "$tmp/trace-$1" | awk '{ print $1 }')
        grep -q "Registered Authentication Agent for unix-process:$pid:.*pkttyagent --notify-fd [0-9]* --fallback" "$tmp/polkitd.log" &&
                wait_for 10 grep -q "Unregistered Authentication Agent for unix-process:$pid:" "$tmp/polkitd.log"
}
run mute
agent_run pk-unmute tty unmute
check "unmute as root, on a terminal, polkitd running: exit 0 (got $rc), Muted is false" \
        eval '[ $rc = 0 ] && [ "$(muted)" = "b false" ]'
check "polkitd saw the agent register for voicehvacctl's process, and go" registered_for pk-unmute
run mute
chmod 755 "$tmp"
agent_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
agent_run pk-unmute-nobody tty unmute
agent_as=()
check "unmute as nobody, on a terminal: exit 1 (got $rc), polkit asked for authentication: $(tail -n1 "$tmp/out-pk-unmute-nobody")" \
        eval '[ $rc = 1 ] && grep -q "polkit asks for authentication" "$tmp/out-pk-unmute-nobody"'
check "polkitd saw nobody's agent register for voicehvacctl's process, and go" registered_for pk-unmute-nobody
check "still muted" test "$(muted)" = "b true"
kill "$polkitd_pid"; wait "$polkitd_pid" 2>/dev/null

# ---- mute, and unmute refused to nobody ---------------------------------------------------
run mute
check "mute: exit 0, Muted is true" bash -c '[ $0 = 0 ] && [ "$(muted)" = "b true" ]' "$rc"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$ctl" unmute >"$tmp/out" 2>"$tmp/err"
rc=$?
err=$(cat "$tmp/err")
check "unmute as nobody: exit 1 (got $rc)" test "$rc" = 1
check "unmute as nobody: one line with audiod's NotAuthorized message: $err" \
        bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "^Failed to unmute: Unmuting requires root or membership of group .root." <<<"$1"' _ "$err"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$ctl" --json unmute >"$tmp/out" 2>/dev/null
check "unmute as nobody, --json: error org.voicehvac.Error.NotAuthorized" \
        test "$(jget "$(cat "$tmp/out")" 'j["error"]')" = org.voicehvac.Error.NotAuthorized
check "still muted" test "$(muted)" = "b true"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$ctl" status >"$tmp/out" 2>"$tmp/err"
check "status as nobody: reading stays open (exit $?)" grep -q "Microphone: muted" "$tmp/out"
run status
check "status shows the mute" grep -q "Microphone: muted, running" <<<"$out"
run unmute
check "unmute as root: exit 0, Muted is false" bash -c '[ $0 = 0 ] && [ "$(muted)" = "b false" ]' "$rc"

# ---- status and health, everything running ------------------------------------------------
check "health: hvacd ok within 10 s" wait_for 10 bash -c '"$0" health | grep -q "^hvacd  *ok"' "$ctl"
run status
echo "$out" | sed 's/^/# /'
check "status: exit 0 (got $rc), nothing on stderr" bash -c '[ $0 = 0 ] && [ -z "$1" ]' "$rc" "$err"
check "status: the microphone" grep -Eq "^ +Microphone: unmuted, running$" <<<"$out"
check "status: the capture device" grep -Eq "^ +Capture device: vhtest \(16 kHz, mono\)$" <<<"$out"
check "status: the air conditioner" grep -Eq "^ +Air conditioner: on, cool, 24 °C, fan high$" <<<"$out"
check "status: the room temperature" grep -Eq "^ +Room temperature: [0-9]+\.[0-9] °C$" <<<"$out"
check "status: the limits" grep -Eq "^ +Backend: sim, targets 16…30 °C in steps of 0.5$" <<<"$out"
check "status: health of each service" grep -Eq "^ +Health: audiod ok, hvacd ok, wakeword" <<<"$out"
check "status: the wake word" grep -Eq '^ +Wake word: listening for "hey climate"$' <<<"$out"
check "status: detections" grep -Eq "^ +Detections: [0-9]+ since wakeword started$" <<<"$out"
check "status: labels right-aligned in one column" \
        bash -c '[ "$(grep -v "^ *$" <<<"$1" | awk -F: "{ print index(\$0, \":\") }" | sort -u)" = 18 ]' _ "$out"
run --json status
check "status --json: exit 0, one line of valid JSON" bash -c '[ $0 = 0 ] && [ "$(wc -l <<<"$1")" = 1 ] && json_ok "$1"' "$rc" "$out"
check "status --json: audio, hvac, watchdog running with their properties" \
        test "$(jget "$out" '[j["audio"]["running"], j["audio"]["Muted"], j["hvac"]["TargetTemperature"], j["hvac"]["Mode"], j["watchdog"]["Health"]["hvacd"]["State"]]')" = "[True, False, 24.0, 'cool', 'ok']"
check "status --json: what wakeword last heard, nothing yet" \
        test "$(jget "$out" '[j["wakeword"]["LastWakeTimestamp"], j["wakeword"]["LastCommand"], j["wakeword"]["LastRejection"]]')" = "[0, '', '']"
run health
check "health: exit 0, a row per service" bash -c '[ $0 = 0 ] && for s in audiod hvacd wakeword system; do grep -q "^$s " <<<"$1" || exit 1; done' "$rc" "$out"
check "health: audiod ok with its pid" grep -Eq "^audiod +ok +$audiod_pid " <<<"$out"
run --json health
check "health --json: valid, GetHealth's dictionary" bash -c '[ $0 = 0 ] && json_ok "$1"' "$rc" "$out"
check "health --json: hvacd's pid and state" test "$(jget "$out" '[j["hvacd"]["State"], j["hvacd"]["Pid"]]')" = "['ok', $hvacd_pid]"

# ---- monitor: another client's change, and the level meter while unmuted -------------------
"$ctl" monitor --level-interval=0.5 >"$tmp/monitor.out" 2>"$tmp/monitor.err" &
monitor=$!
pids="$pids $monitor"
check "monitor: a level line within 10 s" wait_for 10 grep -q "level" "$tmp/monitor.out"
bus call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 25
check "monitor: a level line while unmuted" wait_for 5 grep -Eq "^[0-9:.]+ +level +rms" "$tmp/monitor.out"
check "monitor: another client's change (TargetTemperature=25)" \
        wait_for 5 grep -Eq "^[0-9:.]+ +hvac +.*TargetTemperature=25( |$)" "$tmp/monitor.out"
level=$(grep -m1 -E "level +rms" "$tmp/monitor.out")
check "monitor: the tone's level, RMS -9.0 and peak -6.0 dBFS: $level" \
        grep -Eq "rms +-9\.0 dBFS +peak +-6\.0 dBFS" <<<"$level"
check "monitor: the starting state first (TargetTemperature=24)" grep -Eq "hvac +.*TargetTemperature=24( |$)" "$tmp/monitor.out"
bus call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b true
check "monitor: the mute shows" wait_for 5 grep -Eq "audio +.*Muted=true" "$tmp/monitor.out"
# Once the monitor has shown a change made after the mute, it has read what audiod sent before it.
bus call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 25.5
check "monitor: a change after the mute shows" \
        wait_for 5 grep -Eq "^[0-9:.]+ +hvac +.*TargetTemperature=25.5( |$)" "$tmp/monitor.out"
before=$(grep -c "level" "$tmp/monitor.out")
# Nothing is to happen: a window to watch, then a change that shows the monitor is still reading.
sleep 1.5
bus call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 25
check "monitor: a change at the end of the muted window shows" \
        wait_for 5 shown_after "TargetTemperature=25\.5" "^[0-9:.]+ +hvac +.*TargetTemperature=25( |$)" "$tmp/monitor.out"
check "monitor: no level lines while muted" test "$(grep -c "level" "$tmp/monitor.out")" = "$before"
bus call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b false
check "monitor: level lines again once unmuted" \
        wait_for 5 bash -c '[ "$(grep -c level "$0")" -gt "$1" ]' "$tmp/monitor.out" "$before"
stop "$monitor"
check "monitor: exits 0 on SIGTERM (got $?)" test $? = 0
check "monitor: nothing on stderr" test ! -s "$tmp/monitor.err"

# Into a pipe without --level-interval: no meter line ten times a second.
"$ctl" monitor >"$tmp/monitor2.out" 2>&1 &
monitor=$!
pids="$pids $monitor"
check "monitor into a file: the starting state" wait_for 5 grep -Eq "^[0-9:.]+ +hvac " "$tmp/monitor2.out"
bus call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetMode s heat
check "monitor into a file: the change" wait_for 5 grep -q "Mode=heat" "$tmp/monitor2.out"
# Nothing is to happen: a window to watch (the meter at ten lines a second would show in it).
sleep 2
stop "$monitor"
check "monitor into a file: exit 0" test $? = 0
check "monitor into a file: no level line in the first seconds (default: one per 10 s)" \
        bash -c '! grep -q level "$0"' "$tmp/monitor2.out"

"$ctl" --json monitor --level-interval=0.5 >"$tmp/monitor3.out" 2>&1 &
monitor=$!
pids="$pids $monitor"
check "monitor --json: a level event within 10 s" wait_for 10 grep -q '"level"' "$tmp/monitor3.out"
bus call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetFanSpeed s low
check "monitor --json: the change" wait_for 5 grep -q '"FanSpeed":"low"' "$tmp/monitor3.out"
stop "$monitor"
check "monitor --json: exit 0" test $? = 0
check "monitor --json: every line is a JSON object with an event" $py -c '
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
assert events and all("event" in e and "realtime_usec" in e for e in events)
lv = [e for e in events if e["event"] == "level"]
assert lv and abs(lv[0]["rms_dbfs"] + 9.03) < 0.2 and abs(lv[0]["peak_dbfs"] + 6.02) < 0.2, lv[:1]
ch = [e for e in events if e["event"] == "changed" and e["service"] == "hvac"]
assert any(e["properties"].get("FanSpeed") == "low" for e in ch), ch
st = [e for e in events if e["event"] == "state"]
assert st and st[0]["properties"]["Mode"] == "heat", st[:1]
sv = {e["service"]: e["running"] for e in events if e["event"] == "service"}
assert sv.get("audiod") is True and sv.get("hvacd") is True and sv.get("watchdogd") is True, sv
' "$tmp/monitor3.out"

# ---- services that are not running --------------------------------------------------------
"$ctl" monitor >"$tmp/monitor4.out" 2>&1 &
monitor=$!
pids="$pids $monitor"
check "monitor: hvacd is running" wait_for 5 grep -q "service  *hvacd is running" "$tmp/monitor4.out"
stop "$hvacd_pid"
check "hvacd exits 0 on SIGTERM (got $?)" test $? = 0
check "monitor: says that hvacd went away" wait_for 5 grep -q "service  *hvacd is not running" "$tmp/monitor4.out"
stop "$monitor"
run set temperature 24
check "set with hvacd stopped: exit 1, one line saying so: $err" \
        bash -c '[ $0 = 1 ] && [ "$1" = "Failed to set the temperature: hvacd is not running (org.voicehvac.Hvac1 is not on the bus)" ]' "$rc" "$err"
run --json power off
check "--json, hvacd stopped: the bus error's name" \
        test "$(jget "$out" 'j["error"]')" = org.freedesktop.DBus.Error.ServiceUnknown
run status
check "status with hvacd stopped: exit 0, says so" \
        bash -c '[ $0 = 0 ] && grep -Eq "^ +Air conditioner: n/a \(hvacd is not running\)$" <<<"$1" && grep -q "Microphone: unmuted" <<<"$1"' "$rc" "$out"
run --json status
check "status --json with hvacd stopped: hvac.running is false" \
        test "$(jget "$out" '[j["hvac"]["running"], j["audio"]["running"]]')" = "[False, True]"

stop "$watchdogd_pid"
check "watchdogd exits 0 on SIGTERM (got $?)" test $? = 0
run health
check "health with watchdogd stopped: exit 1, one line: $err" \
        bash -c '[ $0 = 1 ] && [ "$1" = "Failed to get the health: watchdogd is not running (org.voicehvac.Watchdog1 is not on the bus)" ]' "$rc" "$err"

stop "$audiod_pid"
check "audiod exits 0 on SIGTERM (got $?)" test $? = 0
stop "$wakeword_pid"
check "wakeword exits 0 on SIGTERM (got $?)" test $? = 0
"$ctl" monitor >"$tmp/monitor5.out" 2>&1 &
monitor=$!
pids="$pids $monitor"
check "monitor with nothing running: says so instead of printing nothing" \
        wait_for 5 grep -q "no voicehvac service is running; waiting" "$tmp/monitor5.out"
stop "$monitor"
check "monitor with nothing running: every daemon named as not running" \
        test "$(grep -c "service  *[a-z]* is not running" "$tmp/monitor5.out")" = 4
run status
check "status with nothing running: exit 1, every service n/a" \
        bash -c '[ $0 = 1 ] && [ "$(grep -c "n/a (.* is not running)" <<<"$1")" = 4 ] && grep -q "No voicehvac service" <<<"$2"' "$rc" "$out" "$err"
run mute
check "mute with audiod stopped: exit 1: $err" \
        bash -c '[ $0 = 1 ] && [ "$1" = "Failed to mute: audiod is not running (org.voicehvac.Audio1 is not on the bus)" ]' "$rc" "$err"

DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-such-bus "$ctl" status >"$tmp/out" 2>"$tmp/err"
rc=$?
check "no bus: exit 1, one line: $(cat "$tmp/err")" \
        bash -c '[ $0 = 1 ] && [ "$(wc -l <"$1")" = 1 ] && grep -q "^Failed to connect to the system bus at unix:path=" "$1"' "$rc" "$tmp/err"

checks_done
