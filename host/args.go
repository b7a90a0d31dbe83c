package host

import (
	"net/url"
	"strings"
)

// Arg is one key of a query string or form body. A key without "=" has
// HasValue false (OpenResty gives it the value true).
type Arg struct {
	Key, Value string
	HasValue   bool
}

// DefaultMaxArgs is OpenResty's default limit for get_uri_args,
// get_post_args and get_headers.
const DefaultMaxArgs = 100

// ParseArgs splits a query string (or an x-www-form-urlencoded body) into
// its arguments, unescaped, in order, as ngx.req.get_uri_args does: "+" is a
// space, malformed escapes are kept as they are, empty keys are skipped.
// max > 0 limits the count; truncated reports that more were present.
func ParseArgs(s string, max int) (args []Arg, truncated bool) {
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, "&")
		if part == "" {
			continue
		}
		if max > 0 && len(args) == max {
			return args, true
		}
		k, v, hasValue := strings.Cut(part, "=")
		if k == "" {
			continue
		}
		args = append(args, Arg{Key: Unescape(k), Value: Unescape(v), HasValue: hasValue})
	}
	return args, false
}

// Unescape decodes %XX escapes and "+" as nginx's ngx_unescape_uri does
// for arguments; a malformed escape is kept literally.
func Unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// EscapeArg escapes an argument key or value as ngx.encode_args does
// (ngx.escape_uri's component escaping: everything but ALPHA, DIGIT and
// "-._~" is %XX-encoded, in upper case).
func EscapeArg(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
