# arrow-rs-wasm: every target installs what it uses, so a fresh clone needs only `make demo` or
# `make test`. Caches live outside the clone (cargo target dir); they rebuild when absent.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
ROOT := $(abspath .)

TOOLCHAIN := $(shell sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
CACHE ?= $(HOME)/.cache/arrow-rs-wasm
export CARGO_TARGET_DIR ?= $(CACHE)/target
# zstd's C code needs a clang that targets wasm32.
export CC_wasm32_unknown_unknown := clang-19

BUILD := $(ROOT)/build
# The core builds with unwinding, so a panic below an export comes back as an `internal` error
# instead of killing the instance (docs/robustness.md): std rebuilt with panic_unwind, which needs
# a pinned nightly (only for these wasm artifacts; everything else uses the stable toolchain), in
# the legacy exception encoding, the one Node 20's V8 runs. binaryen translates that module to the
# standard encoding (exnref), the one wasmtime runs; Chromium runs both. The components carry the
# exnref module, the JS packages the legacy one (`legacy-core` below).
NIGHTLY := nightly-2026-08-01
UNWIND_TARGET := $(CACHE)/target-unwind
# Panic messages name files; dependencies' paths are shown from the registry down.
REGISTRY_SRC := $(or $(CARGO_HOME),$(HOME)/.cargo)/registry/src
UNWIND_BUILD := RUSTFLAGS='-Cpanic=unwind -Cllvm-args=-wasm-use-legacy-eh=true --remap-path-prefix=$(REGISTRY_SRC)/=' \
  cargo +$(NIGHTLY) build --locked \
  --target wasm32-unknown-unknown -Zbuild-std=std,panic_unwind --config 'profile.release.panic="unwind"'
TO_EXNREF := js-bindings/node_modules/.bin/wasm-opt --enable-exception-handling --enable-bulk-memory \
  --enable-bulk-memory-opt --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals \
  --enable-reference-types --enable-multivalue --enable-call-indirect-overlong --translate-to-exnref
CORE_MODULE := $(UNWIND_TARGET)/wasm32-unknown-unknown/release/arrow_core.wasm
CORE := $(BUILD)/arrow_core.wasm
# The core module in the legacy encoding, for Node 20 (what `transpile` puts under js-bindings/gen).
CORE_LEGACY := $(BUILD)/arrow_core.legacy.wasm
# The slim build (Arrow IPC, Feather, LZ4) has a target dir of its own: sharing one would relink
# each build whenever the other ran. It stays `panic = "abort"` on the stable toolchain: unwinding
# would cost it 12-16% (brotli), past its 300 KB budget, and its readers are the IPC ones whose
# layout checks leave no known panic (docs/performance.md).
SLIM_TARGET := $(CACHE)/target-slim
CORE_SLIM_MODULE := $(SLIM_TARGET)/wasm32-unknown-unknown/slim/arrow_core.wasm
CORE_SLIM := $(BUILD)/arrow_core_slim.wasm
CLI := $(CARGO_TARGET_DIR)/debug/arrow-rs-wasm
# Plugins: each its own component; `wac` composes the core with each of them.
PLUGINS := geo uuid analytics
CORE_WITH_GEO := $(BUILD)/core_with_geo.wasm
CORE_WITH_UUID := $(BUILD)/core_with_uuid.wasm
CORE_WITH_ANALYTICS := $(BUILD)/core_with_analytics.wasm
WAC_VERSION := 0.12.0
WAC := $(CACHE)/tools/bin/wac
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
COMPONENT_TOOL := node $(ROOT)/js-bindings/scripts/component.mjs
STAMPS := $(BUILD)/.stamps

# Paths the Rust and Node tests read.
export ARROW_CORE_COMPONENT := $(CORE)
export ARROW_CORE_SLIM_COMPONENT := $(CORE_SLIM)
export ARROW_CORE_WITH_GEO_COMPONENT := $(CORE_WITH_GEO)
export ARROW_CORE_WITH_UUID_COMPONENT := $(CORE_WITH_UUID)
export ARROW_CORE_WITH_ANALYTICS_COMPONENT := $(CORE_WITH_ANALYTICS)
export ARROW_PYTHON := $(PY)
export ARROW_TESTING_DIR ?= $(abspath $(ROOT)/../shared/testing)

.PHONY: build plugins compose wac chromium cli demo serve js-api-docs test lint test-rust test-host test-js setup toolchain apt npm venv transpile sizes bench clean tpch fuzz-sql

## Set-up: each step is skipped when already done.

toolchain:
	@rustup toolchain list | grep -q "^$(TOOLCHAIN)" && rustup target list --installed --toolchain $(TOOLCHAIN) | grep -q wasm32-unknown-unknown \
	  || rustup toolchain install $(TOOLCHAIN) --profile minimal -c clippy,rustfmt -t wasm32-unknown-unknown
	@rustup component list --installed --toolchain $(TOOLCHAIN) | grep -q clippy && rustup component list --installed --toolchain $(TOOLCHAIN) | grep -q rustfmt \
	  || rustup component add --toolchain $(TOOLCHAIN) clippy rustfmt
	@rustup toolchain list | grep -q "^$(NIGHTLY)" && rustup component list --installed --toolchain $(NIGHTLY) | grep -q rust-src \
	  && rustup target list --installed --toolchain $(NIGHTLY) | grep -q wasm32-unknown-unknown \
	  || rustup toolchain install $(NIGHTLY) --profile minimal -c rust-src -t wasm32-unknown-unknown

apt:
	@command -v clang-19 >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-19 >/dev/null; }

# Chromium for the browser tests (driven by playwright-core from npm).
chromium:
	@test -x /usr/bin/chromium \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

npm: js-bindings/node_modules/.package-lock.json
js-bindings/node_modules/.package-lock.json: js-bindings/package-lock.json
	cd js-bindings && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: testdata/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r testdata/requirements.txt
	@touch $@

setup: toolchain apt npm venv chromium

## Build: the core as a component with no imports (wasm32-unknown-unknown, wrapped by jco's
## componentNew, as `wasm-tools component new` would): the full build (every format and codec)
## and the slim one (Arrow IPC, Feather v1/v2, LZ4).

build: toolchain apt npm
	CARGO_TARGET_DIR=$(UNWIND_TARGET) $(UNWIND_BUILD) --release -p arrow-core
	CARGO_TARGET_DIR=$(SLIM_TARGET) cargo build --profile slim --locked -p arrow-core --target wasm32-unknown-unknown \
	  --no-default-features --features lz4
	@mkdir -p $(BUILD)
	cp $(CORE_MODULE) $(CORE_LEGACY)
	$(TO_EXNREF) $(CORE_LEGACY) -o $(BUILD)/arrow_core.exnref.wasm
	$(COMPONENT_TOOL) new $(BUILD)/arrow_core.exnref.wasm $(CORE)
	$(COMPONENT_TOOL) new $(CORE_SLIM_MODULE) $(CORE_SLIM)
	@node js-bindings/scripts/sizes.mjs $(CORE) $(CORE_LEGACY) $(CORE_SLIM)

# Plugins build in cargo invocations of their own: in one with the core, cargo would unify
# features and hand the plugin the core's codecs.
plugins: toolchain apt npm
	@mkdir -p $(BUILD)
	for p in $(PLUGINS); do \
	  cargo build --release --locked -p arrow-$$p --target wasm32-unknown-unknown; \
	  $(COMPONENT_TOOL) new $(CARGO_TARGET_DIR)/wasm32-unknown-unknown/release/arrow_$$p.wasm $(BUILD)/arrow_$$p.wasm; \
	done
	@node js-bindings/scripts/sizes.mjs $(foreach p,$(PLUGINS),$(BUILD)/arrow_$(p).wasm)

# wac-cli, installed once into the cache (about 4 minutes on 2 cores) and reused.
wac: $(WAC)
$(WAC):
	cargo install --locked wac-cli@$(WAC_VERSION) --root $(CACHE)/tools

compose: build plugins wac
	$(WAC) compose --dep arrow:core=$(CORE) --dep arrow:geo=$(BUILD)/arrow_geo.wasm plugin-components/geo/geo.wac -o $(CORE_WITH_GEO)
	$(WAC) compose --dep arrow:core=$(CORE) --dep arrow:uuid=$(BUILD)/arrow_uuid.wasm plugin-components/uuid/uuid.wac -o $(CORE_WITH_UUID)
	$(WAC) compose --dep arrow:core=$(CORE) --dep arrow:analytics=$(BUILD)/arrow_analytics.wasm plugin-components/analytics/analytics.wac -o $(CORE_WITH_ANALYTICS)

# The core and each plugin are transpiled separately; a plugin's imports of the core are mapped
# to the core's ESM, so every plugin shares the page's one core instance (the raw bindings,
# `arrow-rs-wasm/component`). The typed façade (js-bindings/src, compiled by tsc to dist/) uses
# jco's instantiation output of the core and the geometry and analytics plugins instead, to instantiate again
# after a trap and to link the plugin to its own core instance.
transpile: build plugins npm
	$(COMPONENT_TOOL) transpile $(CORE) js-bindings/gen/core
	$(COMPONENT_TOOL) legacy-core js-bindings/gen/core $(BUILD)/arrow_core.exnref.wasm $(CORE_LEGACY)
	for p in $(PLUGINS); do $(COMPONENT_TOOL) transpile-plugin $(BUILD)/arrow_$$p.wasm js-bindings/gen/$$p ../core/arrow-core.js; done
	$(COMPONENT_TOOL) transpile-instance $(CORE) js-bindings/gen/instance/core arrow-core
	$(COMPONENT_TOOL) transpile-instance $(BUILD)/arrow_geo.wasm js-bindings/gen/instance/geo arrow-geo
	$(COMPONENT_TOOL) transpile-instance $(BUILD)/arrow_analytics.wasm js-bindings/gen/instance/analytics arrow-analytics
	cd js-bindings && rm -rf dist && node node_modules/typescript/bin/tsc -p .

# The TypeScript API reference, from the façade's TSDoc (a test fails when it is out of date).
js-api-docs: npm
	cd js-bindings && rm -rf ../docs/js-api && node node_modules/typedoc/bin/typedoc

# The demo page on http://127.0.0.1:8080/ (PORT=... to change): drop a file, see it, convert it.
PORT ?= 8080
serve: transpile
	node js-bindings/scripts/serve.mjs $(PORT)

# The CLI in the dev profile: the build `make test` makes anyway, so the two share it. It embeds
# the core and the core composed with the geometry plugin (cli/build.rs reads the two paths
# exported above), so it runs from any directory; `cargo install --locked --path cli` after
# `make compose` installs it.
cli: compose
	cargo build --locked -p arrow-rs-wasm-cli

sizes:
	@node js-bindings/scripts/sizes.mjs $(CORE) $(CORE_SLIM)

## The two commands of the README.

demo: cli transpile
	@scripts/demo.sh $(CLI) $(BUILD)/demo

test: setup transpile lint test-rust test-host test-js
	@echo "make test: all suites passed"

lint: toolchain build
	python3 scripts/check-layers.py core-component/src host/src cli/src $(foreach p,$(PLUGINS),plugin-components/$(p)/src) --js js-bindings/src
	cargo fmt --all --check
	cargo clippy --locked --workspace --all-targets -- -D warnings
	cargo clippy --locked --target wasm32-unknown-unknown -p arrow-core -p arrow-geo -p arrow-uuid -p arrow-analytics -- -D warnings
	cargo clippy --locked --target wasm32-unknown-unknown -p arrow-core --no-default-features -F lz4 -- -D warnings

# The analytics tests ask DuckDB (the venv's Python package) and read TPC-H at scale factor 0.1
# (tpchgen-cli, installed once into the cache like wac).
test-rust: toolchain venv tpch
	cargo test --locked -p arrow-core -p arrow-geo -p arrow-uuid -p arrow-analytics

# TPC-H data for the analytics tests and benchmarks: tpchgen-cli installed once into the cache
# (about 4 minutes on 2 cores), then Parquet at SF 0.1 (and SF 1 for `make bench`).
TPCH := $(CACHE)/tpch
tpch:
	CACHE=$(CACHE) bash testdata/sql/make_tpch.sh 0.1
export ARROW_TPCH_DIR := $(TPCH)

# The SQL differential test against DuckDB at length (make test runs 5,000 queries).
FUZZ_SQL_QUERIES ?= 50000
fuzz-sql: toolchain venv
	ARROW_SQL_QUERIES=$(FUZZ_SQL_QUERIES) cargo test --locked --release -p arrow-analytics --test differential -- --nocapture

test-host: compose venv
	cargo test --locked -p host-tests -p arrow-rs-wasm-host -p arrow-rs-wasm-cli

# The composed component too, for the test that watches the upstream jco bug with it (in Chromium).
test-js: transpile compose venv chromium
	$(COMPONENT_TOOL) transpile $(CORE_WITH_GEO) js-bindings/gen/composed core-with-geo
	node js-bindings/scripts/check-style.mjs
	cd js-bindings && node --test test/*.test.mjs

## Benchmarks: numbers printed side by side, never asserted.

BENCH_DATA := $(CACHE)/bench-data
bench: transpile venv chromium
	$(PY) testdata/make_bench_data.py $(BENCH_DATA)
	ARROW_BENCH_DATA=$(BENCH_DATA) cargo bench --locked -p bench
	node js-bindings/bench/read.mjs $(BENCH_DATA)
	cargo run --release --locked -p bench --bin stream_convert -- $(BENCH_DATA) native
	cargo run --release --locked -p bench --bin stream_convert -- $(BENCH_DATA) wasmtime
	node js-bindings/bench/stream.mjs $(BENCH_DATA)
	node js-bindings/bench/pool.mjs $(BENCH_DATA)
	CACHE=$(CACHE) bash testdata/sql/make_tpch.sh 1
	$(PY) testdata/make_analytics_bench_data.py $(BENCH_DATA) $(TPCH)/sf1
	cargo run --release --locked -p bench --bin analytics -- $(BENCH_DATA) $(TPCH)/sf1
	node js-bindings/bench/analytics.mjs $(BENCH_DATA) $(TPCH)/sf1
	node js-bindings/bench/pool-query.mjs $(BENCH_DATA)

clean:
	rm -rf $(BUILD) js-bindings/gen
