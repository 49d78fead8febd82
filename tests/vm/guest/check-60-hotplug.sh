# Hot-plug: the card goes away under audiod (the platform device is unbound, as when a USB
# microphone is pulled, then the module is removed), audiod reports "disconnected" and idles —
# no polling, no retry loop —, wakeword reports "no-audio", and when the card comes back audiod
# captures again by itself, woken by udev, and wakeword listens again.
aloop_dev=/sys/bus/platform/devices/snd_aloop.0

if [ ! -e "$aloop_dev" ]; then
        result skip "hotplug: audiod follows the card" "no loopback sound card (snd-aloop did not load)"
        return 0
fi
ensure_active audiod wakeword
wait_for 20 prop_is Audio1 State running
pid=$(main_pid voicehvac-audiod.service)

check "hotplug: unbind the card" sh -c "echo snd_aloop.0 >/sys/bus/platform/drivers/snd_aloop/unbind"
check "hotplug: audiod reports disconnected" wait_for 20 prop_is Audio1 State disconnected
check "hotplug: wakeword reports no-audio meanwhile" wait_for 10 prop_is WakeWord1 State no-audio
check "hotplug: rmmod snd-aloop" rmmod snd-aloop
sleep 2
c0=$(cpu_usec "$(unit_cgroup voicehvac-audiod.service)"); t0=$(date +%s%N)
sleep 10
c1=$(cpu_usec "$(unit_cgroup voicehvac-audiod.service)"); t1=$(date +%s%N)
permille=$(( (c1 - c0) * 1000000 / ((t1 - t0) / 1000) / 1000 ))
figure "audiod CPU while disconnected: $((permille / 10)).$((permille % 10)) % (10 s)"
# Idle means idle: under 2 % of one CPU even in the slow guest (a retry loop takes ~100 %).
check "hotplug: audiod idles while the card is gone (${permille}‰ < 20‰)" test "$permille" -lt 20
check "hotplug: still the same audiod process" test "$(main_pid voicehvac-audiod.service)" = "$pid"
check "hotplug: modprobe snd-aloop" load_loopback
# By now the retry timer, a slow fallback while udev reports the card, waits ten seconds or
# more; the card's udev events reopen it at once.
check "hotplug: the card's udev events reopen it within 5 s" wait_for 5 prop_is Audio1 State running
check "hotplug: audiod captures again by itself" wait_for 30 prop_is Audio1 State running
check "hotplug: without a restart" test "$(main_pid voicehvac-audiod.service)" = "$pid"
check "hotplug: wakeword gets audio again" wait_for 30 prop_is WakeWord1 State listening
