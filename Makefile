# Convenience targets over CMake; every target works from the repository root as typed.
#   make            build (Release) into build/
#   make test       build, then run every test (ctest); MPICH's build too (build-mpich/)
#   make check      build, then the unit and fast program tests (ctest -L 'unit|fast')
#   make MPI=mpich  build against MPICH into build-mpich/ (also: make test MPI=mpich, run, ...)
#   make run        the article's experiment: 8 ranks, summary, CSV + JSON under results/
#   make bench      Google Benchmark of every kernel path and its reference, 9 interleaved
#                   repetitions, one line each; JSON under results/
#   make seed       the article's table beside this machine's (scripts/seed.sh; RANKS=, REPS=)
#   make sweep      a matrix of runs in rounds (scripts/sweep.py; settings as NAME=value, e.g.
#                   RANKS="1 2" PINS="core scatter" DRY_RUN=1); make plots: figures under plots/
#   make study      a first study that fits this machine (scripts/study.py): picks the axes that
#                   can differ here, says what it left out and why, sweeps them, makes the plots
#                   (PLAN_ONLY=1: only the choice; TOPOLOGY=T: the choice for another machine)
#   make calibrate  an A/A sweep with a known effect, then scripts/calibrate.py on it
#   make compare A=... B=...   two runs or two result sets, point by point (scripts/compare.py);
#                   THRESHOLD=5 makes plots and compare call ±5% "the same" (default ±3%)
#   make install [PREFIX=...], make package: installed as a tool, or a .deb
# MPI=mpich builds against MPICH into build-mpich/ (MPI=openmpi: build-openmpi/); run and test
# then use that build and its launcher. Default: whatever mpicxx and mpirun are (Open MPI here).
MPI ?= auto
ifeq ($(MPI),auto)
BUILD ?= build
MPIRUN ?= mpirun
else
BUILD ?= build-$(MPI)
MPIRUN ?= mpiexec.$(MPI)
endif
WERROR ?= OFF
NATIVE ?= OFF
NP ?= 8
JOBS ?= $(shell nproc)

# The Python of the tools: the one CMake found (SHMCOUNT_PYTHON in the build's cache, found by
# cmake/python.cmake: /usr/bin/python3 or another python3 on PATH with numpy, scipy and
# matplotlib). Read when a recipe runs, after `build` configured it; PYTHON=... chooses another
# (and configures the build with it).
PYTHON = $(or $(shell sed -n 's/^SHMCOUNT_PYTHON:[A-Z]*=//p' $(BUILD)/CMakeCache.txt 2>/dev/null),/usr/bin/python3)

# Open MPI refuses root unless told, and needs leave to put more ranks than cores.
MPI_ENV := OMPI_MCA_rmaps_base_oversubscribe=1
ifeq ($(shell id -u),0)
MPI_ENV += OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
endif

# The analysis checks columns against this binary's --list columns, when it is built.
LISTS_FROM := $(if $(wildcard $(BUILD)/shmcount),--shmcount $(BUILD)/shmcount)

.PHONY: all build test check run bench seed sweep study calibrate plots compare install package clean format

all: build

# Configuring every time is cheap and keeps WERROR and NATIVE what this command line says.
build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSHMCOUNT_WERROR=$(WERROR) \
	  -DSHMCOUNT_NATIVE=$(NATIVE) -DSHMCOUNT_MPI=$(MPI) \
	  $(if $(filter command line,$(origin PYTHON)),-DSHMCOUNT_PYTHON=$(call quote,$(PYTHON))) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L 'unit|fast'

run: build
	$(MPI_ENV) $(MPIRUN) -np $(NP) $(BUILD)/shmcount $(ARGS)

bench: build
	SHMCOUNT_PYTHON=$(call quote,$(PYTHON)) scripts/bench.sh $(BUILD)/bench/shmcount_bench

seed: build
	$(MPI_ENV) SHMCOUNT_PYTHON=$(call quote,$(PYTHON)) scripts/seed.sh

# The sweep takes its settings from the environment, where make puts this command line's
# variables (MPI=mpich included: build-mpich/shmcount under mpiexec.mpich). It sets Open MPI's
# root variables itself and gives leave to oversubscribe per point.
# SWEEP_MAKE_COMMAND_LINE names the variables of this make command line, so a typo among them
# (ROUND=2) is reported as typed there, not as found in the environment.
sweep: build
	SWEEP_MAKE_COMMAND_LINE=$(call quote,$(strip $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),$(v))))) \
	  $(PYTHON) scripts/sweep.py

# The sweep's settings pass through as for make sweep (ROUNDS=20, NAME=...).
study: build
	SWEEP_MAKE_COMMAND_LINE=$(call quote,$(strip $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),$(v))))) \
	  $(PYTHON) scripts/study.py

# A make value as one shell word, whatever it holds (spaces, quotes, $): 'it'\''s'.
quote = '$(subst ','\'',$(1))'

# The calibration: 4 copies of one point (A/A pairs) and of one with twice the work (a known
# effect), then scripts/calibrate.py on the set: the false-positive rate, the power and the
# smallest difference these settings tell apart here. ROUNDS= and REPS= as for a sweep.
CALIBRATION := RANKS=2 PINS=core "SIZES=200000 400000" COPIES=4 REFERENCE=0 BENCH=0 \
  "NAME=calibrate-{host}-{hash}"
calibrate: build
	@set -e; set_dir=$$($(PYTHON) scripts/sweep.py --print-set $(CALIBRATION)); \
	$(PYTHON) scripts/sweep.py $(CALIBRATION); \
	if [ -n $(call quote,$(DRY_RUN)) ] && [ $(call quote,$(DRY_RUN)) != 0 ]; then \
	  echo "calibrate: dry run: the sweep above is planned; nothing to calibrate yet"; \
	else $(PYTHON) scripts/calibrate.py $(LISTS_FROM) "$$set_dir"; fi

# THRESHOLD=5: the equivalence margin of the verdicts, ±5% (default 3).
plots:
	$(PYTHON) scripts/plots.py $(if $(RESULTS),--results $(call quote,$(RESULTS))) \
	  $(if $(THRESHOLD),--threshold $(call quote,$(THRESHOLD))) $(LISTS_FROM)

compare:
	@if [ -z $(call quote,$(A)) ] || [ -z $(call quote,$(B)) ]; then \
	  echo "usage: make compare A=<run.csv or result set> B=<run.csv or result set>" \
	    "[THRESHOLD=percent] [ALLOW_MIXED_VERSIONS=1]" >&2; exit 2; fi
	$(PYTHON) scripts/compare.py $(LISTS_FROM) \
	  $(if $(THRESHOLD),--threshold $(call quote,$(THRESHOLD))) \
	  $(if $(filter 1,$(ALLOW_MIXED_VERSIONS)),--allow-mixed-versions) \
	  $(call quote,$(A)) $(call quote,$(B))

# make install [PREFIX=/usr/local]: shmcount and its tools (shmcount-sweep, -plots, -compare, -seed).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# make package: a .deb of the same (build/shmcount_<version>_<arch>.deb).
package: build
	cd $(BUILD) && cpack -G DEB

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD)-mpich
