# bench/host/host.mk - the Linux host baseline (included by the top-level
# Makefile, run from the repo root; BUILD, CC, HOST_CFLAGS come from there).
#
#   make host-bench   -> $(BUILD)/host/hostbench
#
# C workloads plus the one C++ file, gbench.cc, which wraps Google
# Benchmark (Debian libbenchmark-dev) behind the C header gbench.h.

HOST_DIR := bench/host
HOST_OUT := $(BUILD)/host
HOST_CXX ?= g++
HOST_CXXFLAGS := -std=c++17 -O2 -g -Wall -Wextra -Werror
HOST_C_SRCS := $(HOST_DIR)/hostbench.c $(HOST_DIR)/partner.c \
	$(HOST_DIR)/wl_null.c $(HOST_DIR)/wl_stream.c $(HOST_DIR)/wl_sync.c \
	$(HOST_DIR)/wl_mq.c $(HOST_DIR)/wl_shm.c $(HOST_DIR)/wl_fileio.c \
	$(HOST_DIR)/selftest.c
HOST_OBJS := $(patsubst $(HOST_DIR)/%.c,$(HOST_OUT)/%.o,$(HOST_C_SRCS)) \
	$(HOST_OUT)/gbench.o
HOST_HDRS := $(HOST_DIR)/host.h $(HOST_DIR)/gbench.h

.PHONY: host-bench
host-bench: $(HOST_OUT)/hostbench

$(HOST_OUT)/hostbench: $(HOST_OBJS)
	@$(call say,HOST,$@)
	$(Q)$(HOST_CXX) -o $@ $(HOST_OBJS) -lbenchmark -lpthread -lrt

$(HOST_OUT)/%.o: $(HOST_DIR)/%.c $(HOST_HDRS)
	@mkdir -p $(HOST_OUT)
	$(Q)$(CC) $(HOST_CFLAGS) -D_GNU_SOURCE -c -o $@ $<

$(HOST_OUT)/gbench.o: $(HOST_DIR)/gbench.cc $(HOST_DIR)/gbench.h
	@mkdir -p $(HOST_OUT)
	$(Q)$(HOST_CXX) $(HOST_CXXFLAGS) -c -o $@ $<
