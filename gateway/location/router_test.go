package location

import (
	"fmt"
	"strings"
	"testing"
)

// routes is the location list shared by the Match table; the comment gives
// each route's index.
var routes = []string{
	"= /",                     // 0
	"/",                       // 1
	"/documents/",             // 2
	"^~ /images/",             // 3
	`~* \.(gif|jpg|jpeg)$`,    // 4
	"= /exact",                // 5
	"/exact",                  // 6
	`~ ^/api/v[0-9]+/`,        // 7
	`~ ^/api/`,                // 8
	"/api/",                   // 9
	"/api/v1/users",           // 10
	"^~ /api/v1/users/static", // 11
	`~ \.php$`,                // 12
}

func TestMatch(t *testing.T) {
	r, err := New(routes)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		uri  string
		want int
	}{
		{"exact root beats prefix root", "/", 0},
		{"plain prefix root", "/index.html", 1},
		{"longest prefix", "/documents/doc.html", 2},
		{"regex beats plain longest prefix", "/documents/a.jpg", 4},
		{"caseless regex", "/documents/A.JPG", 4},
		{"case-sensitive regex does not fold", "/x.PHP", 1},
		{"case-sensitive regex", "/x.php", 12},
		{"prefix stop skips regexes", "/images/a.jpg", 3},
		{"prefix stop alone", "/images/", 3},
		{"exact beats regex and prefix", "/exact", 5},
		{"prefix of same path as exact", "/exact/more", 6},
		{"exact needs equality", "/exactly", 6},
		{"regexes in list order", "/api/v2/x", 7},
		{"second regex when first fails", "/api/x", 8},
		{"regex beats longer plain prefix", "/api/v1/users", 7},
		{"longer prefix stop beats regexes", "/api/v1/users/static/a.php", 11},
		{"shorter prefix stop is not longest", "/images", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := r.Match(tt.uri)
			if !ok || got != tt.want {
				t.Errorf("Match(%q) = %d, %v; want %d (%q)", tt.uri, got, ok, tt.want, routes[tt.want])
			}
		})
	}
}

func TestMatchNone(t *testing.T) {
	tests := []struct {
		name string
		locs []string
		uri  string
	}{
		{"no routes", nil, "/"},
		{"exact only", []string{"= /a"}, "/a/"},
		{"prefix longer than uri", []string{"/abc"}, "/ab"},
		{"prefix sibling", []string{"/abc", "/abd"}, "/abe"},
		{"regex miss", []string{`~ \.php$`, "/x/"}, "/y.html"},
		{"case-sensitive prefix", []string{"/Api/"}, "/api/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.locs)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := r.Match(tt.uri); ok || got != -1 {
				t.Errorf("Match(%q) = %d, %v; want -1, false", tt.uri, got, ok)
			}
		})
	}
}

// TestMatchPrefixTree checks the longest-prefix search against a linear
// scan on overlapping prefixes inserted in every rotation, so that nodes are
// split in different orders.
func TestMatchPrefixTree(t *testing.T) {
	prefixes := []string{"/", "/a", "/ab", "/abc/", "/abd", "/b/c/d", "/b/", "/abc/def", "/x/y"}
	uris := []string{"/", "/a", "/ab", "/abc", "/abc/", "/abc/de", "/abc/def/g", "/abd/e", "/b", "/b/", "/b/c/d/e", "/x", "/x/y", "/z"}
	for rot := range prefixes {
		locs := append(append([]string{}, prefixes[rot:]...), prefixes[:rot]...)
		t.Run(fmt.Sprint("rotation ", rot), func(t *testing.T) {
			r, err := New(locs)
			if err != nil {
				t.Fatal(err)
			}
			for _, uri := range uris {
				want := -1
				for i, p := range locs {
					if strings.HasPrefix(uri, p) && (want < 0 || len(p) > len(locs[want])) {
						want = i
					}
				}
				if got, ok := r.Match(uri); got != want || ok != (want >= 0) {
					t.Errorf("Match(%q) = %d, %v; want %d", uri, got, ok, want)
				}
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		locs    []string
		wantErr string
	}{
		{"bad regex", []string{"/", "/a", "= /b", "~ ("}, `location 3 "~ (": invalid regex "(": missing closing )`},
		{"empty", []string{""}, `location 0 "": empty location`},
		{"duplicate exact", []string{"= /a", "/b", "=/a"}, `location 2 "=/a": duplicate location "/a" (first at location 0)`},
		{"duplicate prefix", []string{"/a", "/a"}, `location 1 "/a": duplicate location "/a" (first at location 0)`},
		{"duplicate prefix and prefix stop", []string{"/a", "^~ /a"}, `location 1 "^~ /a": duplicate location "/a" (first at location 0)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.locs)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("New(%q) error = %v, want %q", tt.locs, err, tt.wantErr)
			}
		})
	}
}

func TestNewAllowsExactAndPrefixOfSamePath(t *testing.T) {
	tests := []struct {
		name string
		locs []string
	}{
		{"exact then prefix", []string{"= /a", "/a"}},
		{"prefix stop then exact", []string{"^~ /a", "= /a"}},
		{"same regex twice", []string{"~ a", "~ a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.locs); err != nil {
				t.Errorf("New(%q): %v", tt.locs, err)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	r, err := New([]string{"= /x", "^~ /static/", "/api/", `~ \.php$`})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		route int
		want  string
	}{
		{0, "/x"}, {1, "/static/"}, {2, "/api/"}, {3, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.route), func(t *testing.T) {
			if got := r.Prefix(tt.route); got != tt.want {
				t.Errorf("Prefix(%d) = %q, want %q", tt.route, got, tt.want)
			}
		})
	}
}

// TestMatchDoesNotAllocate checks the promise Match makes for exact and
// prefix matches. Regex matches are left out: regexp's machine cache is a
// sync.Pool, which the race detector empties at random.
func TestMatchDoesNotAllocate(t *testing.T) {
	tests := []struct {
		name string
		locs []string
		uri  string
	}{
		{"exact", routes, "/exact"},
		{"prefix stop", routes, "/images/a/b/c.jpg"},
		{"prefix", []string{"/", "/api/", "/api/v1/", "= /api/v1"}, "/api/v1/users"},
		{"no match", []string{"/api/", "= /x"}, "/apx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.locs)
			if err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(100, func() { r.Match(tt.uri) }); n != 0 {
				t.Errorf("Match(%q) allocates %v times per call, want 0", tt.uri, n)
			}
		})
	}
}
