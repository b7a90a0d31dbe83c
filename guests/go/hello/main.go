//go:build wasip1

// Command hello is a content handler that answers "hello from a Go guest".
package main

import moongate "github.com/moongate/moongate/sdk/go"

func main() {}

func init() {
	moongate.OnContent(func(r *moongate.Request) moongate.Action {
		if err := r.Say("hello from a Go guest"); err != nil {
			moongate.Log(moongate.ERR, "hello: "+err.Error())
			return r.Exit(500)
		}
		return moongate.Continue
	})
}
