package proxy

import "strings"

// RequestURI computes the URI sent upstream, following nginx's proxy_pass
// rule:
//   - proxy_pass without a URI part, URI unchanged: the client's request URI
//     is passed as is (rawRequestURI: the original, un-normalised path and
//     query as the client sent it);
//   - proxy_pass with a URI part, URI unchanged: the part of the normalised
//     uri that matched the location prefix (locationPrefix) is replaced by
//     the proxy_pass URI, the rest is escaped, and "?"+args is appended when
//     args is not empty;
//   - URI changed by a script (uriChanged; the gateway should also set it
//     when only the args were changed, as ngx.req.set_uri_args makes nginx
//     drop the unparsed URI): the full changed uri is escaped and "?"+args
//     appended, whether or not proxy_pass has a URI part (as nginx does after
//     "rewrite ... break").
//
// Escaping follows nginx's escaping of a URI for the upstream: space, '#',
// '%', '?', control bytes, DEL and non-ASCII bytes are percent-encoded, '/'
// is kept. If uri does not start with locationPrefix (a regex location,
// where nginx refuses a proxy_pass URI part), nothing is stripped.
func (u *Upstream) RequestURI(rawRequestURI, uri, args, locationPrefix string, uriChanged bool) string {
	switch {
	case uriChanged:
		return joinURI("", uri, args)
	case !u.hasURI:
		return rawRequestURI
	default:
		return joinURI(u.uri, strings.TrimPrefix(uri, locationPrefix), args)
	}
}

// joinURI returns prefix, then path escaped, then "?"+args if args != "".
func joinURI(prefix, path, args string) string {
	n := len(prefix) + len(path)
	for i := 0; i < len(path); i++ {
		if mustEscape(path[i]) {
			n += 2
		}
	}
	if args != "" {
		n += 1 + len(args)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for i := 0; i < len(path); i++ {
		c := path[i]
		if !mustEscape(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&0xf])
	}
	if args != "" {
		b.WriteByte('?')
		b.WriteString(args)
	}
	return b.String()
}

// upperHex are the digits of a percent escape.
const upperHex = "0123456789ABCDEF"

// mustEscape reports whether c is escaped in a path sent upstream.
func mustEscape(c byte) bool {
	return c <= ' ' || c >= 0x7f || c == '#' || c == '%' || c == '?'
}
