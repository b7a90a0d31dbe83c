package location

import (
	"fmt"
	"testing"
)

// benchRoutes is a gateway-sized route list: many prefix and exact
// locations, and the given regex locations.
func benchRoutes(regexes ...string) []string {
	locs := append([]string{"/", "^~ /static/"}, regexes...)
	for i := range 200 {
		locs = append(locs, fmt.Sprintf("/api/v%d/service%d/", i%5, i), fmt.Sprintf("= /health/%d", i))
	}
	return locs
}

func BenchmarkMatch(b *testing.B) {
	mixed, err := New(benchRoutes(`~* \.(png|jpg|css|js)$`, `~ ^/legacy/.*\.php$`))
	if err != nil {
		b.Fatal(err)
	}
	literal, err := New(benchRoutes())
	if err != nil {
		b.Fatal(err)
	}
	benchmarks := []struct {
		name string
		r    *Router
		uri  string
	}{
		{"exact", mixed, "/health/150"},
		{"prefix stop", mixed, "/static/css/site.css"},
		{"prefix without regexes", literal, "/api/v3/service123/users/42"},
		{"root prefix without regexes", literal, "/nothing/here"},
		{"prefix after regex misses", mixed, "/api/v3/service123/users/42"},
		{"regex", mixed, "/img/logo.PNG"},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bm.r.Match(bm.uri)
			}
		})
	}
}

func BenchmarkNormalizeURI(b *testing.B) {
	benchmarks := []struct {
		name string
		raw  string
	}{
		{"fast path", "/api/v3/service123/users/42"},
		{"decode", "/api/v3/service%20123/users/42"},
		{"dots and slashes", "/api//v3/./service123/../users/42/"},
	}
	for _, bm := range benchmarks {
		raw := []byte(bm.raw)
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NormalizeURI(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
