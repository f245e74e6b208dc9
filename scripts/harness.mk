# scripts/harness.mk - benchmark harness targets, included by the top-level Makefile.
#
#   make bench   [MODES=mono,micro,linux] [IPC=sel4,l4,mach,qnx,minix,rc4000] [WORKLOADS=...]
#                (MODES may add linux-guest: Debian's Linux kernel booted as a guest
#                under the same flags, mitigations off and default;
#                [LINUX_KERNEL=/boot/vmlinuz-...] picks its kernel)
#                (WORKLOADS: null,pingpong,shm,sem,fileio and the applications
#                kvstore,build,mix, or apps for all three)
#                [ACCEL=auto] [QUICK=1] [TIMEOUT=<s>] [MODEL=skylake|zen3|zen4|off] [CLUSTER=...]
#                [VS=<ipc>: the micro strategy mono is set against; default sel4 if it ran]
#                [MACH_HANDOFF=off,on: mach's handoff scheduling, one mach boot per setting]
#                [CPUS=1,2,4: each guest system once per CPU count; above 1 its SMP
#                kernel (build/<system>-smp) under QEMU -smp; WORKLOADS=smp needs 2 or 4]
#                runs scripts/bench.py into $(RESULTS)/<run-id>/, then the report
#   make report  [RUN=results/<id>] [CYCLES_RUN=results/<kvm run>]   HTML report of a run
#                (default results/latest); a KVM run's measured cycles beside modeled ones
#   make fuzz    [MODES=mono,micro] [IPC=...] [CALLS=10000000] [SEED=1] [FIRST=0] [FUZZ_ACCEL=tcg]
#                [TREES=1]: TREES=2..4 fuzzes that many process trees at once while
#                the driver's own tree checks that it is still served
#                [CPUS=1|2|4]: the system-call fuzzer in each kernel; results/fuzz/<run-id>/
#   make faults  [FAULTS=1000] [RUNS=400] [SEED=1] [IPC=sel4] [HEARTBEAT=3] [CPUS=1|2|4]   fault
#                injection, both kernels; results/faults/<run-id>/
#                [WORKLOADS=fileio,sem,shm,kvstore; isolation with CPUS=2: a critical
#                task on CPU 0 keeps its period while CPU 1's services take the faults]
#   CLUSTER=tcp://host:port   bench, faults and fuzz send their icount boots to
#                the workers of a running Dask scheduler (default: a local cluster)
#   make compare A=results/<id> B=results/<id> [FULL=1] [ROWS=common|all]   what
#                moved; FULL=1 adds the table of every row; ROWS: see compare.py --help.
#                Make turns a failing command's status into its own 2: compare.py
#                itself exits 1 (something moved) or 2 (a run cannot be read)
#
# Lists take commas or spaces. Unknown values stop with bench.py's error
# (exit 2). Uses BUILD and PYTHON from the top-level Makefile.

MODES ?= mono,micro,linux
CPUS ?= 1
HARNESS_SMP = $(filter-out 1,$(call harness_list,$(CPUS)))
# a kernel's build and, with CPUS above 1, its SMP build: $(call harness_builds,<build>)
harness_builds = $(BUILD)/$(1)/kernel.elf $(if $(HARNESS_SMP),$(BUILD)/$(1)-smp/kernel.elf)
IPC ?= sel4,l4,mach,qnx,minix,rc4000
MACH_HANDOFF ?= off,on
MODEL ?= skylake
KVM_CPU ?= host
MODEL_SO ?= $(BUILD)/model/mkbmodel.so
PROFILE_SO ?= $(BUILD)/profile/mkbprof.so
BUDGET_SO ?= $(BUILD)/budget/mkbbudget.so
CLUSTER ?=
WORKLOADS ?= null,pingpong,shm,sem,fileio,apps
# Naming the application workloads (WORKLOADS=apps, or kvstore, build,
# mix) runs their size sweep; the default run takes one size of each.
HARNESS_APP_SWEEP = $(if $(filter command line environment,$(origin WORKLOADS)),\
	$(if $(filter apps kvstore build mix,$(call harness_list,$(WORKLOADS))),--app-sweep))
ACCEL ?= auto
QUICK ?=
TIMEOUT ?=
QEMU ?= qemu-system-x86_64
HOST_BASELINE ?= scripts/host_baseline.py
RESULTS ?= results
REPORT_OUT ?= report/out
BENCH_CFLAGS ?= $(KERNEL_CFLAGS)

harness_comma := ,
harness_space := $(subst ,, )
harness_list = $(subst $(harness_comma),$(harness_space),$(strip $(1)))
harness_csv = $(subst $(harness_space),$(harness_comma),$(strip $(call harness_list,$(1))))
HARNESS_MODES := $(call harness_list,$(MODES))
IPCS ?= $(call harness_list,$(IPC))
HARNESS_ARGS = --modes '$(call harness_csv,$(MODES))' --ipc '$(call harness_csv,$(IPC))' \
	$(if $(VS),--vs '$(VS)') --mach-handoff '$(call harness_csv,$(MACH_HANDOFF))' \
	--workloads '$(call harness_csv,$(WORKLOADS))' $(HARNESS_APP_SWEEP) --accel '$(ACCEL)' \
	--cpus '$(call harness_csv,$(CPUS))' \
	$(if $(TIMEOUT),--timeout '$(TIMEOUT)') $(if $(filter 1,$(QUICK)),--quick) \
	--kernel-dir '$(BUILD)' --qemu '$(QEMU)' --results-dir '$(RESULTS)' \
	--host-baseline '$(HOST_BASELINE)' --model '$(MODEL)' --model-plugin '$(MODEL_SO)' \
	--kvm-cpu '$(KVM_CPU)' --budget-plugin '$(BUDGET_SO)' --profile-plugin '$(PROFILE_SO)' \
	$(CLUSTER_ARG) \
	$(if $(LINUX_KERNEL),--linux-kernel '$(LINUX_KERNEL)')
CLUSTER_ARG = $(if $(CLUSTER),--cluster '$(CLUSTER)')

.PHONY: bench bench-run bench-check report compare fuzz fuzz-run faults faults-run

# make bench: install missing packages first (deps), then the run itself
# under a lock, so two runs in one tree never overlap: both would write
# report/out, and the Linux baseline's figures double when it shares the
# CPUs. flock(1) is in util-linux, which every Debian system has.
BENCH_LOCK := $(BUILD)/bench.lock
bench: deps
	@mkdir -p '$(BUILD)'
	@s=0; flock -n -E 75 '$(BENCH_LOCK)' \
	  $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) bench-run || s=$$?; \
	if [ $$s -eq 75 ]; then echo "make bench: another make bench is running in this tree" \
	  "(it holds $(BENCH_LOCK)); wait for it to finish, then run this again" >&2; fi; exit $$s

# bench-check comes first so a bad MODES/WORKLOADS/ACCEL stops before any build.
HARNESS_KERNELS = $(if $(filter mono,$(HARNESS_MODES)),$(call harness_builds,mono)) \
	$(if $(filter micro,$(HARNESS_MODES)),$(foreach i,$(IPCS),$(call harness_builds,micro-$(i))))
bench-run: bench-check $(HARNESS_KERNELS) $(BUDGET_SO) $(if $(filter-out off,$(MODEL)),$(MODEL_SO)) \
	$(if $(filter linux,$(HARNESS_MODES)),host-bench) \
	$(if $(filter linux-guest,$(HARNESS_MODES)),linux-guest)
	@status=0; $(PYTHON) scripts/bench.py $(HARNESS_ARGS) \
		--cc '$(CC)' --cflags '$(BENCH_CFLAGS)' || status=$$?; \
	if [ $$status -eq 2 ]; then exit 2; fi; \
	$(PYTHON) scripts/report.py --run '$(RESULTS)/latest' --out '$(REPORT_OUT)' || exit $$?; \
	exit $$status

# Switches take 1 (on) or nothing/0 (off): QUICK=yes or QUICK=off would be
# guesses, so they stop here.
harness_switch = $(if $(filter-out 0 1,$($(1))),$(error $(1)=$($(1)): use $(1)=1, or leave it out))
bench-check:
	$(call harness_switch,QUICK)
	@$(PYTHON) scripts/bench.py $(HARNESS_ARGS) --check

report:
	@$(PYTHON) scripts/report.py --run '$(or $(RUN),$(RESULTS)/latest)' --out '$(REPORT_OUT)' \
		$(if $(CYCLES_RUN),--cycles-run '$(CYCLES_RUN)')

compare:
	$(if $(and $(A),$(B)),,$(error compare needs A=<run dir> B=<run dir>))
	$(call harness_switch,FULL)
	@$(PYTHON) scripts/compare.py '$(A)' '$(B)' $(if $(filter 1,$(FULL)),--all) \
		$(if $(ROWS),--rows '$(ROWS)')

CALLS ?= 10000000
SEED ?= 1
FIRST ?= 0
TREES ?= 1
FUZZ_ACCEL ?= tcg
FUZZ_MODES = $(or $(filter mono micro,$(HARNESS_MODES)),$(error MODES=$(MODES) names no kernel: use MODES=mono, micro or mono,micro))
fuzz: deps
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) fuzz-run

fuzz-run: $(BUDGET_SO) $(if $(filter mono,$(HARNESS_MODES)),$(call harness_builds,mono)) \
	$(if $(filter micro,$(HARNESS_MODES)),$(foreach i,$(IPCS),$(call harness_builds,micro-$(i))))
	@$(PYTHON) scripts/fuzz.py --modes '$(call harness_csv,$(FUZZ_MODES))' \
		--ipc '$(call harness_csv,$(IPC))' --calls '$(CALLS)' \
		--seed '$(SEED)' --first '$(FIRST)' --trees '$(TREES)' --accel '$(FUZZ_ACCEL)' \
		--cpus '$(CPUS)' \
		--kernel-dir '$(BUILD)' --qemu '$(QEMU)' --results-dir '$(RESULTS)/fuzz' \
		--budget-plugin '$(BUDGET_SO)' $(CLUSTER_ARG)

# make faults [FAULTS=1000] [RUNS=400] [SEED=1] [IPC=sel4] [HEARTBEAT=3]: the
# fault-injection campaign (scripts/faults.py) into results/faults/<run-id>/;
# make report shows the latest beside the benchmarks. IPC names the micro
# strategies to inject into: sel4 unless given on the command line.
FAULTS ?= 1000
RUNS ?= 400
HEARTBEAT ?= 3
FAULTS_IPC := $(if $(filter command line environment,$(origin IPC)),$(IPC),sel4)
# WORKLOADS names the fault workloads only when given (fileio,sem,shm,kvstore;
# isolation with CPUS=2 or 4); bench's default list is not theirs.
FAULTS_WORKLOADS := $(if $(filter command line environment,$(origin WORKLOADS)),$(WORKLOADS),fileio,sem,shm,kvstore)
faults: deps
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) faults-run

faults-run: $(BUDGET_SO) $(call harness_builds,mono) \
	$(foreach i,$(call harness_list,$(FAULTS_IPC)),$(call harness_builds,micro-$(i)))
	@$(PYTHON) scripts/faults.py --faults '$(FAULTS)' --runs '$(RUNS)' --seed '$(SEED)' \
		--ipc '$(call harness_csv,$(FAULTS_IPC))' --heartbeat '$(HEARTBEAT)' --cpus '$(CPUS)' \
		--workloads '$(call harness_csv,$(FAULTS_WORKLOADS))' \
		--kernel-dir '$(BUILD)' --qemu '$(QEMU)' --results-dir '$(RESULTS)/faults' \
		--budget-plugin '$(BUDGET_SO)' $(CLUSTER_ARG)
