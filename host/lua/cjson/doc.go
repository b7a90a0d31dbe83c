// Package cjson is the `cjson` and `cjson.safe` Lua modules for gopher-lua,
// behaving like OpenResty's lua-cjson 2.1 fork
// (https://github.com/openresty/lua-cjson, manual:
// https://kyne.com.au/~mark/software/lua-cjson-manual.html) so that existing
// OpenResty code runs unchanged:
//
//	local cjson = require "cjson"
//	local s = cjson.encode({a = {1, 2, cjson.null}}) -- {"a":[1,2,null]}
//	local t = cjson.decode(s)
//
// Preload registers both modules in a VM's package.preload; Encode and Decode
// expose the same codec, with the default settings, to Go callers.
//
// Behaviour follows lua-cjson's source, including its error messages (for
// example "Expected comma or array end but found T_INTEGER at character 4"),
// with these differences, each made on purpose:
//   - Settings are per module instance as documented, never process wide
//     (lua-cjson's encode_escape_forward_slash leaks across instances).
//   - Numbers are decoded as doubles like strtod, so Infinity, NaN, hex and
//     large integers decode exactly as the manual describes (newer lua-cjson
//     releases parse integers with strtoll, which rejects "Infinity" and
//     saturates past 2^63).
//   - Nesting, for both encode and decode, also stops at 10000 levels whatever
//     encode_max_depth or decode_max_depth say, as lua-cjson stops at its Lua
//     C stack limit; this keeps the recursive codec within a bounded Go stack.
//   - Userdata other than cjson.null and cjson.empty_array cannot be encoded
//     (gopher-lua has no light userdata).
//   - Object members are written in the table's iteration order, which for
//     gopher-lua is insertion order: output is deterministic.
//   - Decoded strings are copies: they never keep the input alive.
//
// Null is the only package-level value: an immutable sentinel shared by all
// VMs, as the NULL light userdata is in OpenResty. Everything else
// (array_mt, empty_array_mt, empty_array, settings, buffers) belongs to one VM.
//
// This package imports only gopher-lua and the standard library; it knows
// nothing of the gateway, requests or the ngx API.
package cjson
