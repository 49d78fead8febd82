#!/bin/bash
# Installs every Debian package that building, testing, benchmarking and the demo need.
#   tools/deps.sh              install (or upgrade to) all of them
#   tools/deps.sh --if-missing install only when one of them is missing (what make calls)
set -euo pipefail

PACKAGES=(
        # build
        gcc make pkg-config clang libclang-rt-14-dev
        libsystemd-dev libasound2-dev libudev-dev libjson-c-dev libpulse-dev
        libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us libcurl4-openssl-dev
        # run and test
        systemd dbus dbus-daemon alsa-utils libasound2-plugins python3 v4l-utils strace pulseaudio pulseaudio-utils
        # the VM suite (real systemd, cgroup v2 and ALSA under qemu)
        qemu-system-x86 debootstrap e2fsprogs
        # demo and benchmark corpus
        espeak-ng sox flite
)

missing=()
for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing+=("$p")
        fi
done

if [ "${1:-}" = "--if-missing" ] && [ ${#missing[@]} -eq 0 ]; then
        exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
        echo "deps: missing packages: ${missing[*]:-none}; run 'make deps' as root" >&2
        exit 1
fi

echo "deps: installing ${missing[*]:-${PACKAGES[*]}}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "deps: done"
