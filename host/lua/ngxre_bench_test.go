package lua

import (
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host/regex"
	glua "github.com/yuin/gopher-lua"
)

// BenchmarkNgxRe measures ngx.re calls from Lua, binding included: match
// with the compiled-pattern cache and without (lua.regex_cache_max_entries:
// 0), on RE2 and on the backtracking fallback (a look-ahead forces it), and
// gsub over a 4 KiB string; res_table reuses one captures table. Each op is one call; the loop runs in Lua.
func BenchmarkNgxRe(b *testing.B) {
	cached := regex.NewCache(regex.Options{CacheSize: 1024})
	tests := []struct {
		name  string
		cache *regex.Cache
		call  string
	}{
		{"match/cached", cached, `ngx.re.match("/api/v1/users/12345/orders", "^/api/v(\\d+)/users/(?<id>\\d+)", "jo")`},
		{"match/uncached", nil, `ngx.re.match("/api/v1/users/12345/orders", "^/api/v(\\d+)/users/(?<id>\\d+)", "jo")`},
		{"match/re2", cached, `ngx.re.match("/api/v1/users/12345/orders", "users/(\\d+)", "jo")`},
		{"match/backtracking", cached, `ngx.re.match("/api/v1/users/12345/orders", "users/(\\d+)(?=/)", "jo")`},
		{"match/res_table", cached, `ngx.re.match("/api/v1/users/12345/orders", "users/(\\d+)", "jo", nil, res)`},
		{"gsub-4KiB", cached, `ngx.re.gsub(text, "(\\w+)", "<$1>", "jo")`},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			e, err := NewEngine(Options{VMs: 1, Regex: tt.cache, CPULimit: time.Hour}, nil, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			chunk, err := Compile("=bench", `text = string.rep("lorem ipsum dolor sit amet, ", 147):sub(1, 4096) res = {}
for _ = 1, N do `+tt.call+` end`)
			if err != nil {
				b.Fatal(err)
			}
			vm := e.vms[0]
			vm.L.SetGlobal("N", glua.LNumber(b.N))
			b.ResetTimer()
			if err := vm.runContext(abi.PhaseTimer, chunk); err != nil {
				b.Fatal(err)
			}
		})
	}
}
