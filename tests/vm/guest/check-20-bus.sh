# The bus contract on the real system bus: live introspection (compared with the reviewed XML
# on the host, which has python), and the policy: who may own, read, mute, unmute and change.
as() { local user=$1; shift; runuser -u "$user" -- "$@"; }
call_error() { # call_error USER ARGS… — prints the D-Bus error name of a failing busctl call
        as "$1" busctl call "${@:2}" 2>&1 >/dev/null | head -n1
}

ensure_active audiod hvacd wakeword
for n in Audio1 Hvac1 WakeWord1; do
        busctl --xml-interface introspect "org.voicehvac.$n" "/org/voicehvac/$n" >"$res/live-$n.xml" 2>&1
        check "$n: introspectable on the system bus" grep -q "interface name=\"org.voicehvac.$n\"" "$res/live-$n.xml"
        check "$n: mallory may introspect it" as mallory busctl introspect "org.voicehvac.$n" "/org/voicehvac/$n"
done
check "Hvac1: mallory reads Power" as mallory busctl get-property org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 Power

# Only the service user owns the names — not root, not a member of the group.
for u in root alice; do
        out=$(as "$u" busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus RequestName su org.voicehvac.Hvac1 4 2>&1)
        log "RequestName as $u: $out"
        check "$u may not own org.voicehvac.Hvac1" grep -q 'Access denied\|AccessDenied\|not allowed to own' <<<"$out"
done

# Each daemon's user owns its own name and no other.
for u in audiod hvacd wakeword watchdogd; do
        for n in Audio1 Hvac1 WakeWord1 Watchdog1; do
                out=$(as "voicehvac-$u" busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                        RequestName su "org.voicehvac.$n" 4 2>&1)
                case $u:$n in
                audiod:Audio1|hvacd:Hvac1|wakeword:WakeWord1|watchdogd:Watchdog1)
                        # Owned by the running daemon: queued or refused as "exists", never AccessDenied.
                        check "voicehvac-$u may own org.voicehvac.$n" eval '! grep -q "Access denied\|AccessDenied\|not allowed to own" <<<"$out"' ;;
                *)
                        check "voicehvac-$u may not own org.voicehvac.$n" grep -q 'Access denied\|AccessDenied\|not allowed to own' <<<"$out" ;;
                esac
        done
done

# Changing the air conditioner: root, the group and whom polkit grants, nobody else.
check "Hvac1: alice (group voicehvac) sets the temperature" \
        as alice busctl call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 21
check "Hvac1: the change is visible" test "$(bus_get Hvac1 TargetTemperature)" = 21
err=$(call_error mallory org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 27)
check "Hvac1: mallory, with no session, is refused by polkit (NotAuthorized)" grep -q 'requires root or membership' <<<"$err"
check "Hvac1: and it did not change" test "$(bus_get Hvac1 TargetTemperature)" = 21
check "Hvac1: carol, granted org.voicehvac.hvac.set by a polkit rule, sets it" \
        as carol busctl call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 22
check "Hvac1: carol's change is visible" test "$(bus_get Hvac1 TargetTemperature)" = 22
check "Hvac1: alice sets it back" \
        as alice busctl call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 21
err=$(call_error alice org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetMode s warm)
check "Hvac1: a bad value gets a named error (InvalidArgument)" grep -q 'Invalid mode\|warm' <<<"$err"

# The microphone: everyone may mute, root, the group and polkit's admins may unmute, only root,
# wakeword's user and group voicehvac-audio may stream.
err=$(call_error alice org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 OpenStream)
check "Audio1: alice (control, not listening) may not open a stream (AccessDenied)" grep -q 'Rejected send message\|Access denied\|AccessDenied' <<<"$err"
err=$(call_error mallory org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 OpenStream)
check "Audio1: mallory may not open a stream (AccessDenied)" grep -q 'Rejected send message\|Access denied\|AccessDenied' <<<"$err"
check "Audio1: mallory may mute" as mallory busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b true
check "Audio1: muted" test "$(bus_get Audio1 Muted)" = true
err=$(call_error mallory org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b false)
check "Audio1: mallory may not unmute (NotAuthorized)" grep -q 'requires root or membership' <<<"$err"
check "Audio1: still muted" test "$(bus_get Audio1 Muted)" = true
err=$(call_error carol org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b false)
check "Audio1: carol may not unmute either: polkit asks for admin (NotAuthorized)" grep -q 'requires root or membership' <<<"$err"
check "Audio1: still muted after carol" test "$(bus_get Audio1 Muted)" = true
check "Audio1: alice unmutes" as alice busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b false
check "Audio1: unmuted" test "$(bus_get Audio1 Muted)" = false

# The same through the command-line client, as a user would.
if [ -x /usr/bin/voicehvacctl ]; then
        check "voicehvacctl status as mallory" as mallory voicehvacctl status
        check "voicehvacctl mute as mallory" as mallory voicehvacctl mute
        check "voicehvacctl unmute as mallory is refused (exit 1)" eval "as mallory voicehvacctl unmute; [ \$? -eq 1 ]"
        check "voicehvacctl set temperature 22 as mallory is refused (exit 1)" \
                eval "as mallory voicehvacctl set temperature 22; [ \$? -eq 1 ]"
        check "voicehvacctl unmute as alice" as alice voicehvacctl unmute
        check "voicehvacctl set temperature 22 as alice" as alice voicehvacctl set temperature 22
        check "… and hvacd has 22" test "$(bus_get Hvac1 TargetTemperature)" = 22
fi
