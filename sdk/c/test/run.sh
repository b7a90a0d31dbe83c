#!/bin/sh
# Runs the C SDK's native unit test: moongate.c built for this machine
# against the fake host functions of sdk_test.c. Needs a C compiler (cc).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
${CC:-cc} -std=c99 -Wall -Wextra -Werror -DMG_SCRATCH_SIZE=64 -I "$dir/.." \
	-o "$out/sdk_test" "$dir/sdk_test.c" "$dir/../moongate.c"
"$out/sdk_test"
