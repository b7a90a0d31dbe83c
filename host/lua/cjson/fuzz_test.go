package cjson

import (
	"strconv"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzDecode checks that Decode never panics and that whatever it decodes
// encodes and decodes again to an equal value. Numbers are compared as the
// encoder writes them (14 significant digits), and NaN and ±Infinity are
// written as JSON extensions so that they survive the trip.
func FuzzDecode(f *testing.F) {
	asWritten := func(x float64) string { return strconv.FormatFloat(x, 'g', 14, 64) }
	f.Fuzz(func(t *testing.T, data []byte) {
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		first, err := Decode(L, data)
		if err != nil {
			return
		}
		cfg := defaultConfig()
		cfg.encodeInvalidNumbers = invalidNumbersOn
		e := encoder{cfg: &cfg, vm: vmValuesOf(L)}
		if err := e.encode(first); err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", data, err)
		}
		second, err := Decode(L, e.buf)
		if err != nil {
			t.Fatalf("cannot decode %q, the encoding of %q: %v", e.buf, data, err)
		}
		if a, b := dumpWith(first, asWritten), dumpWith(second, asWritten); a != b {
			t.Fatalf("round trip of %q through %q changed the value\nfirst  %s\nsecond %s", data, e.buf, a, b)
		}
	})
}
