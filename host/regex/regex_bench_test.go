package regex

import (
	"strings"
	"testing"
)

// benchSubject is a request-path-like subject for the match benchmarks.
const benchSubject = "/api/v1/users/12345/orders?limit=10"

// BenchmarkMatch compares a match whose pattern comes from a Cache with
// one that compiles the pattern every time (a nil Cache, or
// lua.regex_cache_max_entries: 0).
func BenchmarkMatch(b *testing.B) {
	const pattern = `^/api/v(\d+)/users/(?<id>\d+)`
	tests := []struct {
		name  string
		cache *Cache
	}{
		{"cached", NewCache(Options{CacheSize: 16})},
		{"uncached", nil},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				re, err := tt.cache.Compile(pattern, "jo")
				if err != nil {
					b.Fatal(err)
				}
				if caps, _ := re.MatchStringAt(benchSubject, 0); caps == nil {
					b.Fatal("no match")
				}
			}
		})
	}
}

// BenchmarkEngine compares RE2 with the backtracking engine on the same
// simple match: the second pattern's harmless look-ahead forces the
// fallback.
func BenchmarkEngine(b *testing.B) {
	tests := []struct{ name, pattern string }{
		{"re2", `users/(\d+)`},
		{"backtracking", `users/(\d+)(?=/)`},
	}
	c := NewCache(Options{CacheSize: 16})
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			re, err := c.Compile(tt.pattern, "")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if caps, _ := re.MatchStringAt(benchSubject, 0); caps == nil {
					b.Fatal("no match")
				}
			}
		})
	}
}

// BenchmarkGsub replaces every word of a 4 KiB text with a template.
func BenchmarkGsub(b *testing.B) {
	subject := strings.Repeat("lorem ipsum dolor sit amet, ", 4096/28+1)[:4096]
	re, err := NewCache(Options{CacheSize: 16}).Compile(`(\w+)`, "")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(subject)))
	b.ReportAllocs()
	for b.Loop() {
		if _, n, err := re.ReplaceString(subject, "<$1>", true); err != nil || n == 0 {
			b.Fatal(n, err)
		}
	}
}
