# bench/validate/validate.mk - make validate: the cycle model against this
# host's CPU (scripts/validate.py; included by the top-level Makefile).
#
#   make validate [PROFILE=skylake|zen3|zen4] [QUICK=1]
#
# PROFILE defaults to the profile of this host's core (/proc/cpuinfo);
# QUICK=1 runs natively 3 times instead of 9.

VALIDATE_BIN := $(BUILD)/validate/validate

$(VALIDATE_BIN): bench/validate/validate.c
	@mkdir -p $(@D)
	@$(call say,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -static -o $@ $<

.PHONY: validate validate-run
validate: deps
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) validate-run

validate-run: $(VALIDATE_BIN) $(MODEL_SO)
	$(call harness_switch,QUICK)
	@$(PYTHON) scripts/validate.py $(if $(PROFILE),--profile '$(PROFILE)') \
		$(if $(filter 1,$(QUICK)),--reps 3)
