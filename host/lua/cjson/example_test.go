package cjson_test

import (
	"fmt"

	"github.com/moongate/moongate/host/lua/cjson"
	lua "github.com/yuin/gopher-lua"
)

func ExamplePreload() {
	L := lua.NewState()
	defer L.Close()
	cjson.Preload(L)
	err := L.DoString(`
		local cjson = require "cjson"
		local t = cjson.decode('{"user":{"name":"ada","roles":["admin"]},"manager":null}')
		print(t.user.name, t.user.roles[1], t.manager == cjson.null)
		print(cjson.encode({url = "https://example.com/", list = cjson.empty_array}))

		local safe = require "cjson.safe"
		print(safe.decode("[1,"))
	`)
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// ada	admin	true
	// {"url":"https:\/\/example.com\/","list":[]}
	// nil	Expected value but found T_END at character 4
}

func ExampleDecode() {
	L := lua.NewState()
	defer L.Close()
	v, err := cjson.Decode(L, []byte(`{"a":[1,2,null]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := cjson.Encode(L, v)
	fmt.Println(string(out))
	_, err = cjson.Decode(L, []byte(`{"a" 1}`))
	fmt.Println(err)
	// Output:
	// {"a":[1,2,null]}
	// Expected colon but found T_INTEGER at character 6
}
