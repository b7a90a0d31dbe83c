//go:build wasip1

// Command upper is a body_filter that upper-cases the response body, ASCII
// letters only, as Lua's string.upper does.
package main

import moongate "github.com/moongate/moongate/sdk/go"

func main() {}

func init() {
	moongate.OnBodyFilter(func(r *moongate.Request) moongate.Action {
		chunk, err := r.Chunk()
		if err == nil {
			for i, c := range chunk {
				if 'a' <= c && c <= 'z' {
					chunk[i] = c - 'a' + 'A'
				}
			}
			err = r.SetChunk(chunk)
		}
		if err != nil {
			moongate.Log(moongate.ERR, "upper: "+err.Error())
		}
		return moongate.Continue
	})
}
