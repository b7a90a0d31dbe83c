package lua

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/moongate/moongate/host/lua/cjson"
	glua "github.com/yuin/gopher-lua"
)

// schema is a Lua plugin's config schema: the module's `schema` table,
// mapping each config field to a spec table
//
//	schema = {
//	  header = { type = "string", required = true },
//	  limit  = { type = "integer", default = 10 },
//	}
//
// where type is one of string, number, integer, boolean, table (any map
// or list); required fields must be present; default fills an absent
// field. A config field the schema does not name is an error. A nil
// schema accepts any config as it is.
type schema map[string]fieldSpec

type fieldSpec struct {
	typ      string
	required bool
	def      any // nil when there is no default
}

// schemaTypes are the field types a schema may name.
var schemaTypes = []string{"string", "number", "integer", "boolean", "table"}

// readSchema reads the schema table v (nil when v is nil).
func readSchema(L *glua.LState, v glua.LValue) (schema, error) {
	if v == glua.LNil {
		return nil, nil
	}
	t, ok := v.(*glua.LTable)
	if !ok {
		return nil, fmt.Errorf("schema is a %s, not a table", v.Type())
	}
	s := schema{}
	var err error
	t.ForEach(func(k, spec glua.LValue) {
		if err != nil {
			return
		}
		name, ok := k.(glua.LString)
		st, isTable := spec.(*glua.LTable)
		if !ok || !isTable {
			err = fmt.Errorf("schema: each entry must be name = { type = ... }, got %s = %s", k.Type(), spec.Type())
			return
		}
		f := fieldSpec{typ: glua.LVAsString(st.RawGetString("type")), required: glua.LVAsBool(st.RawGetString("required"))}
		if !slices.Contains(schemaTypes, f.typ) {
			err = fmt.Errorf("schema: field %q has type %q (want one of %s)", name, f.typ, strings.Join(schemaTypes, ", "))
			return
		}
		if d := st.RawGetString("default"); d != glua.LNil {
			if f.def, err = toGo(L, d); err != nil {
				err = fmt.Errorf("schema: field %q default: %w", name, err)
				return
			}
			if terr := f.checkType(f.def); terr != nil {
				err = fmt.Errorf("schema: field %q default: %w", name, terr)
				return
			}
		}
		s[string(name)] = f
	})
	return s, err
}

// toGo converts a Lua value to its JSON-decoded Go form.
func toGo(L *glua.LState, v glua.LValue) (any, error) {
	b, err := cjson.Encode(L, v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

// check validates conf, a decoded YAML or JSON value, and returns it with
// the defaults filled in.
func (s schema) check(conf any) (any, error) {
	if s == nil {
		return conf, nil
	}
	in := map[string]any{}
	switch c := conf.(type) {
	case nil:
	case map[string]any:
		in = c
	default:
		return nil, fmt.Errorf("config must be a mapping, got %s", typeOf(c))
	}
	out := make(map[string]any, len(s))
	for _, name := range sortedNames(in) {
		f, ok := s[name]
		if !ok {
			return nil, fmt.Errorf("config.%s: unknown field (the schema has %s)", name, strings.Join(sortedNames(s), ", "))
		}
		if err := f.checkType(in[name]); err != nil {
			return nil, fmt.Errorf("config.%s: %w", name, err)
		}
		out[name] = in[name]
	}
	for _, name := range sortedNames(s) {
		f := s[name]
		if _, ok := out[name]; ok {
			continue
		}
		switch {
		case f.def != nil:
			out[name] = f.def
		case f.required:
			return nil, fmt.Errorf("config.%s: required field missing", name)
		}
	}
	return out, nil
}

// checkType reports a value that is not of the field's type.
func (f fieldSpec) checkType(v any) error {
	got := typeOf(v)
	switch {
	case got == f.typ:
		return nil
	case f.typ == "number" && got == "integer":
		return nil
	}
	return fmt.Errorf("expected %s, got %s", f.typ, got)
}

// typeOf names a decoded value's schema type.
func typeOf(v any) string {
	switch v := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, int64, uint64:
		return "integer"
	case float64:
		if v == math.Trunc(v) && !math.IsInf(v, 0) {
			return "integer"
		}
		return "number"
	case map[string]any, []any:
		return "table"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
