package lua

import (
	"math"

	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// openCodec registers the encoding and hashing functions of ngx
// (escape_uri and unescape_uri in any phase, the others in request phases
// and timers) and the lua-resty-core module ngx.base64 (any phase). Their
// argument checks and errors are OpenResty's: most convert any argument
// with tostring (nil and false as ""), as lua-resty-core does; hmac_sha1,
// quote_sql_str, encode_args and decode_args check their arguments as
// lua-nginx-module's C functions do.
func (vm *VM) openCodec(ngx, preload *glua.LTable) {
	vm.set(ngx, "ngx", map[string]hostFunc{
		"escape_uri":        escapeURI,
		"unescape_uri":      convert(host.Unescape),
		"encode_args":       encodeArgsAPI,
		"decode_args":       decodeArgs,
		"encode_base64":     encodeBase64,
		"decode_base64":     decoder(host.DecodeBase64),
		"decode_base64mime": decoder(host.DecodeBase64MIME),
		"md5":               convert(host.MD5Hex),
		"md5_bin":           convert(host.MD5Bin),
		"sha1_bin":          convert(host.SHA1Bin),
		"crc32_short":       crc32,
		"crc32_long":        crc32,
		"hmac_sha1":         hmacSHA1,
		"quote_sql_str":     quoteSQLStr,
	})
	L := vm.L
	b64 := L.NewTable()
	b64.RawSetString("encode_base64url", vm.fn("ngx.base64", func(L *glua.LState, _ *host.Request) int {
		s, ok := L.Get(1).(glua.LString)
		if !ok {
			return pushNilErr(L, "must provide a string")
		}
		L.Push(glua.LString(host.EncodeBase64URL(string(s))))
		return 1
	}))
	b64.RawSetString("decode_base64url", vm.fn("ngx.base64", func(L *glua.LState, _ *host.Request) int {
		s, ok := L.Get(1).(glua.LString)
		if !ok {
			return pushNilErr(L, "must provide a string")
		}
		d, ok := host.DecodeBase64URL(string(s))
		if !ok {
			return pushNilErr(L, "invalid input")
		}
		L.Push(glua.LString(d))
		return 1
	}))
	preload.RawSetString("ngx.base64", L.NewFunction(func(L *glua.LState) int { L.Push(b64); return 1 }))
}

// pushNilErr returns nil and msg to Lua.
func pushNilErr(L *glua.LState, msg string) int {
	L.Push(glua.LNil)
	L.Push(glua.LString(msg))
	return 2
}

// anyString converts argument i as lua-resty-core's string functions do:
// nil (or no argument) and false are "", anything else goes through
// tostring.
func anyString(L *glua.LState, i int) string {
	switch v := L.Get(i).(type) {
	case glua.LString:
		return string(v)
	case glua.LNumber:
		if v == 0 && math.Signbit(float64(v)) {
			return "-0" // LuaJIT's tostring(-0); formatNumber prints 0 as ngx.print does
		}
		return formatNumber(v)
	case *glua.LNilType:
		return ""
	case glua.LBool:
		if !v {
			return ""
		}
	}
	return L.ToStringMeta(L.Get(i)).String()
}

// convert wraps f, a function of one string, as a Lua function taking
// any value (see anyString).
func convert(f func(string) string) hostFunc {
	return func(L *glua.LState, _ *host.Request) int {
		L.Push(glua.LString(f(anyString(L, 1))))
		return 1
	}
}

// decoder wraps f, a base64 decoder, as a Lua function that takes a
// string and returns nil for invalid input.
func decoder(f func(string) (string, bool)) hostFunc {
	return func(L *glua.LState, _ *host.Request) int {
		s, ok := L.Get(1).(glua.LString)
		if !ok {
			L.RaiseError("string argument only")
		}
		if d, ok := f(string(s)); ok {
			L.Push(glua.LString(d))
		} else {
			L.Push(glua.LNil)
		}
		return 1
	}
}

// escapeURI is ngx.escape_uri(s, type?); type defaults to
// host.EscapeTypeURIComponent.
func escapeURI(L *glua.LState, _ *host.Request) int {
	s := anyString(L, 1)
	t := host.EscapeTypeURIComponent
	switch v := L.Get(2).(type) {
	case *glua.LNilType:
	case glua.LNumber:
		if f := float64(v); !(f >= float64(host.EscapeTypeURI) && f <= float64(host.EscapeTypeMailAuth)) {
			L.RaiseError("\"type\" %s out of range", formatNumber(v))
		}
		t = host.EscapeType(v)
	default:
		L.RaiseError("\"type\" is not a number")
	}
	L.Push(glua.LString(host.EscapeURI(s, t)))
	return 1
}

// encodeBase64 is ngx.encode_base64(s, no_padding?).
func encodeBase64(L *glua.LState, _ *host.Request) int {
	padding := true
	switch v := L.Get(2).(type) {
	case *glua.LNilType:
	case glua.LBool:
		padding = !bool(v)
	default:
		L.RaiseError("bad no_padding: boolean expected, got %s", v.Type())
	}
	L.Push(glua.LString(host.EncodeBase64(anyString(L, 1), padding)))
	return 1
}

// crc32 is ngx.crc32_short(s) and ngx.crc32_long(s).
func crc32(L *glua.LState, _ *host.Request) int {
	L.Push(glua.LNumber(host.CRC32(anyString(L, 1))))
	return 1
}

// hmacSHA1 is ngx.hmac_sha1(key, s).
func hmacSHA1(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 2 {
		L.RaiseError("expecting 2 arguments, but got %d", n)
	}
	L.Push(glua.LString(host.HMACSHA1(checkString(L, 1), checkString(L, 2))))
	return 1
}

// quoteSQLStr is ngx.quote_sql_str(s).
func quoteSQLStr(L *glua.LState, _ *host.Request) int {
	if L.GetTop() != 1 {
		L.RaiseError("expecting one argument")
	}
	L.Push(glua.LString(host.QuoteSQLStr(checkString(L, 1))))
	return 1
}

// encodeArgsAPI is ngx.encode_args(table), encoded as
// ngx.req.set_uri_args encodes a table.
func encodeArgsAPI(L *glua.LState, _ *host.Request) int {
	checkArgCount(L, 1, 1, "1 argument")
	t, ok := L.Get(1).(*glua.LTable)
	if !ok {
		argError(L, 1, "table expected, got "+typeName(L, 1))
	}
	q, err := encodeArgs(t)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Push(glua.LString(q))
	return 1
}

// decodeArgs is ngx.decode_args(str, max_args?): the arguments of a query
// string in the table shape of ngx.req.get_uri_args, limited by max_args
// (100 by default; 0 or less for no limit) as host.DecodeArgs says.
func decodeArgs(L *glua.LState, _ *host.Request) int {
	checkArgCount(L, 1, 2, "1 or 2 arguments")
	s := checkString(L, 1)
	max := host.DefaultMaxArgs
	if L.GetTop() == 2 {
		n, ok := toInt(L.Get(2))
		if !ok {
			argError(L, 2, "number expected, got "+typeName(L, 2))
		}
		max = n
	}
	args, truncated := host.DecodeArgs(s, max)
	return pushArgs(L, args, truncated, glua.LNil)
}
