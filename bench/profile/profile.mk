# bench/profile/profile.mk - where a guest's measured instructions go, a
# QEMU TCG plugin (bench/profile/profile.c; included by the top-level
# Makefile: BUILD, CC, HOST_CFLAGS from there), loaded on the Linux guest's
# boots.
#
#   make profile   -> $(BUILD)/profile/mkbprof.so

PROFILE_SO := $(BUILD)/profile/mkbprof.so

.PHONY: profile
profile: $(PROFILE_SO)

$(PROFILE_SO): bench/profile/profile.c bench/model/qemu_plugin_api.h
	@mkdir -p $(@D)
	@$(call say,PLUGIN,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Ibench/model -fPIC -shared -fvisibility=hidden -o $@ $<
