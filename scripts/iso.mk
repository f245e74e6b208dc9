# scripts/iso.mk - make iso: a bootable image for a PC (issue 17), included
# by the top-level Makefile.
#
#   make iso [ISO=build/mkbench.iso] [IPC=sel4,l4,...] [ISO_QUICK=1]
#            [ISO_DEFAULT=<entry id>] [ISO_TIMEOUT=<s>]
#
# A GRUB rescue image (grub-mkrescue, BIOS boot; Debian's grub-pc-bin,
# grub-common, xorriso and mtools, which `make deps` installs) with every
# kernel of IPC (default all: build/mono, build/micro-<ipc>) and one menu
# entry per (kernel, workload, shape), the command line make bench gives
# that boot plus console=vga (scripts/mkiso.py writes grub.cfg from
# scripts/mkb/matrix.py). Full sizes; ISO_QUICK=1 takes QUICK=1's.
# ISO_DEFAULT=<id> (mono-pingpong, micro-sel4-fileio-fs+blk, ...; `make
# iso-list` prints them) boots that entry at once; without it the menu
# waits for a choice. A copy of grub.cfg goes beside the image
# (build/mkbench.grub.cfg). Uses BUILD, BUILDS and PYTHON from the
# top-level Makefile.

ISO ?= $(BUILD)/mkbench.iso
ISO_QUICK ?=
ISO_DEFAULT ?=
ISO_TIMEOUT ?=
iso_comma := ,
iso_empty :=
iso_space := $(iso_empty) $(iso_empty)
ISO_ARGS = --build-dir '$(BUILD)' --systems '$(subst $(iso_space),$(iso_comma),$(strip $(BUILDS)))' \
	$(if $(filter 1,$(ISO_QUICK)),--quick) $(if $(ISO_DEFAULT),--default '$(ISO_DEFAULT)') \
	$(if $(ISO_TIMEOUT),--timeout '$(ISO_TIMEOUT)')

.PHONY: iso iso-run iso-list

# deps first (it may install grub-mkrescue and xorriso), then the image.
iso: deps
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) iso-run

iso-run: $(foreach b,$(BUILDS),$(BUILD)/$(b)/kernel.elf)
	$(if $(filter-out 0 1,$(ISO_QUICK)),$(error ISO_QUICK=$(ISO_QUICK): use ISO_QUICK=1, or leave it out))
	$(Q)$(PYTHON) scripts/mkiso.py $(ISO_ARGS) --out '$(ISO)'

iso-list:
	@$(PYTHON) scripts/mkiso.py $(ISO_ARGS) --list
