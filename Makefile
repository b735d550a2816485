# blomodel: two commands on a fresh Debian machine (as root):
#   make demo   install what is missing, build, solve the bundled toll-setting model
#   make test   the same set-up, then every test
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Python for the peer comparisons of `make bench` (e.g. a virtual environment with torch).
PEER_PYTHON ?= python3
AD_DIR ?= /tmp/blomodel-ad-bench
APT_PACKAGES := libglpk-dev coinor-libcbc-dev coinor-libipopt-dev liblapack-dev libblas-dev libopenblas-dev pkg-config

.PHONY: setup build demo test bench clean

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

bench: setup
	$(SWIFT) build -c release --product blomodel-bench
	$(SWIFT) run -c release --skip-build blomodel-bench --elaboration
	$(SWIFT) run -c release --skip-build blomodel-bench --ad $(AD_DIR)
	@# The same computations in PyTorch (when the Python named by PEER_PYTHON has it) and NumPy.
	-$(PEER_PYTHON) Benchmarks/ad_peers.py $(AD_DIR)
	$(SWIFT) run -c release --skip-build blomodel-bench

clean:
	rm -rf .build
