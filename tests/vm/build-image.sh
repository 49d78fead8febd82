#!/bin/bash
# build-image.sh OUTDIR — builds the Debian 12 test VM: an ext4 root filesystem image, the
# kernel and a small initramfs, made without loop devices or KVM (debootstrap, chroot,
# mkfs.ext4 -d). Needs root, debootstrap, e2fsprogs and Debian's archive.
#
# The image holds only what does not change with the project: systemd, dbus, udev, the kernel
# with its sound and rc modules, ALSA and IR tools, and the daemons' shared libraries. The
# project itself (built binaries, units, tests) comes in through a 9p share at each boot, so
# the image is rebuilt only when this recipe changes (tests/vm/check-vm.sh keys the cache on a
# hash of tests/vm/build-image.sh and tests/vm/image/).
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
mirror=${VH_VM_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

packages=(
        systemd systemd-sysv dbus udev kmod linux-image-amd64 initramfs-tools zstd
        # what the suite drives the stack with
        alsa-utils v4l-utils procps
        # the daemons' shared libraries (the binaries come from the host's Debian 12 build)
        libsystemd0 libudev1 libasound2 libjson-c5 libpocketsphinx3 libsphinxbase3 pocketsphinx-en-us
        libmosquitto1
        # mqttd's broker and Home Assistant's side of it
        mosquitto mosquitto-clients
)

[ "$(id -u)" -eq 0 ] || { echo "build-image: needs root (debootstrap, chroot)" >&2; exit 1; }

work=$(mktemp -d "${out%/}.build-XXXXXX")
root="$work/root"
cleanup() {
        for m in proc sys dev; do umount -l "$root/$m" 2>/dev/null || true; done
        rm -rf "$work"
}
trap cleanup EXIT

echo "build-image: debootstrap $suite (minbase) from $mirror"
debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" \
        "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# A boot that only needs a virtio disk with ext4: an initramfs of three modules is built and
# loads in a fraction of the time of the default one.
cat >"$root/etc/initramfs-tools/conf.d/voicehvac-vm.conf" <<'CONF'
MODULES=list
COMPRESS=zstd
CONF
printf '%s\n' virtio_pci virtio_blk ext4 >"$root/etc/initramfs-tools/modules"
kver=$(ls "$root/lib/modules" | sort -V | tail -n1)
chroot "$root" update-initramfs -c -k "$kver" >/dev/null 2>&1 ||
        chroot "$root" update-initramfs -u -k "$kver" >/dev/null

# polkitd, which the daemons ask where group voicehvac does not grant a change. Installed with
# apt in the finished system: its maintainer scripts want a configured systemd and dbus, which
# debootstrap's own configuration pass does not order before it.
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
if ! { chroot "$root" apt-get update -q && DEBIAN_FRONTEND=noninteractive chroot "$root" \
                apt-get install -y -q --no-install-recommends polkitd; } >"$work/polkitd.log" 2>&1; then
        tail -n 30 "$work/polkitd.log" >&2; exit 1
fi
umount "$root/dev" "$root/proc"
: >"$root/etc/resolv.conf"

# Configuration of the guest, copied as is (fstab, hostname, the unit that runs the suite).
cp -a "$here/image/." "$root/"
chmod 755 "$root/usr/local/sbin/voicehvac-vm-run"
chroot "$root" systemctl enable voicehvac-vm.service >/dev/null 2>&1
# Nothing in the guest waits for a network or a login.
chroot "$root" systemctl mask getty@tty1.service serial-getty@ttyS0.service \
        systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
        fstrim.timer >/dev/null 2>&1 || true
echo voicehvac-vm >"$root/etc/hostname"
passwd -R "$root" -d root >/dev/null

# Trim what a headless test guest never uses.
rm -rf "$root"/usr/share/{doc,man,info,locale}/* "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/*
mods="$root/lib/modules/$kver/kernel"
rm -rf "$mods"/drivers/{gpu,infiniband,net/wireless,net/ethernet,staging,scsi,usb,bluetooth,isdn,md,nvme} \
       "$mods"/net/{bluetooth,wireless,mac80211} "$mods"/sound/{pci,usb,soc,firewire,isa,pcmcia}
chroot "$root" depmod "$kver"

mkdir -p "$work/out"
cp "$root/boot/vmlinuz-$kver" "$work/out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/out/initrd.img"
rm -f "$root"/boot/initrd.img-* 
size_mb=$(( $(du -smx "$root" | cut -f1) * 13 / 10 + 300 ))
mkfs.ext4 -q -L voicehvac -d "$root" "$work/out/root.ext4" "${size_mb}M"
echo "$kver" >"$work/out/kernel-version"

rm -rf "$out"
mv "$work/out" "$out"
echo "build-image: done, $(du -sh --apparent-size "$out/root.ext4" | cut -f1) root image, kernel $kver"
