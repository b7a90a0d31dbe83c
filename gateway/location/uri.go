package location

import (
	"errors"
	"fmt"
)

// stackBufLen is the path length up to which NormalizeURI's slow path works
// in a stack buffer, so that its only allocation is the result string.
const stackBufLen = 512

// NormalizeURI turns the raw request path (without query string) into
// nginx's $uri, the string Router.Match expects:
//   - %XX escapes are decoded, "%2F" included, each exactly once; a
//     malformed escape, or a NUL byte raw or decoded, is an error;
//   - consecutive slashes are merged ("//" -> "/"; nginx's merge_slashes on);
//   - "." segments are removed and ".." segments remove the segment before
//     them; a ".." that would climb above the root is an error;
//   - a trailing slash is kept ("/a/" stays "/a/", "/a/." becomes "/a/").
//
// Decoded bytes take part in the last two steps, as in nginx: "/a%2F..%2Fb"
// is "/b", while "%25" and "%3F" give a literal '%' and '?'. The path must
// start with "/". Any error means the request is bad (nginx answers 400).
// A path that needs none of this (no '%', "//", "/." or NUL) is returned as
// string(raw), one allocation; otherwise the result is the only allocation
// for paths up to 512 bytes.
func NormalizeURI(raw []byte) (string, error) {
	if len(raw) == 0 || raw[0] != '/' {
		return "", errors.New(`uri must start with "/"`)
	}
	if isNormal(raw) {
		return string(raw), nil
	}
	var stack [stackBufLen]byte
	buf := stack[:0]
	if len(raw) > len(stack) {
		buf = make([]byte, 0, len(raw))
	}
	buf, err := percentDecode(buf, raw)
	if err != nil {
		return "", err
	}
	buf, err = resolveSegments(buf)
	if err != nil {
		return "", err
	}
	return string(buf), nil
}

// isNormal reports whether p has nothing to decode, merge or resolve, and no
// NUL byte to reject.
func isNormal(p []byte) bool {
	for i, c := range p {
		switch {
		case c == '%' || c == 0:
			return false
		case c == '/' && i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.'):
			return false
		}
	}
	return true
}

// percentDecode appends src to dst with every %XX escape decoded.
func percentDecode(dst, src []byte) ([]byte, error) {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == 0 {
			return nil, fmt.Errorf("NUL byte at offset %d", i)
		}
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+2 >= len(src) || !isHex(src[i+1]) || !isHex(src[i+2]) {
			end := min(i+3, len(src))
			return nil, fmt.Errorf("malformed percent escape %q at offset %d", src[i:end], i)
		}
		c = unhex(src[i+1])<<4 | unhex(src[i+2])
		if c == 0 {
			return nil, fmt.Errorf("percent escape %q at offset %d decodes to a NUL byte", src[i:i+3], i)
		}
		dst = append(dst, c)
		i += 2
	}
	return dst, nil
}

// resolveSegments merges slashes and resolves "." and ".." segments of p,
// which starts with "/", in place.
func resolveSegments(p []byte) ([]byte, error) {
	w := 1 // p[:w] is the output so far; it ends with '/' between segments
	for r := 1; r <= len(p); {
		end := r
		for end < len(p) && p[end] != '/' {
			end++
		}
		seg := p[r:end]
		switch {
		case len(seg) == 0, len(seg) == 1 && seg[0] == '.':
			// empty segment ("//" or the end) or ".": drop it
		case len(seg) == 2 && seg[0] == '.' && seg[1] == '.':
			if w == 1 {
				return nil, errors.New(`".." climbs above the root`)
			}
			w-- // step back over the '/' ending the previous segment
			for p[w-1] != '/' {
				w--
			}
		default:
			w += copy(p[w:], seg)
			if end < len(p) {
				p[w] = '/'
				w++
			}
		}
		r = end + 1
	}
	return p[:w], nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}
