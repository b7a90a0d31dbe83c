//go:build wasip1

// Command trap is a content hook that panics: the guest traps.
package main

import moongate "github.com/moongate/moongate/sdk/go"

func main() {}

func init() {
	moongate.OnContent(func(r *moongate.Request) moongate.Action {
		panic("trap guest: boom")
	})
}
