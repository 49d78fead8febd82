#!/bin/bash
# audiod refuses to start half-configured: every bad configuration stops it before it touches
# the bus or the device, with one message that names the file, the key and the problem.
set -u
build=${VH_BUILD:-build}
audiod="$(realpath "$build")/audiod/audiod"
tmp=$(mktemp -d /tmp/test-audiod-config-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0; checks=0

[ -x "$audiod" ] || { echo "FAIL: $audiod not built"; exit 1; }
# No bus at all: a config error must be reported before any connection is tried.
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/no-bus"
export STATE_DIRECTORY="$tmp/state"

expect_refused() { # expect_refused JSON NEEDLE…
        local json=$1; shift
        printf '%s' "$json" >"$tmp/audiod.json"
        checks=$((checks + 1))
        if timeout 10 "$audiod" --config "$tmp/audiod.json" >"$tmp/out" 2>&1; then
                echo "FAIL: started with: $json"; failures=$((failures + 1)); return
        fi
        for needle in "$tmp/audiod.json" "$@"; do
                if ! grep -qF -- "$needle" "$tmp/out"; then
                        echo "FAIL: for $json the message lacks '$needle':"; sed 's/^/    /' "$tmp/out"
                        failures=$((failures + 1)); return
                fi
        done
        if grep -q "system bus" "$tmp/out"; then
                echo "FAIL: for $json audiod went on to the bus"; failures=$((failures + 1))
        fi
}

expect_refused '{ "devcie": "hw:1" }' "unknown key 'devcie'"
expect_refused '{ "rate": "16000" }' "key 'rate'" "expected unsigned integer, got string"
expect_refused '{ "rate": 4000 }' "key 'rate'" "out of range"
expect_refused '{ "channels": 3 }' "key 'channels'"
expect_refused '{ "period_ms": 1.5 }' "key 'period_ms'"
expect_refused '{ "default_muted": "yes" }' "key 'default_muted'" "expected boolean"
expect_refused '{ "device": "" }' "key 'device'" "must not be empty"
expect_refused '{ "period_ms": 50, "buffer_ms": 60 }' "key 'buffer_ms'"
expect_refused '{ "device": "x", }' "not valid JSON"
expect_refused '{ "device": "x" } trailing' "not valid JSON"
expect_refused '"just a string"' "expected a JSON object"

checks=$((checks + 1))
if "$audiod" --config "$tmp/does-not-exist.json" >"$tmp/out" 2>&1 || ! grep -q "does-not-exist.json" "$tmp/out"; then
        echo "FAIL: an explicit --config that does not exist must stop start-up naming it"; failures=$((failures + 1))
fi
checks=$((checks + 1))
if "$audiod" --bogus >/dev/null 2>&1; then
        echo "FAIL: an unknown option must fail"; failures=$((failures + 1))
fi

echo "# $checks checks, $failures failed"
[ "$failures" -eq 0 ]
