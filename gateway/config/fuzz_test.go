package config

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, and returns either a Config or
// a non-empty Errors. Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data, testDir)
		if err != nil {
			var errs Errors
			if c != nil || !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Parse = %v, %T %v; want nil and a non-empty Errors", c, err, err)
			}
			_ = err.Error()
			return
		}
		if c == nil {
			t.Fatal("Parse returned neither a Config nor an error")
		}
		for _, ref := range c.Hooks() {
			if ref.Hook == nil {
				t.Fatalf("Hooks() listed a nil hook: %+v", ref)
			}
		}
	})
}
