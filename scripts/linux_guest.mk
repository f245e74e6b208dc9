# scripts/linux_guest.mk - the Linux guest's initramfs (MODES=linux-guest),
# included by the top-level Makefile (BUILD, CC, HOST_CFLAGS from there).
#
#   make linux-guest  -> $(BUILD)/linux-guest/init (static) and
#                        $(BUILD)/linux-guest/initramfs.cpio (its only file,
#                        /init, packed by Debian's cpio in the kernel's newc
#                        format, with fixed owners and times)
#
# /init is the host baseline's workloads (bench/host/wl_*.c) over the
# guest implementation of gbench.h (gbench_tsc.c) and bench/stats.c; the
# kernel is Debian's (scripts/mkb/linuxguest.py finds it).

LG_OUT := $(BUILD)/linux-guest
LG_SRCS := bench/host/guest_init.c bench/host/gbench_tsc.c bench/host/partner.c \
	bench/host/wl_null.c bench/host/wl_stream.c bench/host/wl_sync.c bench/host/wl_mq.c \
	bench/host/wl_shm.c bench/host/wl_fileio.c bench/stats.c
LG_HDRS := bench/host/host.h bench/host/gbench.h bench/host/gbench_tsc.h bench/bench.h \
	lib/protocol.h lib/abi.h
LG_CFLAGS := $(HOST_CFLAGS) -D_GNU_SOURCE -Ibench/host -Ibench -Ilib

.PHONY: linux-guest
linux-guest: $(LG_OUT)/initramfs.cpio $(PROFILE_SO)

$(LG_OUT)/init: $(LG_SRCS) $(LG_HDRS)
	@mkdir -p $(LG_OUT)
	@$(call say,STATIC,$@)
	$(Q)$(CC) $(LG_CFLAGS) -static -o $@ $(LG_SRCS) -lrt -lpthread

# The archive holds /init and the empty directories it mounts on; cpio's
# --reproducible and -R 0:0 make it the same bytes from the same init.
$(LG_OUT)/initramfs.cpio: $(LG_OUT)/init
	@command -v cpio >/dev/null || { echo "make linux-guest: cpio is missing (make deps installs it)" >&2; exit 1; }
	@$(call say,CPIO,$@)
	$(Q)rm -rf $(LG_OUT)/root && mkdir -p $(LG_OUT)/root/dev $(LG_OUT)/root/proc $(LG_OUT)/root/sys
	$(Q)cp $< $(LG_OUT)/root/init
	$(Q)touch -h -d @0 $(LG_OUT)/root $(LG_OUT)/root/*
	$(Q)cd $(LG_OUT)/root && find . | LC_ALL=C sort | cpio -o -H newc --reproducible -R 0:0 --quiet > ../initramfs.cpio.tmp
	$(Q)mv $(LG_OUT)/initramfs.cpio.tmp $@
