//go:build wasip1

// Command sleep is a content handler that waits (config "seconds", default
// 1) without using CPU, then answers "ok": the Go guest of
// bench/waiting.
package main

import (
	"time"

	moongate "github.com/moongate/moongate/sdk/go"
)

func main() {}

type config struct {
	Seconds float64 `json:"seconds"`
}

var cfg moongate.CachedConfig[config]

func init() {
	moongate.OnContent(func(r *moongate.Request) moongate.Action {
		c, _ := cfg.Get()
		if c.Seconds == 0 {
			c.Seconds = 1
		}
		if err := moongate.Sleep(time.Duration(c.Seconds * float64(time.Second))); err != nil {
			return r.Exit(500)
		}
		r.Say("ok")
		return moongate.Continue
	})
}
