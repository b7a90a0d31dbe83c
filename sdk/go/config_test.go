package moongate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

type testConfig struct {
	Key  string `json:"key"`
	User string `json:"user"`
}

func TestCachedConfig(t *testing.T) {
	var c CachedConfig[testConfig]
	steps := []struct {
		name    string
		raw     string
		want    testConfig
		wantErr string
	}{
		{name: "null", raw: "null"},
		{name: "first", raw: `{"key":"k1","user":"u1"}`, want: testConfig{Key: "k1", User: "u1"}},
		{name: "same again", raw: `{"key":"k1","user":"u1"}`, want: testConfig{Key: "k1", User: "u1"}},
		{name: "changed", raw: `{"key":"k2"}`, want: testConfig{Key: "k2"}},
		{name: "invalid", raw: `{"key":`, wantErr: "moongate: plugin config: unexpected end of JSON input"},
		{name: "valid after invalid", raw: `{"user":"u3"}`, want: testConfig{User: "u3"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			raw := []byte(st.raw)
			got, err := c.update(raw)
			raw[0] = '!' // the cache must keep its own copy
			if st.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), st.wantErr) {
					t.Fatalf("err = %v, want %q", err, st.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != st.want {
				t.Errorf("got %+v, want %+v", got, st.want)
			}
		})
	}
}

func TestConfigErrorUnwraps(t *testing.T) {
	var v testConfig
	err := decodeConfig([]byte(`{"key": 1}`), &v)
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		t.Fatalf("err = %v, want one wrapping a *json.UnmarshalTypeError", err)
	}
}

// TestCachedConfigNoAlloc checks that an unchanged config costs no
// allocation.
func TestCachedConfigNoAlloc(t *testing.T) {
	var c CachedConfig[testConfig]
	raw := []byte(`{"key":"k","user":"u"}`)
	if _, err := c.update(raw); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(100, func() { c.update(raw) }); allocs != 0 {
		t.Errorf("update allocates %v times per call, want 0", allocs)
	}
}
