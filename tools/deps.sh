#!/bin/bash
# Installs every Debian package that building, testing, benchmarking and the demo need.
#   tools/deps.sh                  install (or upgrade to) all of them
#   tools/deps.sh --if-missing     install only when one of them is missing (what make calls)
#   tools/deps.sh --check          exit 0 when all are installed, 1 when not; installs nothing
#   tools/deps.sh [--if-missing|--check] arm64|i386
#                                  the cross toolchain, the foreign architecture's dev packages
#                                  (multi-arch) and qemu-user to run its binaries
set -euo pipefail

mode=install
case ${1:-} in --if-missing|--check) mode=${1#--}; shift ;; esac
arch=${1:-}

PACKAGES=(
        # build
        gcc make pkg-config clang libclang-rt-14-dev
        libsystemd-dev libasound2-dev libudev-dev libjson-c-dev libpulse-dev
        libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us libcurl4-openssl-dev libmosquitto-dev
        # the interface test builds a gdbus-codegen client
        libglib2.0-dev
        # acoustic adaptation at enrolment (bw, mllr_solve; sphinx_fe; pocketsphinx_mdef_convert)
        sphinxtrain sphinxbase-utils pocketsphinx
        # run and test
        systemd dbus dbus-daemon polkitd alsa-utils libasound2-plugins python3 v4l-utils strace pulseaudio pulseaudio-utils
        pipewire pipewire-bin wireplumber
        # mqttd's tests: a real broker, its command-line clients, and a CA for its TLS listener
        mosquitto mosquitto-clients openssl
        # the VM suite (real systemd, cgroup v2 and ALSA under qemu), `make check-fresh`
        qemu-system-x86 debootstrap e2fsprogs git
        # Debian packages (make deb)
        debhelper dpkg-dev lintian
        # demo and benchmark corpus
        espeak-ng sox flite
        # the DET curves of the enrolment benchmark
        gnuplot-nox
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

# The libraries the daemons link, the same list for every architecture.
DEV_PACKAGES=(libsystemd-dev libasound2-dev libudev-dev libjson-c-dev libpulse-dev
              libpocketsphinx-dev libsphinxbase-dev libcurl4-openssl-dev libmosquitto-dev)

case $arch in
"") ;;
arm64|i386)
        case $arch in
        arm64) triplet=aarch64-linux-gnu ;;
        i386)  triplet=i686-linux-gnu ;;
        esac
        # Debian's cross compiler, the libraries as multi-arch :$arch packages beside the host's,
        # and qemu-user with binfmt so the tests run the foreign binaries as they are.
        # PipeWire's client libraries of $arch, for its ALSA plugin in the capture tests (the
        # plugin itself is unpacked by tests/cross/check-cross.sh, like alsa-utils).
        PACKAGES=(gcc-$triplet pkg-config qemu-user-static binfmt-support file
                  "${DEV_PACKAGES[@]/%/:$arch}" libasound2-plugins:$arch
                  libpipewire-0.3-0:$arch libpipewire-0.3-modules:$arch libspa-0.2-modules:$arch)
        ;;
*)
        echo "deps: unknown architecture '$arch' (arm64 or i386)" >&2
        exit 2
        ;;
esac

# One dpkg-query for the lot: make calls this on every build.
installed=$(dpkg-query -W -f='${binary:Package} ${db:Status-Status}\n' 2>/dev/null | awk '$2 == "installed" { print $1 }')
missing=()
for p in "${PACKAGES[@]}"; do
        case $p in *:*) q=$p ;; *) q="$p|$p:$(dpkg --print-architecture)|$p:all" ;; esac
        grep -qxE "$q" <<<"$installed" || missing+=("$p")
done
[ -n "$arch" ] || pipewire_alsa_present || missing+=("pipewire-alsa (its ALSA plugin)")

if [ $mode = check ]; then
        [ ${#missing[@]} -eq 0 ]
        exit
fi
if [ $mode = if-missing ] && [ ${#missing[@]} -eq 0 ]; then
        exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
        echo "deps: missing packages: ${missing[*]:-none}; run 'make deps' as root" >&2
        exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ -n "$arch" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        echo "deps: adding the $arch architecture to dpkg"
        dpkg --add-architecture "$arch"
fi
echo "deps: installing ${missing[*]:-${PACKAGES[*]}}"
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${PACKAGES[@]}" >/dev/null
[ -n "$arch" ] || pipewire_alsa_present || unpack_pipewire_alsa
echo "deps: done"
