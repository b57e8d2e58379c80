# Scry's entry points. `make run` and `make test` are the two commands README.md starts with.
SWIFT ?= swift
# Tests run against an optimised build: the numeric code is tens of times slower in debug.
TEST_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: setup build run test bench clean

setup:
	@bash .ci/setup

build: setup
	$(SWIFT) build -c release --product scry

run: build
	./.build/release/scry

test: setup
	$(SWIFT) build --build-tests $(TEST_FLAGS)
	$(SWIFT) test $(TEST_FLAGS) --skip-build --disable-swift-testing

bench: setup
	$(SWIFT) build -c release --product ScryBench
	$(SWIFT) build -c release --product scry
	./.build/release/ScryBench

clean:
	rm -rf .build
