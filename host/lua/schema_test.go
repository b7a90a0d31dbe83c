package lua

import (
	"encoding/json"
	"strings"
	"testing"

	glua "github.com/yuin/gopher-lua"
)

// TestSchema checks reading a plugin's schema table and checking configs
// against it: types, required fields, defaults (nested tables too) and
// unknown fields.
func TestSchema(t *testing.T) {
	tests := []struct {
		name    string
		schema  string // a Lua expression
		conf    string // JSON
		want    string // JSON of the checked config
		wantErr string
	}{
		{name: "no schema", schema: "nil", conf: `[1,{"a":null}]`, want: `[1,{"a":null}]`},
		{name: "defaults filled", schema: `{n = {type = "integer", default = 10}, s = {type = "string"}}`,
			conf: `null`, want: `{"n":10}`},
		{name: "nested table default", schema: `{opts = {type = "table", default = {a = 1, list = {1, 2}, sub = {b = "x"}}}}`,
			conf: `{}`, want: `{"opts":{"a":1,"list":[1,2],"sub":{"b":"x"}}}`},
		{name: "nested table given", schema: `{opts = {type = "table", default = {a = 1}}}`,
			conf: `{"opts":{"z":[{"y":true}]}}`, want: `{"opts":{"z":[{"y":true}]}}`},
		{name: "empty table default", schema: `{opts = {type = "table", default = {}}}`, conf: `{}`, want: `{"opts":{}}`},
		{name: "list is a table", schema: `{l = {type = "table"}}`, conf: `{"l":[1,2]}`, want: `{"l":[1,2]}`},
		{name: "number takes an integer", schema: `{x = {type = "number"}}`, conf: `{"x":3}`, want: `{"x":3}`},
		{name: "integer refuses a fraction", schema: `{x = {type = "integer"}}`, conf: `{"x":1.5}`, wantErr: "config.x: expected integer, got number"},
		{name: "required missing", schema: `{h = {type = "string", required = true}}`, conf: `{}`, wantErr: "config.h: required field missing"},
		{name: "required with default", schema: `{h = {type = "string", required = true, default = "d"}}`, conf: `{}`, want: `{"h":"d"}`},
		{name: "unknown field", schema: `{h = {type = "string"}}`, conf: `{"x":1}`, wantErr: "config.x: unknown field (the schema has h)"},
		{name: "not a mapping", schema: `{h = {type = "string"}}`, conf: `[1]`, wantErr: "config must be a mapping, got table"},
		{name: "default of the wrong type", schema: `{n = {type = "integer", default = "ten"}}`, wantErr: `schema: field "n" default: expected integer, got string`},
		{name: "unknown type", schema: `{n = {type = "int"}}`, wantErr: `schema: field "n" has type "int"`},
		{name: "spec not a table", schema: `{n = "integer"}`, wantErr: "schema: each entry must be name = { type = ... }"},
		{name: "schema not a table", schema: `"x"`, wantErr: "schema is a string, not a table"},
		{name: "default a function", schema: `{f = {type = "table", default = {print}}}`, wantErr: `schema: field "f" default:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := glua.NewState()
			defer L.Close()
			if err := L.DoString("return " + tt.schema); err != nil {
				t.Fatal(err)
			}
			s, err := readSchema(L, L.Get(-1))
			var got any
			if err == nil {
				var conf any
				if tt.conf != "" {
					json.Unmarshal([]byte(tt.conf), &conf)
				}
				got, err = s.check(conf)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(got); string(b) != tt.want {
				t.Errorf("checked config %s, want %s", b, tt.want)
			}
		})
	}
}
