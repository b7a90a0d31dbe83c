// Package swapload is the client side of the plugin-swap load check, shared
// by gateway's TestPluginSwapUnderLoad and bench/swap: connections that
// request a route while its plugins are replaced, and fail on any response
// that is not a 200 stamped by one known generation.
package swapload

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// State is what a response says of the generation that served it: the
// X-Lua-Version and X-Wasm-Version stamps its two plugins set.
type State struct{ Lua, Wasm string }

// Swap is one step of a Plan: PUT /plugins/{Plugin} with Body as JSON.
type Swap struct {
	Plugin string
	Body   map[string]any
}

// Plan returns n swaps of the plugins lua-ver and wasm-ver, which start as
// State{"v1:0", "0"}: odd swaps give lua-ver the code luaSource("v2"),
// then luaSource("v1"), in turn, even ones give wasm-ver the code
// wasm[1], then wasm[0], in turn; each sets its plugin's config to stamp
// the swap's number (lua-ver's config n, wasm-ver's X-Wasm-Version
// value). It also returns the State each swap leads to, by swap number
// (0 for the initial one).
func Plan(n int, luaSource func(code string) string, wasm [2][]byte) ([]Swap, map[State]int) {
	plan := make([]Swap, 0, n)
	// Each binary is encoded once: the plan's swaps share the two strings,
	// so its size does not grow with n (a leak check measures the heap).
	encoded := [2]string{base64.StdEncoding.EncodeToString(wasm[0]), base64.StdEncoding.EncodeToString(wasm[1])}
	cur := State{Lua: "v1:0", Wasm: "0"}
	states := map[State]int{cur: 0}
	for i := 1; i <= n; i++ {
		stamp := strconv.Itoa(i)
		if i%2 == 1 {
			code := []string{"v2", "v1"}[(i/2)%2]
			plan = append(plan, Swap{"lua-ver", map[string]any{"lua": luaSource(code), "config": map[string]string{"n": stamp}}})
			cur.Lua = code + ":" + stamp
		} else {
			plan = append(plan, Swap{"wasm-ver", map[string]any{"wasm": encoded[(i/2)%2],
				"config": map[string]string{"name": "X-Wasm-Version", "value": stamp}}})
			cur.Wasm = stamp
		}
		states[cur] = i
	}
	return plan, states
}

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
