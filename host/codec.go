package host

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"
	"strings"
)

// EscapeType is the type argument of ngx.escape_uri: which bytes it
// %XX-encodes. Every type escapes control bytes and space.
type EscapeType int

// The escape types of ngx.escape_uri, numbered as OpenResty numbers them.
const (
	// EscapeTypeURI escapes a URI: "#", "%", "?" and bytes from DEL up.
	EscapeTypeURI EscapeType = iota
	// EscapeTypeArgs escapes as EscapeTypeURI, and "+".
	EscapeTypeArgs
	// EscapeTypeURIComponent, ngx.escape_uri's default, escapes every byte
	// but ALPHA, DIGIT and "!'()*-._~", as OpenResty 0.10.23 does.
	EscapeTypeURIComponent
	// EscapeTypeHTML escapes `"`, "#", "%", "'" and bytes from DEL up.
	EscapeTypeHTML
	// EscapeTypeRefresh escapes `"`, "'" and bytes from DEL up.
	EscapeTypeRefresh
	// EscapeTypeMemcached escapes "%" (but not DEL and up).
	EscapeTypeMemcached
	// EscapeTypeMailAuth escapes as EscapeTypeMemcached.
	EscapeTypeMailAuth
)

// Valid reports whether t is one of the escape types, the range
// ngx.escape_uri accepts.
func (t EscapeType) Valid() bool { return EscapeTypeURI <= t && t <= EscapeTypeMailAuth }

// keeps reports whether escape type t leaves byte c as it is.
func (t EscapeType) keeps(c byte) bool {
	if t == EscapeTypeURIComponent || !t.Valid() {
		return argByte(c)
	}
	if c <= ' ' {
		return false
	}
	var special string
	switch t {
	case EscapeTypeURI:
		special = "#%?"
	case EscapeTypeArgs:
		special = "#%?+"
	case EscapeTypeHTML:
		special = "\"#%'"
	case EscapeTypeRefresh:
		special = "\"'"
	default: // memcached, mail auth
		return c != '%'
	}
	return c < 0x7f && strings.IndexByte(special, c) < 0
}

// EscapeURI is ngx.escape_uri(s, t) (any phase): s with the bytes of
// escape type t written as %XX (upper-case hex). An invalid t escapes as
// EscapeTypeURIComponent; the binding refuses it first.
func EscapeURI(s string, t EscapeType) string { return escape(s, t.keeps) }

// DecodeArgs is ngx.decode_args(s, max) (request phases and timers): the
// arguments of a query string, as ParseArgs splits them, but limited as
// lua-nginx-module's C parser limits them, which differs from
// ngx.req.get_uri_args: with max > 0, only the first max "&"-terminated
// parts are read, empty ones included, and reaching the max-th "&" makes
// the result truncated even when nothing follows it. max <= 0 reads all.
func DecodeArgs(s string, max int) (args []Arg, truncated bool) {
	if max > 0 {
		n, i := 0, 0
		for ; i < len(s) && n < max; i++ {
			if s[i] == '&' {
				n++
			}
		}
		if n == max {
			s, truncated = s[:i-1], true
		}
	}
	args, _ = ParseArgs(s, 0)
	return args, truncated
}

// EncodeBase64 is ngx.encode_base64(s, no_padding) (request phases and
// timers): standard base64, "="-padded when padding is true.
func EncodeBase64(s string, padding bool) string {
	if padding {
		return base64.StdEncoding.EncodeToString([]byte(s))
	}
	return base64.RawStdEncoding.EncodeToString([]byte(s))
}

// EncodeBase64URL is encode_base64url of lua-resty-core's ngx.base64 (any
// phase): the URL-safe alphabet ("-" and "_"), without padding.
func EncodeBase64URL(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeBase64 is ngx.decode_base64(s) (request phases and timers), with
// nginx's leniency: decoding stops at the first "=", whatever follows;
// padding is optional; unused low bits of the last character are ignored.
// ok is false when a byte before the first "=" is not in the standard
// alphabet (whitespace included), or when those bytes cannot form whole
// bytes (their count is 1 more than a multiple of 4).
func DecodeBase64(s string) (decoded string, ok bool) {
	return decodeBase64(s, base64.RawStdEncoding, stdBase64Byte, false)
}

// DecodeBase64URL is decode_base64url of lua-resty-core's ngx.base64 (any
// phase): DecodeBase64 with the URL-safe alphabet.
func DecodeBase64URL(s string) (decoded string, ok bool) {
	return decodeBase64(s, base64.RawURLEncoding, urlBase64Byte, false)
}

// DecodeBase64MIME is ngx.decode_base64mime(s) (request phases and
// timers; lua-nginx-module 0.10.28): DecodeBase64, but bytes outside the
// standard alphabet (line breaks of MIME bodies, any other) are skipped
// rather than refused.
func DecodeBase64MIME(s string) (decoded string, ok bool) {
	return decodeBase64(s, base64.RawStdEncoding, stdBase64Byte, true)
}

// decodeBase64 decodes s up to its first "=" with enc, an unpadded
// encoding whose alphabet is the bytes for which inAlphabet is true. With
// skip, bytes outside the alphabet are dropped; without, they fail.
func decodeBase64(s string, enc *base64.Encoding, inAlphabet func(byte) bool, skip bool) (string, bool) {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	for i := 0; i < len(s); i++ {
		if !inAlphabet(s[i]) {
			if !skip {
				return "", false
			}
			s = dropBytes(s, inAlphabet)
			break
		}
	}
	if len(s)%4 == 1 {
		return "", false
	}
	b, err := enc.DecodeString(s)
	return string(b), err == nil
}

// dropBytes returns the bytes of s for which keep is true.
func dropBytes(s string, keep func(byte) bool) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if keep(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func stdBase64Byte(c byte) bool { return alnum(c) || c == '+' || c == '/' }

func urlBase64Byte(c byte) bool { return alnum(c) || c == '-' || c == '_' }

// MD5Hex is ngx.md5(s) (request phases and timers): the MD5 digest of s
// in lower-case hex.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// MD5Bin is ngx.md5_bin(s) (request phases and timers): the 16-byte MD5
// digest of s.
func MD5Bin(s string) string {
	sum := md5.Sum([]byte(s))
	return string(sum[:])
}

// SHA1Bin is ngx.sha1_bin(s) (request phases and timers): the 20-byte
// SHA-1 digest of s.
func SHA1Bin(s string) string {
	sum := sha1.Sum([]byte(s))
	return string(sum[:])
}

// HMACSHA1 is ngx.hmac_sha1(key, s) (request phases and timers): the
// 20-byte HMAC-SHA1 of s under key.
func HMACSHA1(key, s string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(s))
	return string(m.Sum(nil))
}

// CRC32 is ngx.crc32_short(s) and ngx.crc32_long(s) (request phases and
// timers): the IEEE CRC-32 of s. nginx's two functions are two ways to
// compute the same checksum.
func CRC32(s string) uint32 { return crc32.ChecksumIEEE([]byte(s)) }

// QuoteSQLStr is ngx.quote_sql_str(s) (request phases and timers): s as a
// single-quoted MySQL string literal. NUL, backspace, tab, line feed,
// carriage return, Ctrl-Z (as \Z), quotes and backslash are
// backslash-escaped; other bytes, non-ASCII included, are kept.
func QuoteSQLStr(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b = append(b, '\\', '0')
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case 0x1a:
			b = append(b, '\\', 'Z')
		case '\'', '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '\''))
}
