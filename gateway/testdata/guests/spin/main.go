//go:build wasip1

// Command spin is a content hook that never returns.
package main

import moongate "github.com/moongate/moongate/sdk/go"

func main() {}

var n int

func init() {
	moongate.OnContent(func(r *moongate.Request) moongate.Action {
		for {
			n++
		}
	})
}
