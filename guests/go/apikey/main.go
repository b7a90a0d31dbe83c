//go:build wasip1

// Command apikey is an access check: the request header x-api-key must equal
// the config's key, else the request is refused with 401. An accepted
// request gets the header X-User set to the config's user.
//
// Config: {"key": "...", "user": "..."}.
package main

import (
	"crypto/subtle"
	"errors"

	moongate "github.com/moongate/moongate/sdk/go"
)

func main() {}

type config struct {
	Key  string `json:"key"`
	User string `json:"user"`
}

var cfg moongate.CachedConfig[config]

var errNoKey = errors.New(`config has no "key"`)

func init() { moongate.OnAccess(access) }

func access(r *moongate.Request) moongate.Action {
	c, err := cfg.Get()
	if err == nil && c.Key == "" {
		err = errNoKey
	}
	if err != nil {
		moongate.Log(moongate.ERR, "apikey: "+err.Error())
		return r.Exit(500)
	}
	key, err := r.Header("x-api-key")
	if err != nil || subtle.ConstantTimeCompare([]byte(key), []byte(c.Key)) != 1 {
		return r.Exit(401)
	}
	if c.User != "" {
		if err := r.SetHeader("X-User", c.User); err != nil {
			moongate.Log(moongate.ERR, "apikey: "+err.Error())
			return r.Exit(500)
		}
	}
	return moongate.Continue
}
