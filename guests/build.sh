#!/usr/bin/env bash
# Builds every guest from source into guests/build/ (git-ignored):
#   guests/go/NAME            -> guests/build/go/NAME.wasm
#   guests/conformance/go     -> guests/build/conformance-go.wasm
#   guests/c/NAME/*.c         -> guests/build/c/NAME.wasm    (when clang is found)
#   guests/conformance/c/*.c  -> guests/build/conformance-c.wasm
# GO_ONLY=1 skips the C guests. GO and CLANG name the compilers.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
CLANG=${CLANG:-clang}
out=guests/build

go_guest() { # go_guest PACKAGE_DIR OUTPUT
	# -trimpath: the same source gives the same bytes in any checkout, so the
	# compile cache (wasm.cache_dir) keeps serving after a fresh clone.
	GOOS=wasip1 GOARCH=wasm "$GO" build -trimpath -buildmode=c-shared -o "$2" "./$1"
}

c_guest() { # c_guest SOURCE_DIR OUTPUT
	"$CLANG" --target=wasm32-wasi -mexec-model=reactor -O2 -I sdk/c \
		-o "$2" sdk/c/moongate.c "$1"/*.c
}

mkdir -p "$out/go"
for dir in guests/go/*/; do
	go_guest "${dir%/}" "$out/go/$(basename "$dir").wasm"
done
go_guest guests/conformance/go "$out/conformance-go.wasm"

if [[ ${GO_ONLY:-} == 1 ]]; then
	exit 0
fi
if ! command -v "$CLANG" >/dev/null; then
	echo "guests/build.sh: $CLANG not found, C guests not built" >&2
	exit 0
fi
mkdir -p "$out/c"
for dir in guests/c/*/; do
	c_guest "${dir%/}" "$out/c/$(basename "$dir").wasm"
done
c_guest guests/conformance/c "$out/conformance-c.wasm"
