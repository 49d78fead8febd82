#!/bin/bash
# hvacd from the outside: the live interface matches the reviewed contract, --ir-dump prints
# frames that ir-ctl reads, and a bad configuration stops it with a message naming file and key.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/stack.sh"
. "$src/tests/lib/check.sh"
hvacd="$(realpath "$build")/hvacd/hvacd"
contract="$src/dbus-interfaces/org.voicehvac.Hvac1.xml"

tmp=$(mktemp -d /tmp/test-hvacd-XXXXXX)
bus_pid=
hvacd_pid=
cleanup() {
        [ -n "$hvacd_pid" ] && kill "$hvacd_pid" 2>/dev/null
        [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
        wait 2>/dev/null
        [ -n "${VH_TEST_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

# Before any check: what comes from outside the tree (tools/deps.sh installs it).
for tool in dbus-daemon busctl ir-ctl; do
        command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x "$hvacd" ] || { echo "FAIL: $hvacd not built"; exit 1; }

# --- --ir-dump -----------------------------------------------------------------------------
out=$("$hvacd" --ir-dump)
check "ir-dump exits 0" test $? -eq 0
check "ir-dump starts with a comment" grep -q '^# coolix: power on, mode cool, 24 °C, fan auto' <<<"$out"
check "ir-dump has the carrier" grep -qx 'carrier 38000' <<<"$out"
check "coolix frame: 100 pulses" test "$(grep -c '^pulse [0-9]*$' <<<"$out")" -eq 100
check "coolix frame: 99 spaces" test "$(grep -c '^space [0-9]*$' <<<"$out")" -eq 99
check "coolix header" test "$(sed -n '3,4p' <<<"$out" | tr '\n' ' ')" = "pulse 4692 space 4416 "
check "last line is a pulse" grep -q '^pulse' <<<"$(tail -n1 <<<"$out")"

gree=$("$hvacd" --ir-dump --protocol gree --power off --mode heat --temperature 22 --fan high)
check "gree frame: 139 samples" test "$(grep -c '^\(pulse\|space\) ' <<<"$gree")" -eq 139
check "gree header" test "$(sed -n '3,4p' <<<"$gree" | tr '\n' ' ')" = "pulse 9000 space 4500 "

for bad in "--temperature 24.5" "--temperature 35" "--protocol nec" "--mode warm" "--fan turbo" \
           "--power maybe" "--temperature abc" "--protocol gree --option lights=0" \
           "--protocol gree --option light=2" "--option light"; do
        # shellcheck disable=SC2086
        check_not "--ir-dump $bad fails" eval '"$hvacd" --ir-dump $bad >/dev/null 2>"$tmp/err"'
        check "--ir-dump $bad says why" test -s "$tmp/err"
done
check_not "--temperature without --ir-dump fails" quiet "$hvacd" --temperature 24

# --- --ir-decode: what --ir-dump sends, real captures, and frames that say nothing ----------
"$hvacd" --ir-dump --protocol gree --mode heat --temperature 22 --fan high --option light=0 >"$tmp/gree.ir"
out=$("$hvacd" --ir-decode "$tmp/gree.ir")
check "ir-decode exits 0" test $? -eq 0
check "ir-decode: one JSON object with the state" \
        grep -q '^{"protocol":"gree","power":true,"mode":"heat","temperature":22,"fan":"high","options":{"light":0,' <<<"$out"
# A real remote's capture, as ir-ctl -r prints it.
awk '/^# label cool high 24$/ { getline; print; exit }' "$src/tests/ir-captures/1394.ir" >"$tmp/coolix.ir"
out=$("$hvacd" --ir-decode "$tmp/coolix.ir")
check "a real coolix capture decodes to its label" \
        grep -q '^{"protocol":"coolix","power":true,"mode":"cool","temperature":24,"fan":"high",' <<<"$out"
out=$("$hvacd" --ir-decode "$tmp/coolix.ir" --protocol gree 2>&1)
check "decoding as another protocol fails" grep -q 'nothing decoded as gree: unknown protocol' <<<"$out"
head -n 60 "$tmp/gree.ir" >"$tmp/cut.ir"
out=$("$hvacd" --ir-decode "$tmp/cut.ir" 2>&1)
check "a cut frame is truncated" grep -q 'truncated frame' <<<"$out"
printf '+300 -300 +300 -9000 +300\n' >"$tmp/noise.ir"
out=$("$hvacd" --ir-decode "$tmp/noise.ir" 2>&1)
check "noise is an unknown protocol" grep -q 'unknown protocol' <<<"$out"
printf 'pulse 9000\nspace 4500\nwhistle 12\n' >"$tmp/bad.ir"
out=$("$hvacd" --ir-decode "$tmp/bad.ir" 2>&1)
check "bad text names its line" grep -q 'bad.ir:3:' <<<"$out"
check_not "a missing file fails" quiet "$hvacd" --ir-decode "$tmp/missing.ir"

# --- --fan-table: the remote's fan codes, for --ir-dump and --ir-decode alike ----------------
# Samsung's fan field is byte 12 bits 1–3: high is code 5 in the protocol's own table, 7 in
# "upper"; the field's section checksum is byte 8's high and byte 9's low nibble.
samsung_byte() { # samsung_byte JSON N — state byte N of a decoded frame, as a number
        local bytes; bytes=$(sed -n 's/.*"bytes":"\([0-9A-F]*\)".*/\1/p' <<<"$1")
        echo $(( 16#${bytes:$(( 2 * $2 )):2} ))
}
samsung_all_but_fan() { # samsung_all_but_fan JSON — the bytes with the fan field and checksum masked
        local bytes; bytes=$(sed -n 's/.*"bytes":"\([0-9A-F]*\)".*/\1/p' <<<"$1")
        printf '%s %02X %02X %s %02X %s\n' "${bytes:0:16}" $(( 16#${bytes:16:2} & 0x0F )) \
                $(( 16#${bytes:18:2} & 0xF0 )) "${bytes:20:4}" $(( 16#${bytes:24:2} & 0xF1 )) "${bytes:26}"
}
"$hvacd" --ir-dump --protocol samsung --fan high >"$tmp/samsung.ir"
"$hvacd" --ir-dump --protocol samsung --fan high --fan-table upper >"$tmp/samsung-upper.ir"
check "ir-dump --fan-table exits 0" test $? -eq 0
check "ir-dump --fan-table: the comment names the table" \
        grep -q '^# samsung: power on, mode cool, 24 °C, fan high of fan table upper;' "$tmp/samsung-upper.ir"
check_not "ir-dump --fan-table: another frame" cmp -s "$tmp/samsung.ir" "$tmp/samsung-upper.ir"
own=$("$hvacd" --ir-decode "$tmp/samsung.ir")
upper=$("$hvacd" --ir-decode "$tmp/samsung-upper.ir")
check "the protocol's own table sends high as fan code 5" test $(( ($(samsung_byte "$own" 12) >> 1) & 7 )) -eq 5
check "table upper sends high as fan code 7" test $(( ($(samsung_byte "$upper" 12) >> 1) & 7 )) -eq 7
check "the frames differ in the fan field and its checksum only" \
        test "$(samsung_all_but_fan "$own")" = "$(samsung_all_but_fan "$upper")"
check "without the table, code 7 is a speed the model has no word for" grep -q '"fan":"other"' <<<"$upper"
out=$("$hvacd" --ir-decode "$tmp/samsung-upper.ir" --protocol samsung --fan-table upper)
check "ir-decode --fan-table exits 0" test $? -eq 0
check "ir-decode --fan-table upper reads the fan back as high" \
        grep -q '^{"protocol":"samsung","power":true,"mode":"cool","temperature":24,"fan":"high",' <<<"$out"
# Upper's medium is the own table's high: the table decides what a code means.
"$hvacd" --ir-dump --protocol samsung --fan medium --fan-table upper >"$tmp/samsung-medium.ir"
check "upper's medium read with the own table is high" \
        grep -q '"fan":"high"' <<<"$("$hvacd" --ir-decode "$tmp/samsung-medium.ir")"
check "upper's medium read with table upper is medium" grep -q '"fan":"medium"' \
        <<<"$("$hvacd" --ir-decode "$tmp/samsung-medium.ir" --protocol samsung --fan-table upper)"
check "--fan-table standard is the protocol's own" \
        cmp -s <(sed 1d "$tmp/samsung.ir") <(sed 1d <("$hvacd" --ir-dump --protocol samsung --fan high --fan-table standard))

ir_refused() { # ir_refused NEEDLE ARGS… — hvacd prints no frame, exits 1 and says NEEDLE
        local needle=$1 rc; shift
        "$hvacd" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
        [ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$needle" "$tmp/err" && return 0
        echo "hvacd $*: exit $rc, stdout $(wc -c <"$tmp/out") bytes, stderr: $(cat "$tmp/err")"
        return 1
}
check "ir-dump: an unknown fan table is refused, naming the protocol's" ir_refused \
        "Invalid --fan-table: protocol 'samsung' has no fan table 'uper' (it has: standard, upper)." \
        --ir-dump --protocol samsung --fan-table uper
check "ir-decode: an unknown fan table is refused, naming the protocol's" ir_refused \
        "Invalid --fan-table: protocol 'daikin' has no fan table 'upper' (it has: standard, middle, five_named)." \
        --ir-decode "$tmp/samsung-upper.ir" --protocol daikin --fan-table upper
check "a protocol with one fan table refuses any" ir_refused \
        "Invalid --fan-table: protocol 'coolix' has one fan table only; 'upper' names none (leave --fan-table out)." \
        --ir-dump --fan-table upper
check "ir-decode --fan-table needs --protocol" ir_refused "--fan-table with --ir-decode needs --protocol" \
        --ir-decode "$tmp/samsung-upper.ir" --fan-table upper
check "--fan-table goes with the IR tools" ir_refused "--fan-table goes with --ir-dump or --ir-decode" \
        --fan-table upper
check "--help names --fan-table" grep -q -- '--fan-table NAME' <<<"$("$hvacd" --help)"
# --ir-dump sends the options' clock, not the local time: the same frame in any time zone.
ir_dump_in() { # ir_dump_in TZ ARGS…
        local tz=$1; shift
        TZ=$tz "$hvacd" --ir-dump "$@"
}
for p in daikin mitsubishi; do
        check "ir-dump: $p's clock is the options', in any time zone" \
                test "$(ir_dump_in UTC0 --protocol $p)" = "$(ir_dump_in IST-5:30 --protocol $p)"
done
check "ir-dump: --option sets the clock" \
        test "$(ir_dump_in UTC0 --protocol daikin)" != "$(ir_dump_in UTC0 --protocol daikin --option clock_minutes=5)"

check_not "a stray argument fails" quiet "$hvacd" stray-argument
check "--help" quiet "$hvacd" --help

# ir-ctl reads the same text: it parses the file before it opens the device, and warns about
# anything in it it does not take.
irctl_takes() { # irctl_takes PROTOCOL
        "$hvacd" --ir-dump --protocol "$1" >"$tmp/$1.txt"
        ir-ctl -d /dev/null -s "$tmp/$1.txt" >/dev/null 2>"$tmp/irctl.err"
        grep -qi -e warning -e 'error:' -e 'no pulses' "$tmp/irctl.err" && { cat "$tmp/irctl.err"; return 1; }
        grep -q 'lirc features' "$tmp/irctl.err" || { cat "$tmp/irctl.err"; return 1; }
}
for p in coolix gree; do
        check "ir-ctl takes the $p frame" irctl_takes $p
done

# --- configuration errors ------------------------------------------------------------------
config_fails() { # config_fails JSON NEEDLE
        printf '%s\n' "$1" >"$tmp/bad.json"
        checks=$((checks + 1))
        if STATE_DIRECTORY="$tmp/state" timeout 10 "$hvacd" --config "$tmp/bad.json" >"$tmp/out" 2>&1; then
                fail "config '$1' should stop hvacd"
        elif ! grep -q -- "$tmp/bad.json" "$tmp/out" || ! grep -q -- "$2" "$tmp/out"; then
                fail "config '$1': message should name the file and '$2': $(cat "$tmp/out")"
        fi
}
config_fails '{ "backnd": "sim" }' "unknown key 'backnd'"
config_fails '{ "coalesce_ms": "fast" }' "key 'coalesce_ms'"
config_fails '{ "min_temperature": 25, "max_temperature": 20 }' "min_temperature 25"
config_fails '{ "backend": "lirc" }' "key 'temperature_step'"
config_fails '{ "sim": { "rate_per_minute": 0 } }' "key 'sim.rate_per_minute'"
config_fails '{ "backend": "sim", ' "not valid JSON"
config_fails '{ "lirc": { "protocol": "gree", "options": { "lights": 0 } } }' "key 'lirc.options.lights'"
config_fails '{ "lirc": { "protocol": "gree", "options": { "light": 2 } } }' "key 'lirc.options.light': 2 is above 1"
config_fails '{ "lirc": { "protocol": "coolix", "options": { "light": 0 } } }' "protocol 'coolix' has no such option"
config_fails '{ "lirc": { "protocol": "hitachi", "options": { "clock": 1, "clock_minute": 60 } } }' \
        "key 'lirc.options.clock_minute': 60 is a value protocol 'hitachi' does not send"
config_fails '{ "lirc": { "options": { "light": "on" } } }' "key 'lirc.options'"
config_fails '{ "lirc": { "clock": "utc" } }' "key 'lirc.clock': invalid value 'utc', expected one of 'local', 'fixed'"
config_fails '{ "lirc": { "protocol": "gree", "clock": "fixed" } }' \
        "key 'lirc.clock': protocol 'gree' sends no clock (leave the key out)"
config_fails '{ "lirc": { "protocol": "daikin", "clock": "local", "options": { "clock_minutes": 5 } } }' \
        "key 'lirc.options.clock_minutes': the clock is the local time at each send; set lirc.clock to 'fixed'"
config_fails '{ "lirc": { "protocol": "hitachi", "clock": "local", "options": { "clock": 1, "clock_hour": 7 } } }' \
        "key 'lirc.options.clock_hour': the clock is the local time at each send"
# A pinned clock is taken: the first complaint is the next check's.
config_fails '{ "backend": "http", "http": { "url": "ftp://192.0.2.1" },
                "lirc": { "protocol": "daikin", "clock": "fixed", "options": { "clock_minutes": 5 } } }' "key 'http.url'"
# Without lirc.clock, a clock option pins the clock, as before the key existed.
config_fails '{ "backend": "http", "http": { "url": "ftp://192.0.2.1" },
                "lirc": { "protocol": "daikin", "options": { "clock_minutes": 5 } } }' "key 'http.url'"
config_fails '{ "lirc": { "protocol": "samsung", "fan_table": "uper" } }' \
        "key 'lirc.fan_table': protocol 'samsung' has no fan table 'uper' (it has: standard, upper)"
config_fails '{ "lirc": { "protocol": "gree", "fan_table": "upper" } }' \
        "key 'lirc.fan_table': protocol 'gree' has one fan table only"
config_fails '{ "lirc": { "fan_table": 2 } }' "key 'lirc.fan_table'"
config_fails '{ "backend": "lirc", "min_temperature": 17, "temperature_step": 1,
                "lirc": { "receiver": "/nonexistent/lirc1" } }' "key 'lirc.receiver': /nonexistent/lirc1"
config_fails '{ "backend": "lirc", "min_temperature": 17, "temperature_step": 1,
                "lirc": { "receiver": "/etc/hostname" } }' "key 'lirc.receiver': /etc/hostname is no LIRC device"
config_fails '{ "backend": "http", "http": { "url": "ftp://192.0.2.1" } }' "key 'http.url'"
config_fails '{ "http": { "poll_interval_ms": 0 } }' "key 'http.poll_interval_ms'"
check_not "a missing --config file stops hvacd" \
        quiet env STATE_DIRECTORY="$tmp/state" timeout 10 "$hvacd" --config "$tmp/missing.json"

# The command line over the file, checked the same way; the message says where the value came from.
cli_fails() { # cli_fails NEEDLE ARGS…
        local needle=$1; shift
        echo '{}' >"$tmp/empty.json"
        checks=$((checks + 1))
        if STATE_DIRECTORY="$tmp/state" timeout 10 "$hvacd" --config "$tmp/empty.json" "$@" >"$tmp/out" 2>&1; then
                fail "hvacd $* should not start"
        elif ! grep -q -- "$needle" "$tmp/out"; then
                fail "hvacd $*: message should say '$needle': $(cat "$tmp/out")"
        fi
}
cli_fails "--backend: 'carrier-pigeon'" --backend carrier-pigeon
cli_fails "with --backend: key 'http.url': empty" --backend http
cli_fails "with --backend --http-url: key 'http.url': 'http://h/x'" --backend http --http-url http://h/x
cli_fails "--http-url: the backend is 'sim'" --http-url http://192.0.2.1

# --- the live interface against the contract -----------------------------------------------
private_bus_start "$tmp" || { fail "the private dbus-daemon did not start"; checks_done; exit 1; }
bus_pid=$private_bus_pid

echo '{ "sim": { "transmit_log": "'"$tmp"'/tx.log" } }' >"$tmp/hvacd.json"
STATE_DIRECTORY="$tmp/state" "$hvacd" --config "$tmp/hvacd.json" >"$tmp/hvacd.log" 2>&1 &
hvacd_pid=$!
busctl_() { busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" "$@"; }
check "hvacd owns its name within 10 s" wait_for 10 quiet busctl_ status org.voicehvac.Hvac1

busctl_ --xml-interface introspect org.voicehvac.Hvac1 /org/voicehvac/Hvac1 >"$tmp/live.xml"
checks=$((checks + 1))
if ! /usr/bin/python3 "$src/tests/lib/compare-introspection.py" "$contract" "$tmp/live.xml" org.voicehvac.Hvac1 \
        >"$tmp/compare.out"; then
        fail "live interface differs from the contract: $(cat "$tmp/compare.out")"
fi

# Every member of the contract carries a doc comment.
checks=$((checks + 1))
/usr/bin/python3 - "$contract" <<'PY' || fail "contract members without a doc comment"
import re, sys
text = open(sys.argv[1]).read()
members = re.findall(r'<(method|property|signal) name="([^"]+)"', text)
missing = []
for kind, name in members:
    idx = text.index(f'<{kind} name="{name}"')
    before = text[:idx].rstrip()
    if not before.endswith('-->'):
        missing.append(name)
    elif name not in before[before.rfind('<!--'):]:
        missing.append(name)
if missing:
    print('undocumented:', ', '.join(missing))
    sys.exit(1)
PY

# A client's view through busctl: an invalid call names the error and the value.
checks=$((checks + 1))
err=$(busctl_ call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetMode s warm 2>&1)
grep -q "'warm'" <<<"$err" || fail "busctl SetMode warm: $err"
check "busctl Apply" quiet busctl_ call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 Apply \
        'a{sv}' 2 power b true mode s heat
checks=$((checks + 1))
[ "$(busctl_ get-property org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 Mode)" = 's "heat"' ] ||
        fail "Mode after Apply"

kill -TERM "$hvacd_pid"
wait "$hvacd_pid"
rc=$?
hvacd_pid=
checks=$((checks + 1))
[ "$rc" -eq 0 ] || fail "hvacd exited $rc on SIGTERM: $(tail -5 "$tmp/hvacd.log")"

checks_done
