//go:build wasip1

// Command hog is a content hook that allocates without bound.
package main

import moongate "github.com/moongate/moongate/sdk/go"

func main() {}

var kept [][]byte

func init() {
	moongate.OnContent(func(r *moongate.Request) moongate.Action {
		for {
			kept = append(kept, make([]byte, 1<<20))
		}
	})
}
