# mqttd under systemd with a real broker in the guest: its unit starts as the voicehvac user in
# voicehvac-mqtt.slice with the budget's numbers, publishes the hub (discovery, availability),
# hands a command from MQTT to hvacd, refuses an unmute, and leaves a retained "offline" when
# systemd stops it. Its sandbox refuses the sound devices, like every unit but audiod's, and IP
# to any address but the broker's (the generator's drop-in from mqttd.json).
if [ ! -f /usr/lib/systemd/system/voicehvac-mqttd.service ]; then
        result skip "mqttd: systemctl start" "voicehvac-mqttd.service is not installed"
        return 0
fi
if ! command -v mosquitto >/dev/null || ! command -v mosquitto_sub >/dev/null; then
        result skip "mqttd: systemctl start" "mosquitto is not in the image"
        return 0
fi
ensure_active audiod hvacd

mq_port=18830
mkdir -p /run/vh-mosquitto
cat >/run/vh-mosquitto/mosquitto.conf <<CONF
listener $mq_port 127.0.0.1
allow_anonymous true
persistence false
pid_file /run/vh-mosquitto/pid
user root
CONF
mosquitto -d -c /run/vh-mosquitto/mosquitto.conf
check "mqttd: a broker in the guest" wait_for 10 mosquitto_pub -h 127.0.0.1 -p $mq_port -t probe -n
retained() { mosquitto_sub -h 127.0.0.1 -p $mq_port -t "$1" -C 1 -W 1 --retained-only 2>/dev/null; }
retained_is() { [ "$(retained "$1")" = "$2" ]; }

sed -i -e "s|\"broker\": *\"[^\"]*\"|\"broker\": \"mqtt://127.0.0.1:$mq_port\"|" \
       -e 's|"node_id": *"[^"]*"|"node_id": "vm-hub"|' /etc/voicehvac/mqttd.json
# Its network: the broker's address alone, through the drop-in the generator writes from mqttd.json.
systemctl daemon-reload
check "mqttd: the generator's drop-in names the broker (127.0.0.1)" \
        grep -qx 'IPAddressAllow=127.0.0.1' /run/systemd/generator/voicehvac-mqttd.service.d/50-network.conf
check "mqttd: IPAddressDeny=any" grep -q '0.0.0.0/0\|any' <<<"$(systemctl show -P IPAddressDeny voicehvac-mqttd.service)"
check "mqttd: IPAddressAllow= the broker alone, the unit's localhost dropped" \
        test "$(systemctl show -P IPAddressAllow voicehvac-mqttd.service | sed 's|/32||')" = 127.0.0.1
check "mqttd: systemctl start" systemctl start voicehvac-mqttd.service
check "mqttd: in voicehvac-mqtt.slice" \
        test "$(unit_prop voicehvac-mqttd.service ControlGroup)" = /voicehvac.slice/voicehvac-mqtt.slice/voicehvac-mqttd.service
check "mqttd: runs as voicehvac-mqttd" test "$(ps -o user= -p "$(main_pid voicehvac-mqttd.service)")" = voicehvac-mqttd
check "mqttd: the slice's MemoryMax is the budget's 32 MiB" \
        test "$(cat /sys/fs/cgroup/voicehvac.slice/voicehvac-mqtt.slice/memory.max)" = $((32 * 1024 * 1024))
check "mqttd: the slice's CPU quota is the budget's 10 %" \
        test "$(cat /sys/fs/cgroup/voicehvac.slice/voicehvac-mqtt.slice/cpu.max)" = "10000 100000"
check "mqttd: State connected on the system bus" wait_for 10 prop_is Mqtt1 State connected
busctl --xml-interface introspect org.voicehvac.Mqtt1 /org/voicehvac/Mqtt1 >"$res/live-Mqtt1.xml" 2>&1
check "mqttd: mallory may read its properties" \
        runuser -u mallory -- busctl get-property org.voicehvac.Mqtt1 /org/voicehvac/Mqtt1 org.voicehvac.Mqtt1 NodeId
check "mqttd: availability 'online'" wait_for 5 retained_is voicehvac/vm-hub/availability online
check "mqttd: the climate discovery document" \
        wait_for 5 eval '[ -n "$(retained homeassistant/climate/vm-hub/climate/config)" ]'
mosquitto_pub -h 127.0.0.1 -p $mq_port -q 1 -t voicehvac/vm-hub/climate/target_temperature/set -m 19.5
check "mqttd: a command from MQTT reaches hvacd through the system bus policy" wait_for 5 prop_is Hvac1 TargetTemperature 19.5
check "mqttd: … and the state comes back" wait_for 5 retained_is voicehvac/vm-hub/climate/target_temperature 19.5
busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b true
mosquitto_pub -h 127.0.0.1 -p $mq_port -q 1 -t voicehvac/vm-hub/mute/set -m OFF
check "mqttd: unmute refused (allow_unmute false): logged" \
        wait_for 5 eval 'journalctl -b -u voicehvac-mqttd.service --no-pager | grep -q "Refused to unmute from MQTT"'
check "mqttd: … still muted" prop_is Audio1 Muted true
if [ -e /dev/snd/controlC0 ]; then
        out=$(in_unit_cgroup voicehvac-mqttd.service sh -c 'exec 3<"$1"' sh /dev/snd/controlC0 2>&1)
        check "mqttd: /dev/snd/controlC0 inside voicehvac-mqttd.service: EPERM from the device policy" \
                grep -q 'Operation not permitted' <<<"$out"
fi
# The filter as the daemon meets it, from the unit's cgroup: a datagram to the broker's address
# leaves, one to another loopback address is refused at once (UDP: TCP would retry its SYN).
out=$(in_unit_cgroup voicehvac-mqttd.service bash -c 'echo probe >/dev/udp/127.0.0.1/9 && echo sent' 2>&1)
check "mqttd: from inside voicehvac-mqttd.service, IP to the broker's 127.0.0.1 goes out" grep -qx sent <<<"$out"
out=$(in_unit_cgroup voicehvac-mqttd.service bash -c 'echo probe >/dev/udp/127.0.0.2/9 && echo sent' 2>&1)
check "mqttd: … to 127.0.0.2: EPERM from the IP filter" grep -q 'Operation not permitted' <<<"$out"
rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$(main_pid voicehvac-mqttd.service)"/status)
figure "mqttd RSS: $((rss / 1024)).$(( (rss % 1024) * 10 / 1024 )) MiB connected, idle (VM, systemd)"
check "mqttd: systemctl stop" systemctl stop voicehvac-mqttd.service
check "mqttd: a retained 'offline' after the stop" wait_for 5 retained_is voicehvac/vm-hub/availability offline
check "mqttd: it said so itself, a clean disconnect" \
        eval 'journalctl -b -u voicehvac-mqttd.service --no-pager | grep -q "Published .offline. and disconnected"'
busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b false
kill "$(cat /run/vh-mosquitto/pid)" 2>/dev/null
return 0
