package cjson

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// benchDoc is a ~1 KiB API-style JSON object.
const benchDoc = `{"id":"req-7f3a9c2e","user":{"id":123456,"name":"Ada Lovelace","email":"ada@example.com",` +
	`"roles":["admin","editor","viewer"],"active":true,"score":98.6,"manager":null},` +
	`"items":[{"sku":"A-100","qty":2,"price":19.99,"tags":["new","sale"]},` +
	`{"sku":"B-220","qty":1,"price":5.5,"tags":[]},{"sku":"C-310","qty":12,"price":0.25,"tags":["bulk"]}],` +
	`"shipping":{"method":"express","address":{"line1":"12 Analytical Engine Way","line2":"Suite 1843",` +
	`"city":"London","postcode":"SW1A 1AA","country":"GB"},"eta_days":2},` +
	`"payment":{"method":"card","last4":"4242","amount":76.23,"currency":"EUR","captured":false},` +
	`"notes":"Leave at the door, ring twice. Fragile: contains a \"difference engine\" model.",` +
	`"metadata":{"source":"web","campaign":"spring-2024","ab_bucket":7,"referrer":"https://example.org/landing?x=1",` +
	`"flags":[true,false,true],"ratio":0.3333333333333333,"created":1717171717,"updated":1717181818},` +
	`"history":[{"at":1717171717,"event":"created"},{"at":1717175000,"event":"paid"},{"at":1717181818,"event":"packed"}]}`

func BenchmarkDecode(b *testing.B) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	data := []byte(benchDoc)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(L, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	v, err := Decode(L, []byte(benchDoc))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchDoc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(L, v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLua measures cjson.decode and cjson.encode called from Lua, with
// the encode buffer kept between calls as by default.
func BenchmarkLua(b *testing.B) {
	L := newVM(b)
	if err := L.DoString(`cjson = require "cjson"`); err != nil {
		b.Fatal(err)
	}
	mod := L.GetGlobal("cjson").(*lua.LTable)
	doc := lua.LString(benchDoc)
	value, err := Decode(L, []byte(benchDoc))
	if err != nil {
		b.Fatal(err)
	}
	tests := []struct {
		name string
		fn   string
		arg  lua.LValue
	}{
		{"decode", "decode", doc},
		{"encode", "encode", value},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			fn := mod.RawGetString(tt.fn)
			b.SetBytes(int64(len(benchDoc)))
			b.ReportAllocs()
			for b.Loop() {
				if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, tt.arg); err != nil {
					b.Fatal(err)
				}
				L.Pop(1)
			}
		})
	}
}
