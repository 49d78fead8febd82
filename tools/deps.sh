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
        # the interface test builds a gdbus-codegen client
        libglib2.0-dev
        # acoustic adaptation at enrolment (bw, mllr_solve; sphinx_fe; pocketsphinx_mdef_convert)
        sphinxtrain sphinxbase-utils pocketsphinx
        # run and test
        systemd dbus dbus-daemon alsa-utils libasound2-plugins python3 v4l-utils strace pulseaudio pulseaudio-utils
        pipewire pipewire-bin wireplumber
        # the VM suite (real systemd, cgroup v2 and ALSA under qemu)
        qemu-system-x86 debootstrap e2fsprogs
        # Debian packages (make deb)
        debhelper dpkg-dev lintian
        # demo and benchmark corpus
        espeak-ng sox flite
)

# PipeWire's ALSA plugin is in pipewire-alsa, which Conflicts: pulseaudio in Debian 12 (it makes
# PipeWire every program's default device). The tests need both servers, so unless pipewire-alsa
# is installed, the plugin alone is unpacked from its package into this directory, where the
# tests look for it; nothing else on the system sees it.
PIPEWIRE_ALSA_DIR=/usr/local/lib/voicehvac-tests/pipewire-alsa

pipewire_alsa_present() {
        dpkg-query -W -f='${Status}' pipewire-alsa 2>/dev/null | grep -q "install ok installed" ||
                [ -e "$PIPEWIRE_ALSA_DIR/libasound_module_pcm_pipewire.so" ]
}

unpack_pipewire_alsa() {
        local d
        d=$(mktemp -d)
        (cd "$d" && apt-get download -q -o APT::Sandbox::User=root pipewire-alsa >/dev/null) &&
                dpkg-deb -x "$d"/pipewire-alsa_*.deb "$d/root" &&
                mkdir -p "$PIPEWIRE_ALSA_DIR" &&
                cp "$d"/root/usr/lib/*/alsa-lib/libasound_module_pcm_pipewire.so "$PIPEWIRE_ALSA_DIR/"
        local rc=$?
        rm -rf "$d"
        return $rc
}

missing=()
for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing+=("$p")
        fi
done
pipewire_alsa_present || missing+=("pipewire-alsa (its ALSA plugin)")

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
pipewire_alsa_present || unpack_pipewire_alsa
echo "deps: done"
