//go:build wasip1

// Command bench is the Go guest of the benchmark route /wasm-go/headers
// (bench/compare.sh): the same three hooks as the Lua route /headers.
//
//   - access: the request header x-api-key must be "secret", else 401; the
//     request then gets the header X-User: alice.
//   - header_filter: sets the response header X-Gateway: bench.
//   - content: says the request's x-user header ("nil" when absent, as
//     ngx.say(nil) would).
//
// It takes no config.
package main

import (
	"errors"

	moongate "github.com/moongate/moongate/sdk/go"
)

func main() {}

func init() {
	moongate.OnAccess(access)
	moongate.OnHeaderFilter(headerFilter)
	moongate.OnContent(content)
}

func access(r *moongate.Request) moongate.Action {
	if key, err := r.Header("x-api-key"); err != nil || key != "secret" {
		return r.Exit(401)
	}
	if err := r.SetHeader("X-User", "alice"); err != nil {
		moongate.Log(moongate.ERR, "bench: "+err.Error())
		return r.Exit(500)
	}
	return moongate.Continue
}

func headerFilter(r *moongate.Request) moongate.Action {
	if err := r.SetRespHeader("X-Gateway", "bench"); err != nil {
		moongate.Log(moongate.ERR, "bench: "+err.Error())
	}
	return moongate.Continue
}

func content(r *moongate.Request) moongate.Action {
	user, err := r.Header("x-user")
	if errors.Is(err, moongate.ErrNotFound) {
		user, err = "nil", nil
	}
	if err == nil {
		err = r.Say(user)
	}
	if err != nil {
		moongate.Log(moongate.ERR, "bench: "+err.Error())
		return r.Exit(500)
	}
	return moongate.Continue
}
