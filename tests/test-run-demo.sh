#!/bin/bash
# `make run`'s script, non-interactively: tools/run-demo.sh with DEMO_SECONDS, on the bundled
# recording (no sound card needed). The spoken "hey climate, set the temperature to twenty four"
# must show as a wake, a set_temperature command and TargetTemperature=24 within a minute, and
# when it ends nothing of the stack may be left running.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
case $build in /*) ;; *) build="$src/$build" ;; esac
. "$src/tests/lib/check.sh"

for tool in espeak-ng sox dbus-daemon; do
        command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || { echo "SKIP: pocketsphinx-en-us is not installed"; exit 77; }

run=$(mktemp -d /tmp/voicehvac-test-demo.XXXXXX)
trap 'rm -rf "$run"' EXIT

start=$SECONDS
DEMO_SECONDS=${DEMO_TEST_SECONDS:-60} DEMO_AUDIO=file DEMO_RUNTIME_DIR="$run" \
        timeout --kill-after=10 150 "$src/tools/run-demo.sh" "$build" >"$run/out" 2>&1
status=$?
cat "$run/out"
echo "--- (ran $((SECONDS - start)) s)"

check "the script exits 0 (got $status)" test "$status" = 0
check "the stack came up" grep -q 'Stack starting' "$run/out"
check "a wake detection is shown" grep -Eq '^[0-9:.]+ +wake +"hey climate"' "$run/out"
check "the command is shown with its intent" \
        grep -Eq '^[0-9:.]+ +command +"set the temperature to twenty four.*action=set_temperature value=24' "$run/out"
check "the air conditioner's change is shown: TargetTemperature=24" \
        grep -Eq '^[0-9:.]+ +hvac +.*TargetTemperature=24( |$)' "$run/out"
check "the starting state was shown first (TargetTemperature=21)" grep -Eq 'hvac +.*TargetTemperature=21' "$run/out"
check "no restarts happened" bash -c '! grep -Eq "^[0-9:.]+ +restart " "$1"' _ "$run/out"
check "every daemon exited cleanly" bash -c '! grep -q "did not exit cleanly" "$1"' _ "$run/stack.log"

# Nothing started from this run's directory may still be running. (Read in the shell: a grep
# for the path would find itself.)
leftovers() { # the command lines of the processes started from $run, "; "-separated
        local f cmd left=""
        for f in /proc/[0-9]*/cmdline; do
                cmd=$(tr '\0' ' ' <"$f" 2>/dev/null)
                case $cmd in *"$run"*) left="$left${left:+; }$cmd" ;; esac
        done
        echo "$left"
}
left=$(leftovers)
check "no process of the demo left running${left:+: $left}" test -z "$left"
[ "$failures" -eq 0 ] || { echo "--- stack.log"; tail -40 "$run/stack.log"; }

# Ctrl-C: SIGINT to the script's whole process group, as a terminal sends it.
rm -rf "$run"/*
setsid env DEMO_AUDIO=file DEMO_RUNTIME_DIR="$run" "$src/tools/run-demo.sh" "$build" >"$run.int" 2>&1 &
leader=$!
stack_up() { grep -q 'health +wakeword ok\|wakeword: ok' "$run.int" "$run/stack.log" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }
check "the stack is up (wakeword ok) within 30 s" wait_for 30 stack_up
kill -INT -- "-$leader"
check "Ctrl-C ends the script within 30 s" wait_for 30 gone "$leader"
wait "$leader"
status=$?
check "and it exits 0 after Ctrl-C (got $status)" test "$status" = 0
check "watchdogd stopped the stack" grep -q 'Stopping audiod' "$run/stack.log"
left=$(leftovers)
check "no process of the demo left after Ctrl-C${left:+: $left}" test -z "$left"
rm -f "$run.int"
checks_done
