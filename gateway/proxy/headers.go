package proxy

import (
	"bytes"
	"iter"
)

// headerKind is how Forward treats a header by name.
type headerKind uint8

const (
	kindOther         headerKind = iota
	kindHopByHop                 // never forwarded, either way
	kindHost                     // replaced by the upstream's Host
	kindContentLength            // recomputed from the body sent
	kindExpect                   // dropped: the body has been read already
	kindForwardedFor             // merged into X-Forwarded-For when ForwardedHeaders
	kindForwarded                // replaced when ForwardedHeaders
)

// Header names Forward writes.
const (
	hdrConnection      = "Connection"
	hdrXForwardedFor   = "X-Forwarded-For"
	hdrXRealIP         = "X-Real-IP"
	hdrXForwardedProto = "X-Forwarded-Proto"
	hdrXForwardedHost  = "X-Forwarded-Host"
)

// classify returns the kind of the header named name (any letter case).
func classify(name []byte) headerKind {
	switch len(name) {
	case 2:
		return hopIf(foldEqual(name, "te"))
	case 4:
		if foldEqual(name, "host") {
			return kindHost
		}
	case 6:
		if foldEqual(name, "expect") {
			return kindExpect
		}
	case 7:
		return hopIf(foldEqual(name, "upgrade") || foldEqual(name, "trailer"))
	case 9:
		if foldEqual(name, "x-real-ip") {
			return kindForwarded
		}
	case 10:
		return hopIf(foldEqual(name, "connection") || foldEqual(name, "keep-alive"))
	case 14:
		if foldEqual(name, "content-length") {
			return kindContentLength
		}
	case 15:
		if foldEqual(name, "x-forwarded-for") {
			return kindForwardedFor
		}
	case 16:
		if foldEqual(name, "x-forwarded-host") {
			return kindForwarded
		}
	case 17:
		if foldEqual(name, "x-forwarded-proto") {
			return kindForwarded
		}
		return hopIf(foldEqual(name, "transfer-encoding"))
	case 18:
		return hopIf(foldEqual(name, "proxy-authenticate"))
	case 19:
		return hopIf(foldEqual(name, "proxy-authorization"))
	}
	return kindOther
}

// hopIf is kindHopByHop if hop, else kindOther.
func hopIf(hop bool) headerKind {
	if hop {
		return kindHopByHop
	}
	return kindOther
}

// foldEqual reports whether b equals lower, a lower-case ASCII string,
// ignoring the case of b's letters.
func foldEqual(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// listed reports whether name is one of the tokens of the Connection header
// values conn, ignoring case.
func listed(conn [][]byte, name []byte) bool {
	for _, v := range conn {
		for tok := range tokens(v) {
			if bytes.EqualFold(tok, name) {
				return true
			}
		}
	}
	return false
}

// tokens yields the comma-separated, space-trimmed, non-empty elements of a
// header value such as Connection's.
func tokens(v []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for len(v) > 0 {
			tok := v
			if i := bytes.IndexByte(v, ','); i >= 0 {
				tok, v = v[:i], v[i+1:]
			} else {
				v = nil
			}
			if tok = bytes.TrimSpace(tok); len(tok) > 0 && !yield(tok) {
				return
			}
		}
	}
}
