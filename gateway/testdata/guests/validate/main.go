//go:build wasip1

// Command validate is a Wasm plugin with a config check: its config must
// have a non-empty "value", which its header_filter sets as X-Validated
// (or traps on, when it is "trap").
// It handles header_filter only, although the SDK exports every phase.
package main

import (
	"errors"

	moongate "github.com/moongate/moongate/sdk/go"
)

func main() {}

type config struct {
	Value string `json:"value"`
}

func init() {
	moongate.OnValidateConfig(func(*moongate.Request) error {
		var c config
		if err := moongate.Config(&c); err != nil {
			return err
		}
		if c.Value == "" {
			return errors.New("value is required")
		}
		return nil
	})
	moongate.OnHeaderFilter(func(r *moongate.Request) moongate.Action {
		var c config
		if err := moongate.Config(&c); err != nil {
			return r.Exit(500)
		}
		if c.Value == "trap" {
			panic("validate guest: asked to trap")
		}
		r.SetRespHeader("X-Validated", c.Value)
		return moongate.Continue
	})
}
