package host

import "strings"

// Arg is one key of a query string or form body. A key without "=" has
// HasValue false (OpenResty gives it the value true).
type Arg struct {
	Key, Value string
	HasValue   bool
}

// DefaultMaxArgs is OpenResty's default limit for get_uri_args,
// get_post_args and get_headers.
const DefaultMaxArgs = 100

// Limit maps the max argument of get_uri_args, get_post_args and
// get_headers to a count: a negative (or absent) max is DefaultMaxArgs, 0
// is no limit.
func Limit(max int) int {
	if max < 0 {
		return DefaultMaxArgs
	}
	return max
}

// ParseArgs splits a query string (or an x-www-form-urlencoded body) into
// its arguments, unescaped, in order, as ngx.req.get_uri_args does: "+" is
// a space, malformed escapes are kept as they are, arguments with an empty
// key are skipped. max > 0 keeps at most max arguments; truncated reports
// that s has more than max "&"-separated parts, counted as nginx counts
// them (empty parts included), so it may be true although every argument
// was kept.
func ParseArgs(s string, max int) (args []Arg, truncated bool) {
	if max > 0 && s != "" {
		truncated = strings.Count(s, "&") >= max
	}
	for s != "" && (max <= 0 || len(args) < max) {
		var part string
		part, s, _ = strings.Cut(s, "&")
		k, v, hasValue := strings.Cut(part, "=")
		if k == "" {
			continue
		}
		args = append(args, Arg{Key: Unescape(k), Value: Unescape(v), HasValue: hasValue})
	}
	return args, truncated
}

// Unescape decodes "+" as a space and %XX escapes, as ngx.req.get_uri_args
// does for keys and values; a malformed escape is kept literally.
func Unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
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

// upperHex are the digits of a %XX escape.
const upperHex = "0123456789ABCDEF"

// escape returns s with every byte for which keep is false written as %XX.
func escape(s string, keep func(byte) bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; keep(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

// EscapeArg escapes an argument key or value as ngx.encode_args and the
// table form of ngx.req.set_uri_args do: every byte but ALPHA, DIGIT and
// "!'()*-._~" is %XX-encoded.
func EscapeArg(s string) string { return escape(s, argByte) }

func argByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!'()*-._~", c) >= 0
}

// EscapeQuery escapes a query string given whole, as the string form of
// ngx.req.set_uri_args does: only control bytes, space and DEL are
// %XX-encoded, so "&", "=" and existing escapes keep their meaning.
func EscapeQuery(s string) string { return escape(s, queryByte) }

func queryByte(c byte) bool { return c > ' ' && c != 0x7f }
