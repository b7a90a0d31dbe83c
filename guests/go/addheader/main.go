//go:build wasip1

// Command addheader is a header_filter that sets a response header: the
// config's name and value, X-Wasm: go by default.
//
// Config: {"name": "...", "value": "..."}, either optional.
package main

import moongate "github.com/moongate/moongate/sdk/go"

func main() {}

type config struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

var cfg moongate.CachedConfig[config]

func init() {
	moongate.OnHeaderFilter(func(r *moongate.Request) moongate.Action {
		c, err := cfg.Get()
		if err != nil {
			moongate.Log(moongate.ERR, "addheader: "+err.Error())
			return r.Exit(500)
		}
		name, value := c.Name, c.Value
		if name == "" {
			name = "X-Wasm"
		}
		if value == "" {
			value = "go"
		}
		if err := r.SetRespHeader(name, value); err != nil {
			moongate.Log(moongate.ERR, "addheader: "+err.Error())
		}
		return moongate.Continue
	})
}
