# Spikebar — the two commands of the README:
#   make demo   runs the bundled quickstart scenario
#   make test   runs the test suite
# Both install Debian's libzstd-dev, zlib1g-dev and libhdf5-dev (and pkg-config) first when missing.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: format lint demo test deps build build-native bench bench-native bench-portable bench-train report-png docs-check clean fuzz sanitize

deps:
	@if ! pkg-config --exists libzstd 2>/dev/null || [ ! -f /usr/include/zstd.h ]; then \
	  echo "installing libzstd-dev and pkg-config (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libzstd-dev pkg-config; \
	fi
	@if ! pkg-config --exists zlib 2>/dev/null || [ ! -f /usr/include/zlib.h ]; then \
	  echo "installing zlib1g-dev (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq zlib1g-dev pkg-config; \
	fi
	@if ! pkg-config --exists hdf5-serial 2>/dev/null || [ ! -f /usr/include/hdf5/serial/hdf5.h ]; then \
	  echo "installing libhdf5-dev (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libhdf5-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build -c release --product spikebar

demo: build
	$$($(SWIFT) build -c release --show-bin-path)/spikebar run Scenarios/quickstart.yaml

# The house format is held: `swift format lint --strict` (any warning fails the run) before the tests,
# where the toolchain ships swift-format (Swift ≥ 6); `make format` fixes what it reports.
test: deps
	@if $(SWIFT) format --version >/dev/null 2>&1; then \
		$(SWIFT) format lint --strict -r Sources Tests Package.swift || { echo "format: run 'make format'"; exit 1; }; \
	else echo "swift format is not in this toolchain: the format is not checked"; fi
	$(SWIFT) test --parallel

# The tutorial's and README's quoted figures against the release binary's --json output (DocsTests;
# seconds with a release build, minutes in debug because of the quickstart's DPI-gain calibration).
docs-check: build
	SPIKEBAR_DOCS_BINARY=$$($(SWIFT) build -c release --show-bin-path)/spikebar $(SWIFT) test --filter DocsTests

# The kernel benchmark is built for this machine's vector units (AVX2 + FMA, `-target-cpu haswell`) when
# the CPU has them, in its own build folder; `make build` / `demo` target baseline x86-64 (SSE2), which
# every x86-64 CPU runs. Outputs are bit-identical: Swift never contracts a·b + c into a fused multiply-add,
# so only the vector width changes (checked: identical report.json). `make bench-portable` measures the
# baseline build.
NATIVE_CPU := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && echo haswell)
build-native: deps
	$(SWIFT) build -c release --product spikebar --scratch-path .build-native $(if $(NATIVE_CPU),-Xswiftc -target-cpu -Xswiftc $(NATIVE_CPU))

bench: build-native
	.build-native/release/spikebar bench kernel

bench-native: bench

# The training-step benchmark (issue #9, 1 thread, both shapes) on the same AVX2 build: the twin's
# gradients are bit-identical to the baseline build's (checked: identical weights.json after training,
# feed-forward and recurrent), the dense adjoint product runs 4 doubles per register instead of 2.
bench-train: build-native
	.build-native/release/spikebar bench train --threads 1

bench-portable: build
	$$($(SWIFT) build -c release --show-bin-path)/spikebar bench kernel

# Reliability (Docs/reliability.md): libFuzzer targets for FUZZ_SECONDS each (Fuzz/run.sh), and the test
# suite under AddressSanitizer, ThreadSanitizer (multi-threaded tests) and UBSan (Fuzz/sanitize.sh).
FUZZ_SECONDS ?= 60
fuzz: deps
	Fuzz/run.sh $(FUZZ_SECONDS)

sanitize: deps
	Fuzz/sanitize.sh all

clean:
	rm -rf .build spikebar-out

# House format (.swift-format: 4 spaces, 150 columns; swift-format ships with the toolchain).
format:
	$(SWIFT) format -i -r Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift
