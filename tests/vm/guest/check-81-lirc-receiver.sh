# IR receiver: hvacd follows the unit's own remote on rc-loopback's /dev/lirc0, the device it
# also sends on (rc-loopback hands every transmission to its receiver). A frame sent into the
# device with `ir-ctl --send` reaches hvacd's receiver as a press of the remote would: the Hvac1
# properties follow it, Assumed turns false, and nothing is sent back. hvacd's own frames, which
# its receiver hears too, are not taken for the remote; a frame of another protocol changes
# nothing.
if ! why=$(rc_loopback); then
        result skip "lirc receiver: hvacd follows the remote's frames" "$why"
        return 0
fi
since=$(date +%s)
hvacd_use_lirc /dev/lirc0
check "lirc receiver: hvacd runs with /dev/lirc0 as transmitter and receiver" \
        wait_for 20 prop_is Hvac1 Backend lirc
check "lirc receiver: Assumed until the remote is heard" prop_is Hvac1 Assumed true

# hvac_is POWER MODE °C FAN — the Hvac1 properties say that state now.
hvac_is() {
        prop_is Hvac1 Power "$1" && prop_is Hvac1 Mode "$2" && prop_is Hvac1 TargetTemperature "$3" &&
                prop_is Hvac1 FanSpeed "$4"
}

# press NAME ARGS… — what the unit's remote sends for a state (hvacd --ir-dump ARGS), sent into
# the loopback device.
press() {
        local f="$res/press-$1.txt"; shift
        /usr/libexec/voicehvac/hvacd --ir-dump "$@" >"$f" && ir-ctl -d /dev/lirc0 --send "$f"
}

# hvacd sends a state; another reader of the device (ir-ctl) sees the frame come back, and so
# does hvacd's receiver, which must not take it for the remote.
ir-ctl -d /dev/lirc0 -r --mode2 -1 >"$res/ir-echo.txt" 2>&1 &
rx=$!
wait_for 10 sh -c "ls -l /proc/$rx/fd | grep -q /dev/lirc0"
busctl call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 Apply 'a{sv}' 4 \
        power b true mode s cool target_temperature d 24 fan_speed s auto
check "lirc receiver: hvacd's own frame comes back through rc-loopback" wait_for 20 grep -q '^pulse' "$res/ir-echo.txt"
wait_for 10 sh -c "! kill -0 $rx"
kill $rx 2>/dev/null; wait $rx 2>/dev/null
check "lirc receiver: the echo of hvacd's own frame leaves Assumed true" prop_is Hvac1 Assumed true
transmissions=$(bus_get Hvac1 Transmissions)

# The remote: heat, 27 °C, fan low.
press heat --protocol coolix --power on --mode heat --temperature 27 --fan low
check "lirc receiver: a remote frame sets Mode, TargetTemperature and FanSpeed" \
        wait_for 10 hvac_is true heat 27 low
check "lirc receiver: Assumed is false once the remote is heard" prop_is Hvac1 Assumed false
check "lirc receiver: the state file follows the remote" \
        wait_for 10 grep -q '"mode":"heat","target_temperature":27,' /var/lib/voicehvac/hvacd/hvacd-state.json

# Another protocol's frame is not this unit's remote; a Coolix frame after it marks the moment
# hvacd has read both.
press gree --protocol gree --power on --mode dry --temperature 20 --fan high
press off --protocol coolix --power off
check "lirc receiver: the remote's power-off frame turns Power false" wait_for 10 prop_is Hvac1 Power false
press cool --protocol coolix --power on --mode cool --temperature 22 --fan high
check "lirc receiver: the remote turns the unit on again, cool 22 °C, fan high" \
        wait_for 10 hvac_is true cool 22 high

# What hvacd made of the presses, in order: the Gree frame and the echo are not among them.
remote_lines() {
        journalctl -q -u voicehvac-hvacd.service --since "@$since" -o cat | grep -o 'The remote set: .*' >"$res/ir-remote-set.txt"
        [ "$(wc -l <"$res/ir-remote-set.txt")" -ge 3 ]
}
expected_remote_lines() {
        printf '%s\n' "The remote set: power on, mode heat, 27 °C, fan low." \
                "The remote set: power off, mode heat, 27 °C, fan low." \
                "The remote set: power on, mode cool, 22 °C, fan high." | diff - "$res/ir-remote-set.txt"
}
wait_for 10 remote_lines
check "lirc receiver: hvacd heard exactly the three Coolix presses" expected_remote_lines
check "lirc receiver: nothing was sent for the remote's presses" prop_is Hvac1 Transmissions "$transmissions"

hvacd_use_sim
