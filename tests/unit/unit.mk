# tests/unit/unit.mk - host unit tests of portable code (services/, and any
# kernel code written to the same rules), built with ASan and UBSan.
#
# Included by the top-level Makefile, which defines BUILD, CC, HOST_CFLAGS.
#   make unit          build every tests/unit/test_*.c into $(BUILD)/unit/test_*
# The binaries are run by tests/unit/test_unit.py (pytest), or by hand.
#
# Adding a test: write tests/unit/test_foo.c (see check.h), then name the
# sources it links next to the others below:
#   UNIT_SRC_test_foo := kernels/core/foo.c
# and, if it needs more include directories:
#   UNIT_CFLAGS += -Ikernels/core
# One file needing its own flags gets a target-specific variable:
#   $(BUILD)/unit/obj/tests/unit/test_foo.o: UNIT_CFLAGS += -Wno-xxx
# UNIT_SRC_* may also be set after this file is included.  Each source is
# compiled once to $(BUILD)/unit/obj/<path>.o with dependency files, so
# header changes rebuild what uses them.

UNIT_TEST_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_TEST_SRCS))
UNIT_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_CFLAGS := $(HOST_CFLAGS) $(UNIT_SAN) -Iservices -Itests/unit -MMD -MP
UNIT_LDFLAGS := $(UNIT_SAN)
unit_objs = $(patsubst %.c,$(BUILD)/unit/obj/%.o,$(1))

UNIT_SRC_test_fs := services/fs.c services/fs_check.c services/ramdisk.c
UNIT_SRC_test_fs_random := $(UNIT_SRC_test_fs)
UNIT_SRC_test_fs_dir := $(UNIT_SRC_test_fs)
UNIT_SRC_test_sem := services/sem.c
UNIT_SRC_test_shm := services/shm.c

.PHONY: unit
unit: $(UNIT_TESTS)

# Keep the objects (make would delete them as intermediate files).
.PRECIOUS: $(BUILD)/unit/obj/%.o
$(BUILD)/unit/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -c -o $@ $<

# Second expansion lets UNIT_SRC_test_<name> be defined after this file
# (a pattern rule would replace a literal % here, hence unit_objs).
.SECONDEXPANSION:
$(BUILD)/unit/test_%: $(BUILD)/unit/obj/tests/unit/test_%.o \
		$$(call unit_objs,$$(UNIT_SRC_test_$$*))
	@$(call say,UNIT,$@)
	$(Q)$(CC) $(UNIT_LDFLAGS) -o $@ $^

-include $(wildcard $(BUILD)/unit/obj/*/*.d $(BUILD)/unit/obj/*/*/*.d \
		$(BUILD)/unit/obj/*/*/*/*.d)
