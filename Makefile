# Tansiq — the commands of the quick start are `make demo`, `make test` and `make desk-demo`.
SWIFT ?= swift
CONFIG ?= debug
BIN = .build/$(CONFIG)

# Suites whose agents still run on the wall clock: agent processes and the restart and crash
# drills follow real time (virtual time is for in-process runs: Simulation.time = .virtual, the
# default of `tansiq sim run`; SimulationVirtualTimeTests and the pilot facts suites,
# SimulationFactsTests and DeskSimulationFactsTests, run in it and do not depend on the clock).
# They run after the rest and one at a time (--no-parallel), so that neither the load tests nor
# each other's pilot runs can make their agents fall behind the clock.
WALL_CLOCK_SUITES = SimulationFaultTests|SimulationProcessTests|AgentRecoveryTests|AgentRestartTests|HubCrashTests

.PHONY: all deps build test demo desk-demo clean

all: build

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG)

# Builds every target (the executables too: the end-to-end tests spawn them), runs every test,
# then every script of scripts/ on a short scenario (scripts/test-scripts.sh).
test:
	@scripts/ensure-deps.sh --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(WALL_CLOCK_SUITES)'
	$(SWIFT) test --skip-build --no-parallel --filter '$(WALL_CLOCK_SUITES)'
	@scripts/test-scripts.sh .build/debug

demo: deps
	$(SWIFT) build -c release --product tansiq
	@scripts/demo.sh .build/release

# A secure hub and the desks of IOM, the health delegation and the Commune, where people decide;
# prints the URLs and the demo logins, runs until Ctrl-C (scripts/desk-demo.sh).
desk-demo: build
	@scripts/desk-demo.sh $(BIN)

clean:
	rm -rf .build
