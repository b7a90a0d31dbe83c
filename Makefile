# moongate — see README.md. Targets: run, test, build, guests, bench, deps.
GO      ?= go
BIN     := bin/moongate
export PATH := $(PATH):/usr/local/go/bin
# Debian packages the tests need: the C guest toolchain, and Redis for the cosocket example.
TEST_PACKAGES := clang lld wasi-libc libclang-rt-14-dev-wasm32 redis-server
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build guests go-guests bench deps go-deps vet

## run: build and start the gateway on the bundled example (examples/gateway); needs only Go
run: build go-guests
	cd examples/gateway && ../../$(BIN) -c moongate.yaml

## build: the moongate binary in bin/
build: go-deps
	$(GO) build -o $(BIN) ./cmd/moongate

## guests: every example and conformance guest, Go and C, into guests/build/
guests: deps
	bash guests/build.sh

go-guests: go-deps
	GO_ONLY=1 bash guests/build.sh

## test: vet, build the guests, then every test with the race detector
test: deps vet guests
	sh sdk/c/test/run.sh
	$(GO) test -race -count=1 ./...

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks of the request path, then the wrk comparison with nginx + lua
bench: guests
	$(GO) test -run '^$$' -bench . -benchmem ./gateway/ ./host/... ./shdict/
	bash bench/compare.sh

## deps: Go modules and the Debian packages the tests need (installed when missing)
deps: go-deps
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

go-deps:
	$(GO) mod download
