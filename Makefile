# blomodel: two commands on a fresh Debian machine (as root):
#   make demo   install what is missing, build, solve the bundled toll-setting model
#   make test   the same set-up, then every test
#   make bench-peers  the ladder benchmark side by side with PAO (docs/solvers.md)
#   make fuzz   the front end's fuzzer for FUZZ_SECONDS seconds (docs/testing.md)
#   make docs   the DocC documentation of the library and the DSL (warnings are errors; run by make test)
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Python for the peer comparisons of `make bench` (e.g. a virtual environment with torch).
PEER_PYTHON ?= python3
AD_DIR ?= /tmp/blomodel-ad-bench
# The fuzzer's run: its length in seconds and its seed (the same seed gives the same inputs).
FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 1
# glpk-utils and coinor-cbc: the glpsol and cbc programs, which the tests use to read exported programs back.
APT_PACKAGES := libglpk-dev glpk-utils coinor-libcbc-dev coinor-cbc coinor-libipopt-dev liblapack-dev libblas-dev libopenblas-dev pkg-config

.PHONY: setup build demo test docs bench bench-peers fuzz clean experiments

## setup: install the C solver libraries when they are missing (apt-get), check the toolchain.
setup:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: the Swift toolchain (5.9 or later) is not on PATH; see https://swift.org/install"; exit 1; }

build: setup
	$(SWIFT) build --product blomodel

demo: build
	$(SWIFT) run --skip-build blomodel solve Models/classic/toll/toll.blo

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	$(MAKE) --no-print-directory docs

## docs: DocC archives under .build/plugins/Swift-DocC/outputs (Blomodel, with the tutorial; BilevelDSL).
docs: setup
	$(SWIFT) package --disable-sandbox generate-documentation --target Blomodel --target BilevelDSL --warnings-as-errors

bench: setup
	$(SWIFT) build -c release --product blomodel-bench
	$(SWIFT) run -c release --skip-build blomodel-bench --m-free Models
	$(SWIFT) run -c release --skip-build blomodel-bench --integer-follower
	$(SWIFT) run -c release --skip-build blomodel-bench --elaboration
	$(SWIFT) run -c release --skip-build blomodel-bench --ad $(AD_DIR)
	$(SWIFT) run -c release --skip-build blomodel-bench --gradient
	@# The same computations in PyTorch (when the Python named by PEER_PYTHON has it) and NumPy.
	-$(PEER_PYTHON) Benchmarks/ad_peers.py $(AD_DIR)
	$(SWIFT) run -c release --skip-build blomodel-bench

## bench-peers: the ladder benchmark of issue 12 (docs/solvers.md, "The peers' ladders"): every instance
## of $(PEERS_DIR)/instances converted to .blo, blomodel on CBC and GLPK and PAO (FA, CBC) side by side,
## one table. PAO runs in a virtual environment made under $(PEERS_VENV) (pip install pyomo pao);
## when it cannot be made (no network), the table has blomodel's columns only.
PEERS_DIR ?= ../shared/peers
PEERS_VENV ?= .build/peers-venv
LADDER_TIME_LIMIT ?= 60
LADDER_ONLY ?=
PEER_APT_PACKAGES := python3 python3-venv
bench-peers: setup
	@missing=""; for p in $(PEER_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	$(SWIFT) build -c release --product blomodel
	@$(PEERS_VENV)/bin/python -c "import pyomo, pao" 2>/dev/null || { \
	  python3 -m venv $(PEERS_VENV) && $(PEERS_VENV)/bin/pip install -q pyomo pao pyutilib "numpy<2" scipy; } \
	  || echo "bench-peers: PAO could not be installed; the table has blomodel's columns only"
	python3 Benchmarks/ladders/run.py --peers $(PEERS_DIR) --pao-python $(PEERS_VENV)/bin/python \
	  --time-limit $(LADDER_TIME_LIMIT) $(if $(LADDER_ONLY),--only $(LADDER_ONLY))

## experiments: the seeds' experiments of issue 10 (docs/gradient-experiments.md, docs/gradient-methods.md):
## figures (SVG) and tables into docs/figures/.
experiments: setup
	$(SWIFT) build -c release --product CCCPBOSyntheticExample
	$(SWIFT) run -c release --skip-build CCCPBOSyntheticExample --out docs/figures
	$(SWIFT) build -c release --product DataCleaningExample
	$(SWIFT) build -c release --product AdversarialLeastSquaresExample
	$(SWIFT) run -c release --skip-build DataCleaningExample > docs/figures/data-cleaning.txt
	$(SWIFT) run -c release --skip-build AdversarialLeastSquaresExample > docs/figures/adversarial-least-squares.txt

## fuzz: mutate the models and the hostile corpus (Tests/FuzzCorpus) through what 'blomodel check'
## runs; a crash, a hang or an unpositioned diagnostic saves its input under .build/fuzz/findings.
fuzz: setup
	$(SWIFT) build -c release --product blomodel-fuzz
	$(SWIFT) run -c release --skip-build blomodel-fuzz --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED)

clean:
	rm -rf .build
