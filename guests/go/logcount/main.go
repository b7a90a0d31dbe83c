//go:build wasip1

// Command logcount is a log-phase handler that counts the requests it saw
// and logs "requests served: N" at NOTICE. The count is a module global, so
// it is per instance, as a Lua module's upvalue is per worker.
package main

import (
	"strconv"

	moongate "github.com/moongate/moongate/sdk/go"
)

func main() {}

var served int

func init() {
	moongate.OnLog(func(r *moongate.Request) moongate.Action {
		served++
		moongate.Log(moongate.NOTICE, "requests served: "+strconv.Itoa(served))
		return moongate.Continue
	})
}
