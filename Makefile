# Thin wrapper around CMake. `make run` serves the demo on SQLite; `make test` runs every test.
BUILD ?= build
DB ?= wheelhouse.db
FUZZ_SECONDS ?= 30

.PHONY: build run test cluster-test sanitize fuzz format format-check clean deps

deps:
	@scripts/deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$$(nproc) --target wheelhouse

run: build
	@WH_DATABASE_URL=sqlite:$(DB) $(BUILD)/wheelhouse migrate
	@WH_DATABASE_URL=sqlite:$(DB) $(BUILD)/wheelhouse seed --demo
	@echo "Wheelhouse: open http://$${WH_LISTEN:-127.0.0.1:8080}/ (Ctrl-C stops it)"
	@WH_DATABASE_URL=sqlite:$(DB) $(BUILD)/wheelhouse serve

test:
	@scripts/test $(BUILD)

# The three-instance deployment of docs/deploy.md on loopback under faults (not part of test).
cluster-test:
	@scripts/cluster-test $(BUILD)

sanitize:
	@scripts/test $(BUILD)-sanitize -DWH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

# libFuzzer over tests/fuzz (clang, build-fuzz/): every target for FUZZ_SECONDS (default 30).
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

format:
	@clang-format -i $$(git ls-files -- '*.c' '*.h')

format-check:
	@clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	@rm -rf $(BUILD) $(BUILD)-sanitize build-fuzz
