package proxy

import "testing"

func TestRequestURI(t *testing.T) {
	tests := []struct {
		name, proxyPass              string
		raw, uri, args, prefix, want string
		changed                      bool
	}{
		{
			name: "no uri part: raw uri as the client sent it", proxyPass: "http://b",
			raw: "/a/../b%20c//d?x=1&y", uri: "/b c/d", args: "x=1&y", prefix: "/", want: "/a/../b%20c//d?x=1&y",
		},
		{
			name: "no uri part, uri changed: escaped uri and args", proxyPass: "http://b",
			raw: "/old?x=1", uri: "/new path", args: "a=1", prefix: "/", changed: true, want: "/new%20path?a=1",
		},
		{
			name: "no uri part, uri changed, no args", proxyPass: "http://b",
			raw: "/old?x=1", uri: "/new", prefix: "/", changed: true, want: "/new",
		},
		{
			name: "uri part replaces the location prefix", proxyPass: "http://b/",
			raw: "/api/users", uri: "/api/users", prefix: "/api/", want: "/users",
		},
		{
			name: "uri part with args and escaping", proxyPass: "http://b/v2/",
			raw: "/api/a%20b?q=1", uri: "/api/a b", args: "q=1", prefix: "/api/", want: "/v2/a%20b?q=1",
		},
		{
			name: "prefix without trailing slash keeps the slash", proxyPass: "http://b/",
			raw: "/api/users", uri: "/api/users", prefix: "/api", want: "//users",
		},
		{
			name: "exact location", proxyPass: "http://b/v1",
			raw: "/exact", uri: "/exact", prefix: "/exact", want: "/v1",
		},
		{
			name: "uri part, uri changed: full changed uri", proxyPass: "http://b/v2/",
			raw: "/api/x?a=1", uri: "/rewritten/x", args: "a=2", prefix: "/api/", changed: true, want: "/rewritten/x?a=2",
		},
		{
			name: "prefix not matching (regex location): nothing stripped", proxyPass: "http://b/u",
			raw: "/x", uri: "/x", prefix: "~ ^/y", want: "/u/x",
		},
		{
			name: "nginx uri escaping: space # % ? controls DEL non-ascii", proxyPass: "http://b",
			uri: "/a b#c%d?e\tf\x7fg\xc3\xa9/h", prefix: "/", changed: true, want: "/a%20b%23c%25d%3Fe%09f%7Fg%C3%A9/h",
		},
		{
			name: "nginx uri escaping keeps reserved and unsafe printable bytes", proxyPass: "http://b",
			uri: `/a"<>\^{|}~!$&'()*+,;=:@[]`, prefix: "/", changed: true, want: `/a"<>\^{|}~!$&'()*+,;=:@[]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newTestUpstream(t, tt.proxyPass, Options{})
			if got := u.RequestURI(tt.raw, tt.uri, tt.args, tt.prefix, tt.changed); got != tt.want {
				t.Errorf("RequestURI(%q, %q, %q, %q, %v) = %q, want %q", tt.raw, tt.uri, tt.args, tt.prefix, tt.changed, got, tt.want)
			}
		})
	}
}
