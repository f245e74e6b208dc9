# mkbench - one kernel source tree, two builds (mono, micro), and the
# benchmark suite around them. Non-recursive: every user command is a
# target here or in an included fragment. `make help` lists them.

MODE ?= mono
MODES_ALL := mono micro
ifeq ($(filter $(MODE),$(MODES_ALL)),)
$(error MODE=$(MODE) is not a mode: use MODE=mono or MODE=micro)
endif

# The micro kernel's IPC strategy: one kernel per strategy, each under
# build/micro-<ipc>/ (kernels/micro/ipc/<ipc>.c, user/ipc/<ipc>.h). IPC
# names those that `make`, `make test` and `make bench` build and run
# (default: all); `make run MODE=micro` boots the first.
IPCS_ALL := sel4 l4 mach qnx minix rc4000
IPC ?= $(IPCS_ALL)
ipc_comma := ,
IPCS := $(strip $(subst $(ipc_comma), ,$(IPC)))
ifneq ($(filter-out $(IPCS_ALL),$(IPCS)),)
$(error IPC=$(IPC): unknown strategy $(filter-out $(IPCS_ALL),$(IPCS)) (valid: $(IPCS_ALL)))
endif
ifeq ($(IPCS),)
$(error IPC is empty (valid: $(IPCS_ALL)))
endif
BUILDS_ALL := mono $(patsubst %,micro-%,$(IPCS_ALL))
BUILDS := mono $(patsubst %,micro-%,$(IPCS))
RUN_BUILD := $(if $(filter micro,$(MODE)),micro-$(firstword $(IPCS)),mono)

BUILD := build

# Quiet by default: one short line per finished program (kernel, host
# benchmark, unit test); V=1 shows every command.
V ?= 0
ifeq ($(filter $(V),0 1),)
$(error V=$(V) is not a verbosity: use V=0 (quiet, the default) or V=1 (full commands))
endif
ifeq ($(V),1)
Q :=
say = :
else
Q := @
say = printf '  %-7s %s\n' '$(1)' '$(2)'
endif
CC := gcc
LD := ld
OBJCOPY := objcopy
QEMU ?= qemu-system-x86_64
PYTHON_NEEDS := pytest matplotlib distributed
# Resolved when a recipe uses it (after `deps` may have installed Python
# packages); pick-python explains on stderr when no interpreter fits.
PYTHON ?= $(shell scripts/pick-python $(PYTHON_NEEDS) || echo false)
HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror
GCC_INC := $(shell $(CC) -print-file-name=include)

# Kernel and user code: freestanding, no libc, no SSE (no FPU state to save).
FREE_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -nostdinc \
	-isystem $(GCC_INC) -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-omit-frame-pointer
KCFLAGS := $(FREE_CFLAGS) -Ikernels/core/include -Ilib -Iservices
KERNEL_CFLAGS := $(KCFLAGS)
UCFLAGS := $(FREE_CFLAGS) -Iuser -Ilib -Ibench -Ibench/apps -Iservices -Itests/guest
LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack

LIB_SRC := lib/fmt.c lib/string.c
CORE_SRC := $(wildcard kernels/core/*.c kernels/core/*.S) $(LIB_SRC)
SVC_SRC := services/fs.c services/ramdisk.c services/sem.c services/shm.c lib/fault.c
mono_SRC := $(wildcard kernels/mono/*.c) $(SVC_SRC)
micro_SRC := $(wildcard kernels/micro/*.c)
$(foreach i,$(IPCS_ALL),$(eval IPC_SRC_$(i) := kernels/micro/ipc/$(i).c))
IPC_SRC_sel4 += kernels/micro/ipc/sel4_fast.c kernels/micro/ipc/regs.c
IPC_SRC_l4 += kernels/micro/ipc/l4_fast.c kernels/micro/ipc/regs.c

# User programs: name -> sources. Every mode gets the common ones; a mode
# adds its servers. os_<mode>.c is linked into each program of that mode.
ULIB_SRC := user/crt0.S user/os_common.c $(LIB_SRC)
PROG_init := user/init.c
PROG_selftest := tests/guest/selftest.c tests/guest/st_core.c tests/guest/st_svc.c \
	tests/guest/st_attack.c tests/guest/st_quota.c tests/guest/st_smp.c
mono_PROG_selftest := tests/guest/st_mono.c
micro_PROG_selftest := tests/guest/st_micro.c
# ...and per micro IPC strategy: IPC_PROG_<program>_<ipc>
$(foreach i,$(IPCS_ALL),$(eval IPC_PROG_selftest_$(i) := tests/guest/st_ipc_$(i).c))
PROG_bench := bench/main.c bench/runtime.c bench/stats.c bench/wl_null.c bench/wl_pingpong.c \
	bench/wl_sem.c bench/wl_shm.c bench/wl_fileio.c bench/wl_calib.c bench/wl_smp.c bench/wl_clients.c \
	bench/apps/wl_kvstore.c bench/apps/wl_build.c bench/apps/wl_mix.c bench/apps/zipf.c bench/apps/lz.c
mono_PROG_bench := bench/usem_mono.c
micro_PROG_bench := bench/usem_micro.c
PROG_bench-helper := bench/helper.c
mono_PROG_bench-helper := bench/usem_mono.c
micro_PROG_bench-helper := bench/usem_micro.c
# The application workloads' processes (bench/apps/app.h): the key-value
# server (1 MiB of values), the build's and the mix's processes, and the
# mix's process-creation child, each an image of its own so that starting
# one pays for its own memory only.
PROG_bench-kv := bench/apps/kv_server.c bench/apps/lz.c
PROG_bench-app := bench/apps/app_main.c bench/apps/build.c bench/apps/mix.c bench/apps/zipf.c bench/apps/lz.c
PROG_bench-true := bench/apps/true.c
PROG_fuzz := tests/guest/fuzz.c
PROG_faultload := tests/guest/faultload.c
PROG_console := kernels/micro/servers/console.c
SRVLIB := kernels/micro/servers/srvlib.c
PROG_fs := kernels/micro/servers/fs.c $(SRVLIB) services/fs.c services/ramdisk.c lib/fault.c
PROG_blk := kernels/micro/servers/blk.c $(SRVLIB) services/ramdisk.c lib/fault.c
PROG_sem := kernels/micro/servers/sem.c $(SRVLIB) services/sem.c lib/fault.c
PROG_shm := kernels/micro/servers/shm.c $(SRVLIB) services/shm.c lib/fault.c
COMMON_PROGS := init selftest bench bench-helper bench-kv bench-app bench-true fuzz faultload
mono_PROGS := $(COMMON_PROGS)
micro_PROGS := $(COMMON_PROGS) console fs blk sem shm

.PHONY: all kernels help run gdb test clean deps
# Objects made by pattern rules are kept (not deleted as intermediates).
.SECONDARY:
all: kernels

help:
	@echo "make                      build every kernel (same as make all, make kernels)"
	@echo "make all                  build the kernels (build/mono, build/micro-<ipc>)"
	@echo "make kernels              build the kernels [IPC=sel4,l4,mach,qnx,minix,rc4000]"
	@echo "make run MODE=mono|micro  boot one kernel under QEMU (ARGS='run=test', IPC=sel4)"
	@echo "make gdb MODE=mono|micro  boot it stopped, waiting for gdb on :1234"
	@echo "make iso                  boot image for a PC: build/mkbench.iso [ISO_DEFAULT=<id> ISO_QUICK=1]"
	@echo "make test                 unit tests, boot tests of every kernel, harness tests"
	@echo "                          [CPUS=2|4: the boot tests on the SMP kernels with that many CPUs]"
	@echo "make unit                 build the host unit tests (ASan/UBSan) into build/unit/"
	@echo "make host-bench           build the Linux host baseline (build/host/hostbench)"
	@echo "make model                build the cycle model, a QEMU plugin (build/model/mkbmodel.so)"
	@echo "make validate             the cycle model against this host's CPU: native user-mode microbenchmarks"
	@echo "                          beside the model under qemu-user [PROFILE=skylake|zen3|zen4 QUICK=1]"
	@echo "make budget               build the instruction budget plugin (build/budget/mkbbudget.so)"
	@echo "make profile              build the profile plugin (build/profile/mkbprof.so)"
	@echo "make linux-guest          the Linux guest's initramfs (build/linux-guest/initramfs.cpio)"
	@echo "make bench                run the benchmark suite and write the report"
	@echo "                          [MODES=mono,micro,linux (and linux-guest: Debian's kernel as a guest;"
	@echo "                          LINUX_KERNEL=<vmlinuz>) WORKLOADS=null,pingpong,shm,sem,fileio,apps"
	@echo "                          (apps: kvstore,build,mix; named, they run all their sizes)"
	@echo "                          ACCEL=auto|icount|tcg|kvm QUICK=1 TIMEOUT=<s, a safety net under icount>"
	@echo "                          IPC=sel4,l4,mach,qnx,minix,rc4000 (micro strategies)"
	@echo "                          MACH_HANDOFF=off,on (mach's handoff scheduling: a boot each)"
	@echo "                          MODEL=skylake|zen3|zen4|off (modeled cycles beside instructions)"
	@echo "                          KVM_CPU=host|<QEMU CPU model> (under ACCEL=kvm)"
	@echo "                          CPUS=1,2,4 (each system per CPU count: the SMP kernels;"
	@echo "                          WORKLOADS=smp,clients, the multicore ones, need 2 or 4)]"
	@echo "make report [RUN=dir]     redraw report/out/index.html (default RUN=results/latest;"
	@echo "                          CYCLES_RUN=<ACCEL=kvm run>: measured cycles beside modeled)"
	@echo "make compare A=dir B=dir  what moved between two runs (exit 1 if anything did);"
	@echo "                          FULL=1 adds every row"
	@echo "make fuzz                 system-call fuzzer in every kernel [CALLS=10000000 SEED=1"
	@echo "                          FIRST=0 MODES=mono,micro IPC=... FUZZ_ACCEL=tcg|icount CPUS=1|2|4]"
	@echo "make faults               fault injection into both kernels' services [FAULTS=1000"
	@echo "                          RUNS=400 SEED=1 IPC=sel4 HEARTBEAT=3 CPUS=1|2|4"
	@echo "                          WORKLOADS=fileio,sem,shm,kvstore|isolation]; results/faults/<id>/"
	@echo "                          (isolation, CPUS=2: does a critical task on CPU 0 keep its period?)"
	@echo "                          bench, faults, fuzz: CLUSTER=tcp://host:port runs the icount"
	@echo "                          boots on a Dask scheduler's workers (default: local)"
	@echo "make deps                 install missing Debian packages (root) or print the line"
	@echo "make clean                remove build/ (results/ and report/out/ are kept)"
	@echo "make help                 this list; V=1 on any target shows full commands"

kernels: $(foreach b,$(BUILDS),$(BUILD)/$(b)/kernel.elf $(BUILD)/$(b)-smp/kernel.elf)

# $(call objs,<mode-or-dir>,<sources>)
objs = $(patsubst %,$(BUILD)/$(1)/obj/%.o,$(2))

$(BUILD)/kobj/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/kobj/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@
# The SMP kernels' objects (kernels/core/include/smp.h): the same sources
# with MKB_SMP; the micro kernels take the big kernel lock (kobj-smp/),
# mono a lock per subsystem (kobj-smp-fine/, MKB_FINE_LOCKS).
$(BUILD)/kobj-smp/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KCFLAGS) -DMKB_SMP -MMD -MP -c $< -o $@
$(BUILD)/kobj-smp/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(KCFLAGS) -DMKB_SMP -MMD -MP -c $< -o $@
$(BUILD)/kobj-smp-fine/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KCFLAGS) -DMKB_SMP -DMKB_FINE_LOCKS -MMD -MP -c $< -o $@
$(BUILD)/kobj-smp-fine/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(KCFLAGS) -DMKB_SMP -DMKB_FINE_LOCKS -MMD -MP -c $< -o $@
# The IPC strategies (kernels/micro/ipc/) include the micro kernel's ipc.h.
$(BUILD)/kobj/kernels/micro/ipc/%.o $(BUILD)/kobj-smp/kernels/micro/ipc/%.o: KCFLAGS += -Ikernels/micro
# $(call LINK_KERNEL,<build>,<objects>): kernel64.elf, its listing and symbols
define LINK_KERNEL
	$(Q)$(LD) $(LDFLAGS) -T kernels/core/kernel.ld -o $@ $(2)
	$(Q)objdump -d -S $@ > $(BUILD)/$(1)/kernel.asm
	$(Q)nm -n $@ > $(BUILD)/$(1)/kernel.sym
endef

# $(call BUILD_RULES,<build>,<mode>,<ipc or empty>)
define BUILD_RULES
$(1)_KOBJS := $$(patsubst %,$(BUILD)/kobj/%.o,$$(CORE_SRC) $$($(2)_SRC) $$(IPC_SRC_$(3)))
$(1)_UOBJ_LIB := $$(patsubst %,$(BUILD)/$(1)/uobj/%.o,$$(ULIB_SRC) user/os_$(2).c)

# User objects are per build: the micro ones inline their strategy's
# user side (user/ipc.h includes user/ipc/<ipc>.h).
$(BUILD)/$(1)/uobj/%.c.o: %.c
	@mkdir -p $$(@D)
	$(Q)$(CC) $(UCFLAGS) $(if $(3),-DMKB_IPC_IMPL='"ipc/$(3).h"') -MMD -MP -c $$< -o $$@
$(BUILD)/$(1)/uobj/%.S.o: %.S
	@mkdir -p $$(@D)
	$(Q)$(CC) $(UCFLAGS) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/user/%.elf: $$($(1)_UOBJ_LIB) user/user.ld
	@mkdir -p $$(@D)
	$(Q)$(LD) $(LDFLAGS) -T user/user.ld -o $$@ $$($(1)_UOBJ_LIB) \
		$$(patsubst %,$(BUILD)/$(1)/uobj/%.o,$$(PROG_$$*) $$($(2)_PROG_$$*) $$(IPC_PROG_$$*_$(3)))

$(BUILD)/$(1)/images.S: Makefile
	@mkdir -p $$(@D)
	@{ echo '/* generated: user programs linked into the $(1) kernel */'; \
	  echo '.section .rodata'; i=0; \
	  for p in $$($(2)_PROGS); do i=$$$$((i+1)); \
	    echo ".balign 16"; echo "img$$$${i}_start: .incbin \"$(BUILD)/$(1)/user/$$$$p.elf\""; \
	    echo "img$$$${i}_end:"; echo "img$$$${i}_name: .asciz \"$$$$p\""; done; \
	  echo '.balign 8'; echo '.globl user_images, n_user_images'; echo 'user_images:'; i=0; \
	  for p in $$($(2)_PROGS); do i=$$$$((i+1)); \
	    echo ".quad img$$$${i}_name, img$$$${i}_start, img$$$${i}_end"; done; \
	  echo 'n_user_images: .long $$(words $$($(2)_PROGS))'; } > $$@

$(BUILD)/$(1)/images.o: $(BUILD)/$(1)/images.S $$(patsubst %,$(BUILD)/$(1)/user/%.elf,$$($(2)_PROGS))
	$(Q)$(CC) -c $$< -o $$@

$(BUILD)/$(1)/kernel64.elf: $$($(1)_KOBJS) $(BUILD)/$(1)/images.o kernels/core/kernel.ld
	$$(call LINK_KERNEL,$(1),$$($(1)_KOBJS) $(BUILD)/$(1)/images.o)
$$(eval $$(call ELF32,$(1)))
endef
# The bootable image: the same code in an ELF32 container, which every
# Multiboot loader (GRUB, QEMU -kernel) accepts.
define ELF32
$(BUILD)/$(1)/kernel.elf: $(BUILD)/$(1)/kernel64.elf
	@$$(call say,KERNEL,$$@)
	$(Q)$(OBJCOPY) -O elf32-i386 $$< $$@
endef
# $(call SMP_RULES,<build>,<mode>,<ipc or empty>,<objects' directory>): <build>-smp,
# the SMP kernel with the same user programs (the uniprocessor build's images.o).
define SMP_RULES
$(1)-smp_KOBJS := $$(patsubst %,$(BUILD)/$(4)/%.o,$$(CORE_SRC) $$($(2)_SRC) $$(IPC_SRC_$(3)))
$(BUILD)/$(1)-smp/kernel64.elf: $$($(1)-smp_KOBJS) $(BUILD)/$(1)/images.o kernels/core/kernel.ld
	@mkdir -p $$(@D)
	$$(call LINK_KERNEL,$(1)-smp,$$($(1)-smp_KOBJS) $(BUILD)/$(1)/images.o)
$$(eval $$(call ELF32,$(1)-smp))
endef
$(eval $(call BUILD_RULES,mono,mono,))
$(foreach i,$(IPCS_ALL),$(eval $(call BUILD_RULES,micro-$(i),micro,$(i))))
$(eval $(call SMP_RULES,mono,mono,,kobj-smp-fine))
$(foreach i,$(IPCS_ALL),$(eval $(call SMP_RULES,micro-$(i),micro,$(i),kobj-smp)))

# Each program's own objects must exist before it links.
define PROG_DEPS
$(BUILD)/$(1)/user/$(3).elf: $(patsubst %,$(BUILD)/$(1)/uobj/%.o,$(PROG_$(3)) $($(2)_PROG_$(3)) \
	$(IPC_PROG_$(3)_$(4)))
endef
$(foreach b,$(BUILDS_ALL),$(foreach m,$(firstword $(subst -, ,$(b))),\
  $(foreach p,$($(m)_PROGS),$(eval $(call PROG_DEPS,$(b),$(m),$(p),$(patsubst micro-%,%,$(filter micro-%,$(b))))))))

QEMU_FLAGS := -m 128M -display none -no-reboot -monitor none -cpu qemu64,+smep,+smap,+umip \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
ARGS ?= run=test
run: $(BUILD)/$(RUN_BUILD)/kernel.elf
	$(QEMU) $(QEMU_FLAGS) -serial stdio -kernel $< -append "$(ARGS)"; \
	s=$$?; echo "qemu exit status $$s (33 = success, 35 = failure, 37 = kernel panic)"; [ $$s = 33 ]

gdb: $(BUILD)/$(RUN_BUILD)/kernel.elf
	@echo "QEMU waits for gdb: gdb $(BUILD)/$(RUN_BUILD)/kernel64.elf -ex 'target remote :1234'"
	$(QEMU) $(QEMU_FLAGS) -serial stdio -kernel $< -append "$(ARGS)" -s -S

# The Linux guest's kernel is fetched when a goal needs it: make test, or
# MODES naming linux-guest (scripts/deps.sh linux-guest).
DEPS_LINUX = $(if $(or $(filter test,$(MAKECMDGOALS)),$(filter linux-guest,$(subst $(ipc_comma), ,$(MODES)))),linux-guest)
deps:
	@scripts/deps.sh $(DEPS_LINUX)

-include scripts/harness.mk
-include bench/host/host.mk
-include scripts/linux_guest.mk
-include bench/model/model.mk
-include bench/validate/validate.mk
-include bench/budget/budget.mk
-include bench/profile/profile.mk
-include tests/unit/unit.mk
-include scripts/iso.mk
UNIT_SRC_test_fmt := lib/fmt.c
# lib/string.c under other names, beside the C library's (and without
# gcc's builtins, which would skip the code under test).
UNIT_SRC_test_string := lib/string.c
$(BUILD)/unit/obj/lib/string.o: UNIT_CFLAGS += -fno-builtin -Dmemcpy=mkb_memcpy \
	-Dmemmove=mkb_memmove -Dmemset=mkb_memset -Dmemcmp=mkb_memcmp -Dstrlen=mkb_strlen \
	-Dstrncmp=mkb_strncmp -Dstrcmp=mkb_strcmp
UNIT_SRC_test_stats := bench/stats.c
UNIT_SRC_test_zipf := bench/apps/zipf.c
UNIT_SRC_test_lz := bench/apps/lz.c
$(BUILD)/unit/test_zipf: UNIT_LDFLAGS += -lm
UNIT_CFLAGS += -Ilib -Ibench -Ibench/apps

TEST_PREREQS := kernels model budget profile $(VALIDATE_BIN) $(if $(wildcard tests/unit/unit.mk),unit) \
	$(if $(wildcard bench/host/host.mk),host-bench) linux-guest
test: deps
	$(if $(filter-out 1 2 4,$(CPUS)),$(error make test CPUS=$(CPUS): one count, 1, 2 or 4 (the boot tests' CPUs)))
	@$(MAKE) -s --no-print-directory $(TEST_PREREQS)
	MKB_CPUS='$(CPUS)' $(PYTHON) -m pytest -q tests/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
