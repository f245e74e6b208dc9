# bench/model/model.mk - the cycle model, a QEMU TCG plugin (included by
# the top-level Makefile; BUILD, CC, HOST_CFLAGS come from there).
#
#   make model   -> $(BUILD)/model/mkbmodel.so
#
# A host shared library that QEMU loads with -plugin; its API header is
# our own (bench/model/qemu_plugin_api.h), as Debian ships none. Linked
# with -flto so the memory system's calls on the hot path (memsys.c) are
# inlined across files (about 8% of a modeled boot's time).

MODEL_DIR := bench/model
MODEL_SO := $(BUILD)/model/mkbmodel.so

.PHONY: model
model: $(MODEL_SO)

MODEL_SRCS := $(addprefix $(MODEL_DIR)/,mkbmodel.c memsys.c stats.c blocks.c profile.c)

$(MODEL_SO): $(MODEL_SRCS) $(MODEL_DIR)/model.h $(MODEL_DIR)/qemu_plugin_api.h
	@mkdir -p $(@D)
	@$(call say,PLUGIN,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -flto -fPIC -shared -fvisibility=hidden -o $@ $(MODEL_SRCS) -lm
