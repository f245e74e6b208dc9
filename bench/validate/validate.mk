# bench/validate/validate.mk - make validate: the cycle model against this
# host's CPU (scripts/validate.py; included by the top-level Makefile).
#
#   make validate [PROFILE=skylake|zen3|zen4] [QUICK=1]
#
# PROFILE defaults to the profile of this host's core (/proc/cpuinfo);
# QUICK=1 runs natively 3 times instead of 9.

VALIDATE_BIN := $(BUILD)/validate/validate
VALIDATE_OWN := $(BUILD)/validate/own

# The suite's own user-level code, compiled as for the guests (FREE_CFLAGS)
# and linked into the Linux program: the file system of services/ over a
# RAM disk, and user/os_micro.c once per IPC strategy (its trap a call to
# bench/validate/trap.c's stub). lib/string.c's functions (rep movsb and
# rep stosb, as in the guests) take other names beside the C library's,
# and each strategy keeps only its two channel calls global, renamed.
VALIDATE_FREE := $(FREE_CFLAGS) -Iuser -Ilib -Iservices
VALIDATE_RENAME := $(foreach f,memcpy memmove memset memcmp strlen strncmp strcmp,--redefine-sym $(f)=mkb_$(f))
VALIDATE_OBJS := $(patsubst %.c,$(VALIDATE_OWN)/%.o,services/fs.c services/ramdisk.c lib/string.c \
		bench/validate/trap.c) $(foreach s,$(IPCS_ALL),$(VALIDATE_OWN)/os_micro-$(s).o)

$(patsubst %.c,$(VALIDATE_OWN)/%.o,services/fs.c services/ramdisk.c lib/string.c bench/validate/trap.c): \
		$(VALIDATE_OWN)/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(VALIDATE_FREE) -MMD -MP -MT $@ -MF $@.d -c -o $@.raw $<
	$(Q)$(OBJCOPY) $(VALIDATE_RENAME) $@.raw $@

# (a static pattern: a plain one, its prerequisite always there, would
# offer to make any name, the dependency files' too)
$(foreach s,$(IPCS_ALL),$(VALIDATE_OWN)/os_micro-$(s).o): $(VALIDATE_OWN)/os_micro-%.o: user/os_micro.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(VALIDATE_FREE) -DMKB_TRAP_STUB -DMKB_IPC_IMPL='"ipc/$*.h"' -MMD -MP -MT $@ -MF $@.d -c -o $@.raw $<
	$(Q)$(OBJCOPY) $(VALIDATE_RENAME) -G os_chan_call -G os_chan_reply_recv $@.raw $@.local
	$(Q)$(OBJCOPY) --redefine-sym os_chan_call=$*_chan_call \
		--redefine-sym os_chan_reply_recv=$*_chan_reply_recv $@.local $@

$(VALIDATE_BIN): bench/validate/validate.c $(VALIDATE_OBJS)
	@mkdir -p $(@D)
	@$(call say,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Iservices -Ilib -DVALIDATE_IPCS='$(foreach s,$(IPCS_ALL),X($(s)))' \
		-static -o $@ $< $(VALIDATE_OBJS)

-include $(wildcard $(VALIDATE_OWN)/*/*.d $(VALIDATE_OWN)/*/*/*.d $(VALIDATE_OWN)/*.d)

.PHONY: validate validate-run
validate: deps
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) validate-run

validate-run: $(VALIDATE_BIN) $(MODEL_SO)
	$(call harness_switch,QUICK)
	@$(PYTHON) scripts/validate.py $(if $(PROFILE),--profile '$(PROFILE)') \
		$(if $(filter 1,$(QUICK)),--reps 3)
