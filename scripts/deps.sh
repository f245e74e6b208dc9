#!/bin/sh
# deps.sh [linux-guest] - make sure the Debian packages mkbench needs are installed.
# As root: installs the missing ones with apt-get. Otherwise: prints the
# exact command to run and fails. Nothing is downloaded at build time
# beyond Debian's own packages. grub-pc-bin, xorriso and mtools are
# grub-mkrescue's, for `make iso` (scripts/iso.mk); llvm-19's llvm-mca and
# llvm-mc price the cycle model's instructions (scripts/mkb/mca.py);
# qemu-user runs make validate's benchmarks under the model (scripts/validate.py);
# cpio packs the Linux guest's initramfs (scripts/linux_guest.mk).
#
# With linux-guest (make bench MODES=...,linux-guest; make test): also the
# Linux guest's kernel, Debian's linux-image-cloud-amd64, downloaded with
# apt-get download (no root needed) and unpacked under
# build/linux-guest/kernel/ (its boot/vmlinuz-* and package.txt: the
# package and its version). It is not installed: this machine's /boot and
# boot loader stay as they are (scripts/mkb/linuxguest.py finds it there).
PKGS="gcc g++ make binutils qemu-system-x86 python3 python3-matplotlib python3-pytest python3-distributed \
gnuplot-nox libbenchmark-dev linux-perf grub-common grub-pc-bin xorriso mtools llvm-19 qemu-user cpio"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	line="apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
			|| { echo "deps: install failed; run: $line" >&2; exit 1; }
	else
		echo "deps: missing Debian packages:$missing" >&2
		echo "deps: run as root: $line" >&2
		exit 1
	fi
fi
[ "$1" = linux-guest ] || exit 0

KDIR=build/linux-guest/kernel
ls "$KDIR"/boot/vmlinuz-* >/dev/null 2>&1 && exit 0
image() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1; }
pkg=$(image)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq && pkg=$(image)
fi
if [ -z "$pkg" ]; then
	echo "deps: Debian's linux-image-cloud-amd64 is not in apt's lists (as root: apt-get update)" >&2
	exit 1
fi
echo "deps: downloading $pkg (the Linux guest's kernel) into $KDIR"
rm -rf "$KDIR.tmp" && mkdir -p "$KDIR.tmp" || exit 1
(cd "$KDIR.tmp" && apt-get download -q=2 "$pkg" 2>/dev/null) && deb=$(ls "$KDIR.tmp"/*.deb 2>/dev/null | head -1) \
	&& [ -n "$deb" ] && dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KDIR.tmp" ./boot \
	&& printf '%s %s\n' "$pkg" "$(dpkg-deb -f "$deb" Version)" > "$KDIR.tmp/package.txt" \
	&& rm -f "$deb" && rm -rf "$KDIR" && mv "$KDIR.tmp" "$KDIR" \
	|| { echo "deps: could not download or unpack $pkg (apt-get download $pkg)" >&2; exit 1; }
