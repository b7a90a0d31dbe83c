// Package swapload is the client side of the plugin-swap load check, shared
// by gateway's TestPluginSwapUnderLoad and bench/swap: connections that
// request a route while its plugins are replaced, and fail on any response
// that is not a 200 stamped by one known generation.
package swapload

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// State is what a response says of the generation that served it: the
// X-Lua-Version and X-Wasm-Version stamps its two plugins set.
type State struct{ Lua, Wasm string }

// Client sends GET url on one keep-alive connection until stop, counting
// the responses in served. Each must be a 200 with body "ok\n" whose
// stamps are a State of states (a known generation, never a mix of two)
// no older than the previous response's; the first that is not ends it
// with an error.
func Client(url string, states map[State]int, stop <-chan struct{}, served *atomic.Int64) error {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	last := 0
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		resp, err := c.Get(url)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		st := State{resp.Header.Get("X-Lua-Version"), resp.Header.Get("X-Wasm-Version")}
		gen, known := states[st]
		switch {
		case resp.StatusCode != 200 || string(body) != "ok\n":
			return fmt.Errorf("GET %s = %d %q", url, resp.StatusCode, body)
		case !known:
			return fmt.Errorf("GET %s: stamps %+v mix two generations", url, st)
		case gen < last:
			return fmt.Errorf("GET %s: stamps %+v of swap %d after swap %d", url, st, gen, last)
		}
		last = gen
		served.Add(1)
	}
}
