#!/bin/bash
# mqttd against a real Mosquitto broker on 127.0.0.1 and the real hvacd (sim backend) and audiod
# (vhtest ALSA device) on a private bus, with mosquitto_sub/mosquitto_pub as Home Assistant:
# discovery documents, commands in and state out, refusals logged and changing nothing, unmute
# governed by allow_unmute, the broker killed and restarted, two hubs on one broker, the last
# will and a clean "offline" on SIGTERM, no file descriptor leaked; and configurations refused.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/stack.sh"
. "$src/tests/lib/check.sh"
case $build in /*) ;; *) build="$src/$build" ;; esac
case $src in /*) ;; *) src=$(cd "$src" && pwd) ;; esac
py=/usr/bin/python3
scale=${VH_TEST_TIME_SCALE:-1}

stack_require_built mqttd/mqttd audiod/audiod hvacd/hvacd watchdogd/watchdogd voicehvacctl/voicehvacctl \
        tests/alsa/libasound_module_pcm_vhtest.so
stack_require_tools dbus-daemon busctl mosquitto mosquitto_sub mosquitto_pub mosquitto_passwd openssl

stack_tmpdir test-mqttd

# ---- the broker -----------------------------------------------------------------------------
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/broker"
cat >"$tmp/broker/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $tmp/broker/
autosave_interval 1
log_dest file $tmp/broker/log
log_type all
CONF
# As root, mosquitto would drop to its own user, which cannot write here.
[ "$(id -u)" = 0 ] && echo "user root" >>"$tmp/broker/mosquitto.conf"
broker_up() { mosquitto_pub -h 127.0.0.1 -p "$port" -t probe -n -q 1 2>/dev/null; }
broker_start() {
        spawn broker mosquitto -c "$tmp/broker/mosquitto.conf"
        wait_for 10 broker_up || { echo "FAIL: mosquitto did not start"; cat "$tmp/broker/log"; exit 1; }
}
broker_start

# retained TOPIC — the retained payload of TOPIC, or nothing.
retained() { mosquitto_sub -h 127.0.0.1 -p "$port" -t "$1" -C 1 -W 1 --retained-only 2>/dev/null; }
retained_is() { [ "$(retained "$1")" = "$2" ]; }
pub() { mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 "$@"; }
export -f retained retained_is
export port

# ---- hub A: bus, hvacd, audiod, mqttd ------------------------------------------------------
$py - "$tmp/tone.raw" <<'PY'
import math, struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(b"".join(struct.pack("<h", round(8000 * math.sin(2 * math.pi * 440 * k / 16000))) for k in range(16000)))
PY
vhtest_alsa_env "$tmp" "$tmp/tone.raw"
mkdir -p "$tmp/a"
stack_bus "$tmp/a"
bus_a=$DBUS_SYSTEM_BUS_ADDRESS

cat >"$tmp/audiod.json" <<JSON
{ "device": "vhtest", "mixer_device": "vhtest", "unmute_group": "root", "default_muted": false }
JSON
cat >"$tmp/hvacd.json" <<JSON
{ "backend": "sim", "min_temperature": 16, "max_temperature": 30, "temperature_step": 0.5 }
JSON
cat >"$tmp/a/mqttd.json" <<JSON
{ "broker": "mqtt://127.0.0.1:1", "node_id": "hub-a", "name": "Living room hub",
  "reconnect_initial_ms": 200, "reconnect_max_ms": 1000, "keepalive_sec": 5 }
JSON
mkdir -p "$tmp/a/state"
STATE_DIRECTORY="$tmp/a/state" spawn audiod "$build/audiod/audiod" --config "$tmp/audiod.json"
STATE_DIRECTORY="$tmp/a/state" spawn hvacd "$build/hvacd/hvacd" --config "$tmp/hvacd.json"
# --broker over the file's unusable address.
spawn mqttd "$build/mqttd/mqttd" --config "$tmp/a/mqttd.json" --broker "mqtt://127.0.0.1:$port"

bus() { busctl --address="$1" "${@:2}"; }
has_name() { bus "$1" status "$2" >/dev/null 2>&1; }
hvac() { bus "$1" get-property org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 "$2"; }
muted() { bus "$bus_a" get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 Muted; }
mqtt_prop() { bus "$1" get-property org.voicehvac.Mqtt1 /org/voicehvac/Mqtt1 org.voicehvac.Mqtt1 "$2"; }
hvac_is() { [ "$(hvac "$1" "$2")" = "$3" ]; }
prop_is() { [ "$(mqtt_prop "$1" "$2")" = "$3" ]; }
logged() { grep -qF -- "$2" "$tmp/$1.log"; }
export -f bus hvac mqtt_prop muted hvac_is prop_is has_name
export bus_a

for n in Audio1 Hvac1 Mqtt1; do
        wait_for $((30 * scale)) has_name "$bus_a" "org.voicehvac.$n" ||
                { echo "FAIL: org.voicehvac.$n did not come up"; tail -n 20 "$tmp"/*.log; exit 1; }
done
A=voicehvac/hub-a
check "mqttd connects: State connected" wait_for $((10 * scale)) prop_is "$bus_a" State 's "connected"'
busctl --address="$bus_a" --xml-interface introspect org.voicehvac.Mqtt1 /org/voicehvac/Mqtt1 >"$tmp/live.xml" 2>&1
check "the live interface is the reviewed contract" \
        $py "$src/tests/lib/compare-introspection.py" "$src/dbus-interfaces/org.voicehvac.Mqtt1.xml" "$tmp/live.xml" org.voicehvac.Mqtt1
check "Broker is the --broker address" prop_is "$bus_a" Broker 's "mqtt://127.0.0.1:'"$port"'"'
check "availability is retained 'online'" wait_for 5 retained_is "$A/availability" online
check "climate availability 'online' (hvacd on the bus)" wait_for 5 retained_is "$A/climate/availability" online
check "mute availability 'online' (audiod on the bus)" wait_for 5 retained_is "$A/mute/availability" online
fds_start=$(ls /proc/"$mqttd_pid"/fd | wc -l)

# watchdogd watches mqttd where its configuration enables it (the default leaves it out).
cat >"$tmp/watchdogd.json" <<JSON
{ "ping_interval_ms": 300, "ping_timeout_ms": 250, "start_timeout_ms": 2000, "budget_file": "$src/cgroups/budget.json",
  "audiod": { "enabled": false }, "wakeword": { "enabled": false }, "hvacd": { "enabled": false },
  "mqttd": { "enabled": true } }
JSON
spawn watchdogd "$build/watchdogd/watchdogd" --config "$tmp/watchdogd.json"
mqttd_health() { # the State watchdogd reports for mqttd
        busctl --address="$bus_a" --json=short call org.voicehvac.Watchdog1 /org/voicehvac/Watchdog1 \
                org.voicehvac.Watchdog1 GetHealth 2>/dev/null |
                $py -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["mqttd"]["State"]["data"])' 2>/dev/null
}
mqttd_health_is() { [ "$(mqttd_health)" = "$1" ]; }
check "watchdogd reports mqttd ok" wait_for $((10 * scale)) mqttd_health_is ok
"$build/voicehvacctl/voicehvacctl" status >"$tmp/status" 2>&1
check "voicehvacctl status: the bridge's line" grep -Eq "^ +Home Assistant: connected to mqtt://127.0.0.1:$port as hub-a$" "$tmp/status"
check "voicehvacctl status: its commands and the unmute rule" grep -Eq "^ +MQTT commands: 0 sent, 0 rejected; unmute refused$" "$tmp/status"
"$build/voicehvacctl/voicehvacctl" --json status >"$tmp/status.json" 2>&1
check "voicehvacctl --json status: mqtt.NodeId" test "$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["mqtt"]["NodeId"])' "$tmp/status.json")" = hub-a

# ---- discovery ------------------------------------------------------------------------------
discovery() { # discovery FILE — every retained document under homeassistant/, "TOPIC JSON" a line
        mosquitto_sub -h 127.0.0.1 -p "$port" -t 'homeassistant/#' -v --retained-only -W 1 >"$1" 2>/dev/null
        true
}
discovery "$tmp/discovery"
check_discovery() { # check_discovery FILE NODE NAME — HA's required fields, this hub's topics only
        $py - "$1" "$2" "$3" <<'PY'
import json, sys
path, node, name = sys.argv[1:]
docs = {}
for line in open(path):
    topic, _, payload = line.rstrip("\n").partition(" ")
    if f"/{node}/" in topic:
        docs[topic] = json.loads(payload)
want = {f"homeassistant/climate/{node}/climate/config", f"homeassistant/switch/{node}/mic_mute/config",
        f"homeassistant/event/{node}/wake_word/config", f"homeassistant/sensor/{node}/last_command/config"}
assert set(docs) == want, sorted(docs)
base = f"voicehvac/{node}"
for t, d in docs.items():
    assert d["unique_id"].startswith(f"voicehvac_{node}_"), d["unique_id"]
    assert d["device"]["identifiers"] == [f"voicehvac_{node}"] and d["device"]["name"] == name, d["device"]
    assert {"topic": f"{base}/availability"} in d["availability"], d["availability"]
    assert d["payload_available"] == "online" and d["payload_not_available"] == "offline"
    for k, v in d.items():
        if k.endswith("_topic"):
            assert v.startswith(base + "/"), (k, v)
c = docs[f"homeassistant/climate/{node}/climate/config"]
assert c["modes"] == ["off", "cool", "heat", "dry", "fan_only", "auto"], c["modes"]
assert c["fan_modes"] == ["auto", "low", "medium", "high"], c["fan_modes"]
assert (c["min_temp"], c["max_temp"], c["temp_step"]) == (16, 30, 0.5), c
assert c["temperature_unit"] == "C"
for k in ("mode_command_topic", "mode_state_topic", "temperature_command_topic", "temperature_state_topic",
          "current_temperature_topic", "fan_mode_command_topic", "fan_mode_state_topic"):
    assert k in c, k
assert {"topic": f"{base}/climate/availability"} in c["availability"] and c["availability_mode"] == "all"
s = docs[f"homeassistant/switch/{node}/mic_mute/config"]
assert s["command_topic"] == f"{base}/mute/set" and s["state_topic"] == f"{base}/mute"
assert (s["payload_on"], s["payload_off"]) == ("ON", "OFF")
e = docs[f"homeassistant/event/{node}/wake_word/config"]
assert e["state_topic"] == f"{base}/wake_word" and e["event_types"] == ["wake"]
assert docs[f"homeassistant/sensor/{node}/last_command/config"]["state_topic"] == f"{base}/last_command"
PY
}
check "discovery: four valid JSON documents with the fields Home Assistant requires" \
        check_discovery "$tmp/discovery" hub-a "Living room hub"

# ---- state out ----------------------------------------------------------------------------
mode_word() { # the HA mode hvacd's state is: "off" or its Mode
        if [ "$(hvac "$1" Power)" = "b false" ]; then echo off; else hvac "$1" Mode | sed 's/^s "\(.*\)"$/\1/'; fi
}
check "mode state is hvacd's ($(mode_word "$bus_a"))" wait_for 5 bash -c 'retained_is "$0" "$1"' "$A/climate/mode" "$(mode_word "$bus_a")"
bus "$bus_a" call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 25.5
check "a D-Bus change appears on the state topic" wait_for 5 retained_is "$A/climate/target_temperature" 25.5
# Anyone on the bus can send a signal with hvacd's path: only hvacd's own are believed.
mosquitto_sub -h 127.0.0.1 -p "$port" -t "$A/climate/target_temperature" -t "$A/last_command" -v >"$tmp/spoof.sub" 2>/dev/null &
spoof_sub=$!
pids="$pids $spoof_sub"
wait_for 5 grep -q "target_temperature 25.5" "$tmp/spoof.sub" || fail "the subscriber for the spoofing check"
bus "$bus_a" emit /org/voicehvac/Hvac1 org.freedesktop.DBus.Properties PropertiesChanged 'sa{sv}as' \
        org.voicehvac.Hvac1 1 TargetTemperature d 29 0
bus "$bus_a" emit /org/voicehvac/WakeWord1 org.voicehvac.WakeWord1 CommandRecognized 'sa{sv}t' "open the door" 0 0
bus "$bus_a" call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 26
wait_for 5 grep -q "target_temperature 26$" "$tmp/spoof.sub" || fail "the real change after the spoofed one"
kill "$spoof_sub" 2>/dev/null
check "a PropertiesChanged from another sender than hvacd is not published" bash -c '! grep -q " 29$" "$0"' "$tmp/spoof.sub"
check "a CommandRecognized from another sender than wakeword is not published" bash -c '! grep -q "open the door" "$0"' "$tmp/spoof.sub"
bus "$bus_a" call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 25.5
wait_for 5 retained_is "$A/climate/target_temperature" 25.5 || fail "back to 25.5"
check "current temperature is published" bash -c '[ -n "$(retained "$0")" ]' "$A/climate/current_temperature"
check "mute state is audiod's (OFF)" wait_for 5 retained_is "$A/mute" OFF

# ---- commands in --------------------------------------------------------------------------
pub -t "$A/climate/mode/set" -m heat
check "mode 'heat' from MQTT: hvacd is on, in heat" wait_for 5 bash -c 'hvac_is "$0" Mode "s \"heat\"" && hvac_is "$0" Power "b true"' "$bus_a"
check "… and the state topic says heat" wait_for 5 retained_is "$A/climate/mode" heat
pub -t "$A/climate/target_temperature/set" -m 22.5
check "target temperature 22.5 from MQTT" wait_for 5 hvac_is "$bus_a" TargetTemperature "d 22.5"
pub -t "$A/climate/fan_mode/set" -m high
check "fan mode high from MQTT" wait_for 5 hvac_is "$bus_a" FanSpeed 's "high"'
pub -t "$A/climate/mode/set" -m off
check "mode 'off' from MQTT: Power false, Mode kept" wait_for 5 bash -c 'hvac_is "$0" Power "b false" && hvac_is "$0" Mode "s \"heat\""' "$bus_a"
check "… and the state topic says off" wait_for 5 retained_is "$A/climate/mode" off
pub -t "$A/climate/mode/set" -m cool
check "mode 'cool' from MQTT: on again, in cool" wait_for 5 bash -c 'hvac_is "$0" Mode "s \"cool\"" && hvac_is "$0" Power "b true"' "$bus_a"

# ---- refusals: a log line each, nothing changes --------------------------------------------
before=$(hvac "$bus_a" Mode; hvac "$bus_a" Power; hvac "$bus_a" TargetTemperature; hvac "$bus_a" FanSpeed)
rejected0=$(mqtt_prop "$bus_a" Rejected | cut -d' ' -f2)
pub -t "$A/climate/mode/set" -m warm
check "unknown mode refused with a log line" wait_for 5 logged mqttd "Rejected the mode 'warm' from MQTT"
pub -t "$A/climate/fan_mode/set" -m turbo
check "unknown fan mode refused with a log line" wait_for 5 logged mqttd "Rejected the fan mode 'turbo'"
pub -t "$A/climate/target_temperature/set" -m 'twenty'
check "non-number temperature refused with a log line" wait_for 5 logged mqttd "Rejected the target temperature 'twenty'"
pub -t "$A/climate/target_temperature/set" -m 99
check "out-of-range temperature: hvacd's refusal logged with its error name" \
        wait_for 5 logged mqttd "hvacd refused the target temperature '99' from MQTT: org.voicehvac.Error.InvalidArgument"
pub -t "$A/climate/target_temperature/set" -m 22.3
check "off-step temperature: hvacd's refusal logged" wait_for 5 logged mqttd "hvacd refused the target temperature '22.3'"
head -c 100000 /dev/zero | tr '\0' 'x' >"$tmp/big"
pub -t "$A/climate/mode/set" -f "$tmp/big"
check "oversized payload refused with a log line" wait_for 5 logged mqttd "Rejected a mode command on $A/climate/mode/set: 100000 bytes, at most 64."
printf 'co\001ol' >"$tmp/ctl"
pub -t "$A/climate/mode/set" -f "$tmp/ctl"
check "payload with a control byte refused" wait_for 5 logged mqttd "not printable ASCII text"
pub -t "$A/climate/mode/set" -n
check "empty mode refused" wait_for 5 logged mqttd "Rejected the mode '' from MQTT"
check "Rejected counts the eight refusals" wait_for 5 prop_is "$bus_a" Rejected "t $((rejected0 + 8))"
after=$(hvac "$bus_a" Mode; hvac "$bus_a" Power; hvac "$bus_a" TargetTemperature; hvac "$bus_a" FanSpeed)
check "… and the unit is as it was ($(echo $before))" test "$before" = "$after"
check "the state topic shows the true target again after a refusal" retained_is "$A/climate/target_temperature" 22.5
check "mqttd is alive after the refusals" kill -0 "$mqttd_pid"

# ---- mute: allowed, unmute refused by configuration ----------------------------------------
pub -t "$A/mute/set" -m ON
check "mute ON from MQTT mutes audiod" wait_for 5 bash -c '[ "$(muted)" = "b true" ]'
check "… and the switch state says ON" wait_for 5 retained_is "$A/mute" ON
pub -t "$A/mute/set" -m OFF
check "unmute refused: allow_unmute is false (logged)" wait_for 5 logged mqttd "Refused to unmute from MQTT: allow_unmute is false"
check "… audiod stays muted" test "$(muted)" = "b true"
check "… and the switch state stays ON" retained_is "$A/mute" ON

# ---- broker killed and restarted -----------------------------------------------------------
commands0=$(mqtt_prop "$bus_a" Commands)
# A retained command acts once, when it is sent, and never again when the broker hands it back.
pub -r -t "$A/climate/fan_mode/set" -m low
check "a retained command acts when sent" wait_for 5 hvac_is "$bus_a" FanSpeed 's "low"'
bus "$bus_a" call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetFanSpeed s medium
wait_for 5 retained_is "$A/climate/fan_mode" medium
commands1=$(mqtt_prop "$bus_a" Commands)
# What the broker keeps loses the climate document and the mode: only a republish brings them back.
pub -r -t homeassistant/climate/hub-a/climate/config -n
pub -r -t "$A/climate/mode" -n
check "discovery and mode state cleared on the broker" bash -c '[ -z "$(retained "$0")" ] && [ -z "$(retained "$1")" ]' \
        homeassistant/climate/hub-a/climate/config "$A/climate/mode"
mark=$(date +%s)
saved_after() { [ -e "$tmp/broker/mosquitto.db" ] && [ "$(stat -c %Y "$tmp/broker/mosquitto.db")" -gt "$1" ]; }
wait_for 5 saved_after "$mark" || fail "mosquitto saved its store"
kill -9 "$broker_pid"; wait "$broker_pid" 2>/dev/null
check "mqttd notices the broker gone" wait_for $((20 * scale)) prop_is "$bus_a" State 's "connecting"'
broker_start
check "mqttd reconnects by itself" wait_for $((20 * scale)) prop_is "$bus_a" Connects "u 2"
check "availability 'online' again" wait_for 5 retained_is "$A/availability" online
check "climate discovery republished" wait_for 5 bash -c '[ -n "$(retained homeassistant/climate/hub-a/climate/config)" ]'
check "mode state republished" wait_for 5 retained_is "$A/climate/mode" cool
check "the retained command was not applied again (logged, fan still medium)" \
        bash -c 'grep -q "Ignoring a retained fan mode command" "$0" && [ "$(hvac "$1" FanSpeed)" = "s \"medium\"" ]' \
        "$tmp/mqttd.log" "$bus_a"
check "no command sent to a service across the restart" test "$(mqtt_prop "$bus_a" Commands)" = "$commands1"
pub -r -t "$A/climate/fan_mode/set" -n
check "commands work after the restart" bash -c 'mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t "$0" -m 23 && sleep 0 &&
        for i in $(seq 100); do [ "$(hvac "$1" TargetTemperature)" = "d 23" ] && exit 0; sleep 0.05; done; exit 1' \
        "$A/climate/target_temperature/set" "$bus_a"
fds_now=$(ls /proc/"$mqttd_pid"/fd | wc -l)
check "no file descriptor leaked over a reconnect ($fds_start then $fds_now)" test "$fds_now" -eq "$fds_start"

# ---- hub B: another stack on another bus, on the same broker --------------------------------
mkdir -p "$tmp/b/state"
stack_bus "$tmp/b"
bus_b=$DBUS_SYSTEM_BUS_ADDRESS
export DBUS_SYSTEM_BUS_ADDRESS=$bus_a
cat >"$tmp/b/mqttd.json" <<JSON
{ "broker": "mqtt://127.0.0.1:$port", "node_id": "hub-b", "name": "Bedroom hub", "allow_unmute": true }
JSON
DBUS_SYSTEM_BUS_ADDRESS=$bus_b STATE_DIRECTORY="$tmp/b/state" spawn hvacd_b "$build/hvacd/hvacd" --config "$tmp/hvacd.json"
DBUS_SYSTEM_BUS_ADDRESS=$bus_b spawn mqttd_b "$build/mqttd/mqttd" --config "$tmp/b/mqttd.json"
B=voicehvac/hub-b
check "hub B connects" wait_for $((10 * scale)) bash -c 'has() { busctl --address="$0" status org.voicehvac.Mqtt1 >/dev/null 2>&1; }; has &&
        [ "$(busctl --address="$0" get-property org.voicehvac.Mqtt1 /org/voicehvac/Mqtt1 org.voicehvac.Mqtt1 State)" = "s \"connected\"" ]' "$bus_b"
check "hub B's climate is online" wait_for 5 retained_is "$B/climate/availability" online
check "hub B's mute switch is unavailable (no audiod on its bus)" wait_for 5 retained_is "$B/mute/availability" offline
discovery "$tmp/discovery2"
check "hub B's discovery: its own node id, entities and topics" check_discovery "$tmp/discovery2" hub-b "Bedroom hub"
check "hub A's discovery is still its own" check_discovery "$tmp/discovery2" hub-a "Living room hub"
a_before=$(hvac "$bus_a" Mode; hvac "$bus_a" TargetTemperature)
pub -t "$B/climate/mode/set" -m dry
pub -t "$B/climate/target_temperature/set" -m 18
check "a command for hub B drives hub B" wait_for 5 bash -c 'hvac_is "$0" Mode "s \"dry\"" && hvac_is "$0" TargetTemperature "d 18"' "$bus_b"
check "… and not hub A" test "$(hvac "$bus_a" Mode; hvac "$bus_a" TargetTemperature)" = "$a_before"
b_before=$(hvac "$bus_b" Mode; hvac "$bus_b" TargetTemperature)
pub -t "$A/climate/mode/set" -m auto
check "a command for hub A drives hub A" wait_for 5 hvac_is "$bus_a" Mode 's "auto"'
check "… and not hub B" test "$(hvac "$bus_b" Mode; hvac "$bus_b" TargetTemperature)" = "$b_before"
check "hub B's state topics carry hub B's state" wait_for 5 retained_is "$B/climate/mode" dry
check "hub A's state topics carry hub A's state" wait_for 5 retained_is "$A/climate/mode" auto

# A hub that dies: the broker publishes its last will.
kill -9 "$mqttd_b_pid"; wait "$mqttd_b_pid" 2>/dev/null
check "hub B killed: its last will says 'offline'" wait_for $((15 * scale)) retained_is "$B/availability" offline
check "… hub A is still online" retained_is "$A/availability" online

# hvacd leaving the bus: the climate entity becomes unavailable, and back.
kill -TERM "$hvacd_pid"; wait "$hvacd_pid" 2>/dev/null
check "hvacd gone: climate availability 'offline'" wait_for 5 retained_is "$A/climate/availability" offline
pub -t "$A/climate/mode/set" -m heat
check "a command while hvacd is gone is refused with a log line" wait_for 5 logged mqttd "Rejected the mode 'heat' from MQTT: hvacd is not on the bus."
STATE_DIRECTORY="$tmp/a/state" spawn hvacd "$build/hvacd/hvacd" --config "$tmp/hvacd.json"
check "hvacd back: climate availability 'online'" wait_for $((10 * scale)) retained_is "$A/climate/availability" online

# ---- SIGTERM: a clean 'offline' and disconnect -----------------------------------------------
kill -TERM "$mqttd_pid"
wait "$mqttd_pid"; rc=$?
check "SIGTERM: mqttd exits 0 (got $rc)" test "$rc" = 0
check "… after publishing 'offline' itself" logged mqttd "Published 'offline' and disconnected from the broker."
check "… retained 'offline' on the availability topic" retained_is "$A/availability" offline
mqttd_not_ok() { [ "$(mqttd_health)" != ok ]; }
check "watchdogd sees mqttd gone ($(mqttd_health))" wait_for $((10 * scale)) mqttd_not_ok
check "… and a clean disconnect at the broker" grep -q "Client voicehvac-hub-a disconnected\.$" "$tmp/broker/log"
"$build/voicehvacctl/voicehvacctl" status >"$tmp/status" 2>&1
check "voicehvacctl status: not bridged once mqttd has stopped" grep -Eq "^ +Home Assistant: not bridged \(mqttd is not running\)$" "$tmp/status"

# ---- credentials: a broker that wants a password ----------------------------------------------
port2=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mosquitto_passwd -b -c "$tmp/broker/passwd" hub secret-pw >/dev/null 2>&1
cat >"$tmp/broker/auth.conf" <<CONF
listener $port2 127.0.0.1
allow_anonymous false
password_file $tmp/broker/passwd
CONF
[ "$(id -u)" = 0 ] && echo "user root" >>"$tmp/broker/auth.conf"
spawn broker2 mosquitto -c "$tmp/broker/auth.conf"
wait_for 10 bash -c 'mosquitto_pub -h 127.0.0.1 -p "$0" -u hub -P secret-pw -t probe -n' "$port2" || fail "the second broker starts"
echo '{ "username": "hub", "password": "secret-pw" }' >"$tmp/cred-ok.json"
chmod 0600 "$tmp/cred-ok.json"
echo '{ "username": "hub", "password": "wrong-pw" }' >"$tmp/cred-bad.json"
chmod 0400 "$tmp/cred-bad.json"
cat >"$tmp/c-ok.json" <<JSON
{ "broker": "mqtt://127.0.0.1:$port2", "node_id": "hub-c", "credentials_file": "$tmp/cred-ok.json" }
JSON
sed "s|cred-ok|cred-bad|" "$tmp/c-ok.json" >"$tmp/c-bad.json"
DBUS_SYSTEM_BUS_ADDRESS=$bus_b spawn mqttd_c "$build/mqttd/mqttd" --config "$tmp/c-bad.json"
check "wrong password: the broker's refusal is logged, mqttd keeps retrying" \
        wait_for $((10 * scale)) grep -q "refused the connection: Connection Refused: not authorised" "$tmp/mqttd_c.log"
check "… and stays up, connecting" bash -c 'kill -0 "$0" && [ "$(mqtt_prop "$1" State)" = "s \"connecting\"" ]' "$mqttd_c_pid" "$bus_b"
kill -TERM "$mqttd_c_pid"; wait "$mqttd_c_pid" 2>/dev/null
DBUS_SYSTEM_BUS_ADDRESS=$bus_b spawn mqttd_c "$build/mqttd/mqttd" --config "$tmp/c-ok.json"
check "credentials from a 0600 file: connected" wait_for $((10 * scale)) prop_is "$bus_b" State 's "connected"'
check "… and online on that broker" wait_for 5 bash -c '[ "$(mosquitto_sub -h 127.0.0.1 -p "$0" -u hub -P secret-pw -t voicehvac/hub-c/availability -C 1 -W 1 --retained-only)" = online ]' "$port2"
kill -TERM "$mqttd_c_pid"; wait "$mqttd_c_pid" 2>/dev/null

# ---- TLS: a broker with a certificate of a CA of the test's own -----------------------------------
port3=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tls=$tmp/tls
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=voicehvac test CA" -keyout "$tls/ca.key" \
        -out "$tls/ca.crt" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >"$tls/ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
        -extfile "$tls/ext" -out "$tls/server.crt" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" -keyout "$tls/other.key" \
        -out "$tls/other.crt" >/dev/null 2>&1
check "a CA and a broker certificate for 127.0.0.1" test -s "$tls/server.crt" -a -s "$tls/other.crt"
cat >"$tmp/broker/tls.conf" <<CONF
listener $port3 127.0.0.1
allow_anonymous true
cafile $tls/ca.crt
certfile $tls/server.crt
keyfile $tls/server.key
CONF
[ "$(id -u)" = 0 ] && echo "user root" >>"$tmp/broker/tls.conf"
spawn broker3 mosquitto -c "$tmp/broker/tls.conf"
wait_for 10 bash -c 'mosquitto_pub -h 127.0.0.1 -p "$0" --cafile "$1" -t probe -n' "$port3" "$tls/ca.crt" || fail "the TLS broker starts"
cat >"$tmp/c-tls.json" <<JSON
{ "broker": "mqtts://127.0.0.1:$port3", "node_id": "hub-t", "ca_file": "$tls/other.crt" }
JSON
DBUS_SYSTEM_BUS_ADDRESS=$bus_b spawn mqttd_t "$build/mqttd/mqttd" --config "$tmp/c-tls.json"
# libmosquitto reports the failed handshake, or (now and then) leaves it hanging, which mqttd
# gives up after 10 s: either way the next attempt is scheduled.
check "TLS, a certificate from another CA: refused, logged, retried" \
        wait_for $((25 * scale)) grep -q "Reconnecting to 127.0.0.1:$port3" "$tmp/mqttd_t.log"
check "… and not connected" bash -c 'kill -0 "$0" && [ "$(mqtt_prop "$1" State)" = "s \"connecting\"" ]' "$mqttd_t_pid" "$bus_b"
kill -TERM "$mqttd_t_pid"; wait "$mqttd_t_pid" 2>/dev/null
sed -i "s|other.crt|ca.crt|" "$tmp/c-tls.json"
DBUS_SYSTEM_BUS_ADDRESS=$bus_b spawn mqttd_t2 "$build/mqttd/mqttd" --config "$tmp/c-tls.json"
check "TLS with the broker's CA (ca_file): connected" wait_for $((10 * scale)) prop_is "$bus_b" State 's "connected"'
check "… Broker says mqtts://" prop_is "$bus_b" Broker "s \"mqtts://127.0.0.1:$port3\""
check "… and online over TLS" wait_for 5 bash -c '[ "$(mosquitto_sub -h 127.0.0.1 -p "$0" --cafile "$1" -t voicehvac/hub-t/availability -C 1 -W 1 --retained-only)" = online ]' "$port3" "$tls/ca.crt"
kill -TERM "$mqttd_t2_pid"; wait "$mqttd_t2_pid" 2>/dev/null

# ---- configuration: refused before start, naming file, key and problem -------------------------
refuses() { # refuses NEEDLE ARGS… — mqttd exits 1 quickly, saying NEEDLE
        local needle=$1; shift
        timeout 10 "$build/mqttd/mqttd" "$@" >"$tmp/cfg.log" 2>&1
        local r=$?
        check "config refused ($needle): exit 1 (got $r)" test "$r" = 1
        check "… the message names it: $(head -c 300 "$tmp/cfg.log")" grep -qF -- "$needle" "$tmp/cfg.log"
}
echo '{ "node_id": "hub a" }' >"$tmp/c1.json"
refuses "$tmp/c1.json: key 'node_id': expected 1…64 letters" --config "$tmp/c1.json"
echo '{ "broker": "http://127.0.0.1" }' >"$tmp/c2.json"
refuses "$tmp/c2.json: key 'broker': expected mqtt://HOST[:PORT]" --config "$tmp/c2.json"
echo '{ "allow_unmute": "yes" }' >"$tmp/c3.json"
refuses "$tmp/c3.json: key 'allow_unmute'" --config "$tmp/c3.json"
echo '{ "brokr": "mqtt://x" }' >"$tmp/c4.json"
refuses "$tmp/c4.json: unknown key 'brokr'" --config "$tmp/c4.json"
refuses "--broker 'mqtt://127.0.0.1:99999'" --config "$tmp/a/mqttd.json" --broker mqtt://127.0.0.1:99999
echo '{ "username": "hub", "password": "secret-pw" }' >"$tmp/cred.json"
chmod 0644 "$tmp/cred.json"
echo "{ \"node_id\": \"hub-c\", \"credentials_file\": \"$tmp/cred.json\" }" >"$tmp/c5.json"
refuses "$tmp/c5.json: key 'credentials_file': credentials file $tmp/cred.json: mode 0644 lets others read it" --config "$tmp/c5.json"
check "… and says nothing of the password" bash -c '! grep -q secret-pw "$0"' "$tmp/cfg.log"
refuses "$tmp/c5.json: key 'credentials_file'" --config "$tmp/c5.json" --broker "mqtt://127.0.0.1:$port"

check "no password or credential in any daemon's log" bash -c '! grep -qi "secret-pw" "$0"/*.log' "$tmp"

checks_done
