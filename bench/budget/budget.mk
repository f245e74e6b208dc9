# bench/budget/budget.mk - the instruction budget, a QEMU TCG plugin
# (included by the top-level Makefile; BUILD, CC, HOST_CFLAGS come from
# there) that bounds every icount boot by guest instructions, not wall
# time (bench/budget/budget.c).
#
#   make budget   -> $(BUILD)/budget/mkbbudget.so

BUDGET_SO := $(BUILD)/budget/mkbbudget.so

.PHONY: budget
budget: $(BUDGET_SO)

$(BUDGET_SO): bench/budget/budget.c bench/model/qemu_plugin_api.h
	@mkdir -p $(@D)
	@$(call say,PLUGIN,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Ibench/model -fPIC -shared -fvisibility=hidden -pthread -o $@ $<
