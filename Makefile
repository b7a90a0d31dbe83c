# moongate — see README.md. Targets: run, test, build, bench, deps.
GO      ?= go
BIN     := bin/moongate
export PATH := $(PATH):/usr/local/go/bin

.PHONY: run test build bench deps vet

## run: build and start the gateway on the bundled example (examples/gateway)
run: build
	cd examples/gateway && ../../$(BIN) -c moongate.yaml

## build: the moongate binary in bin/
build: deps
	$(GO) build -o $(BIN) ./cmd/moongate

## test: vet, then every test with the race detector
test: deps vet
	$(GO) test -race -count=1 ./...

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks of the request path, then the wrk comparison with nginx + lua
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./gateway/ ./host/... 
	bash bench/compare.sh

## deps: Go modules (the tests need nothing else yet)
deps:
	$(GO) mod download
