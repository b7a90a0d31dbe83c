package location

import (
	"strings"
	"testing"
)

func TestNormalizeURI(t *testing.T) {
	long := "/" + strings.Repeat("a", stackBufLen) + "/../b%20c"
	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr string
	}{
		{name: "root", raw: "/", want: "/"},
		{name: "plain", raw: "/a/b.html", want: "/a/b.html"},
		{name: "trailing slash kept", raw: "/a/b/", want: "/a/b/"},
		{name: "dot inside name", raw: "/a.b/.c/..d/...", want: "/a.b/.c/..d/..."},
		{name: "decode", raw: "/a%20b", want: "/a b"},
		{name: "decode lower and upper hex", raw: "/%7e%7E", want: "/~~"},
		{name: "decoded percent is literal", raw: "/%2541", want: "/%41"},
		{name: "decoded query mark is literal", raw: "/a%3Fb", want: "/a?b"},
		{name: "decoded plus", raw: "/a%2Bb+c", want: "/a+b+c"},
		{name: "decoded slash", raw: "/a%2Fb", want: "/a/b"},
		{name: "decoded slashes merge", raw: "/a%2F%2f/b", want: "/a/b"},
		{name: "utf-8 bytes", raw: "/caf%C3%A9", want: "/café"},
		{name: "merge slashes", raw: "//a///b//", want: "/a/b/"},
		{name: "only slashes", raw: "///", want: "/"},
		{name: "dot segment", raw: "/a/./b", want: "/a/b"},
		{name: "leading dot", raw: "/./a", want: "/a"},
		{name: "trailing dot", raw: "/a/.", want: "/a/"},
		{name: "only dot", raw: "/.", want: "/"},
		{name: "dot dot", raw: "/a/b/../c", want: "/a/c"},
		{name: "trailing dot dot", raw: "/a/b/..", want: "/a/"},
		{name: "dot dot to root", raw: "/a/..", want: "/"},
		{name: "dot dot after slashes", raw: "/a//b//..//c", want: "/a/c"},
		{name: "several dot dots", raw: "/a/b/c/../../d/", want: "/a/d/"},
		{name: "encoded dot dot", raw: "/a/%2e%2E/b", want: "/b"},
		{name: "encoded slash and dot dot", raw: "/a/b%2F..%2Fc", want: "/a/c"},
		{name: "long path off the stack", raw: long, want: "/b c"},
		{name: "empty", raw: "", wantErr: `uri must start with "/"`},
		{name: "relative", raw: "a/b", wantErr: `uri must start with "/"`},
		{name: "encoded leading slash", raw: "%2Fa", wantErr: `uri must start with "/"`},
		{name: "climb from root", raw: "/..", wantErr: `".." climbs above the root`},
		{name: "climb later", raw: "/a/../../b", wantErr: `".." climbs above the root`},
		{name: "climb encoded", raw: "/%2E%2E/etc/passwd", wantErr: `".." climbs above the root`},
		{name: "climb after slashes", raw: "//..", wantErr: `".." climbs above the root`},
		{name: "bad hex", raw: "/a%zzb", wantErr: `malformed percent escape "%zz" at offset 2`},
		{name: "bad second hex", raw: "/a%4g", wantErr: `malformed percent escape "%4g" at offset 2`},
		{name: "truncated escape", raw: "/a%4", wantErr: `malformed percent escape "%4" at offset 2`},
		{name: "lone percent", raw: "/a%", wantErr: `malformed percent escape "%" at offset 2`},
		{name: "raw NUL", raw: "/a\x00b", wantErr: `NUL byte at offset 2`},
		{name: "NUL", raw: "/a%00b", wantErr: `percent escape "%00" at offset 2 decodes to a NUL byte`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeURI([]byte(tt.raw))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("NormalizeURI(%q) = %q, %v; want error %q", tt.raw, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NormalizeURI(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
			}
		})
	}
}

func TestNormalizeURIAllocs(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{"fast path", "/api/v1/users/42"},
		{"slow path", "/api//v1/./users/%34%32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.raw)
			n := testing.AllocsPerRun(100, func() {
				if _, err := NormalizeURI(raw); err != nil {
					t.Fatal(err)
				}
			})
			if n > 1 {
				t.Errorf("NormalizeURI(%q) allocates %v times per call, want at most 1", tt.raw, n)
			}
		})
	}
}

// FuzzNormalizeURI checks that NormalizeURI never panics and that what it
// returns is a normalised path.
func FuzzNormalizeURI(f *testing.F) {
	for _, seed := range []string{"/", "/a//b/../c/./", "/%2e%2E/x", "/a%2F..%2F..%2Fb"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := NormalizeURI(raw)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "/") {
			t.Fatalf("NormalizeURI(%q) = %q, does not start with /", raw, got)
		}
		for _, bad := range []string{"//", "/./", "/../"} {
			if strings.Contains(got, bad) {
				t.Fatalf("NormalizeURI(%q) = %q, contains %q", raw, got, bad)
			}
		}
		if strings.HasSuffix(got, "/.") || strings.HasSuffix(got, "/..") {
			t.Fatalf("NormalizeURI(%q) = %q, ends with a dot segment", raw, got)
		}
		if again, err := NormalizeURI([]byte(strings.ReplaceAll(got, "%", "%25"))); err != nil || again != got {
			t.Fatalf("NormalizeURI(%q) = %q, but normalising it again gives %q, %v", raw, got, again, err)
		}
	})
}
