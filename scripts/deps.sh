#!/bin/sh
# deps.sh - make sure the Debian packages mkbench needs are installed.
# As root: installs the missing ones with apt-get. Otherwise: prints the
# exact command to run and fails. Nothing is downloaded at build time
# beyond Debian's own packages. grub-pc-bin, xorriso and mtools are
# grub-mkrescue's, for `make iso` (scripts/iso.mk); llvm-19's llvm-mca and
# llvm-mc price the cycle model's instructions (scripts/mkb/mca.py);
# qemu-user runs make validate's benchmarks under the model (scripts/validate.py);
# linux-image-cloud-amd64 is the kernel MODES=linux-guest boots and cpio packs
# its initramfs (scripts/linux_guest.mk, scripts/mkb/linuxguest.py).
PKGS="gcc g++ make binutils qemu-system-x86 python3 python3-matplotlib python3-pytest python3-distributed \
gnuplot-nox libbenchmark-dev linux-perf grub-common grub-pc-bin xorriso mtools llvm-19 qemu-user \
linux-image-cloud-amd64 cpio"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
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
