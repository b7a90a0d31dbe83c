package host

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseHTTPTime feeds ParseHTTPTime any text: it must not panic, and
// a time it accepts in http_time's range must format back to a text it
// parses to the same second.
func FuzzParseHTTPTime(f *testing.F) {
	for _, seed := range []string{
		"Thu, 18 Nov 2010 11:27:35 GMT", "Thursday, 18-Nov-10 11:27:35 GMT", "Thu Nov 18 11:27:35 2010",
		"Wed, 31 Dec 1969 23:59:59 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "", "Thu, 99 Nov 2010 99:99:99 GMT",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sec, ok := ParseHTTPTime(s)
		if !ok || sec < 0 || sec > maxHTTPTime {
			return // nginx's parser takes years before 1970 too; http_time clamps them
		}
		if again, ok := ParseHTTPTime(HTTPTime(sec)); !ok || again != sec {
			t.Fatalf("%q parsed to %d, whose http_time %q parses to %d, %v", s, sec, HTTPTime(sec), again, ok)
		}
	})
}

// FuzzDecodeArgs feeds decode_args any text and limit: it must not panic
// or return more arguments than the limit.
func FuzzDecodeArgs(f *testing.F) {
	for _, seed := range []struct {
		s   string
		max int
	}{{"a=1&b=2", 0}, {"a=1&&b=2", 2}, {"%zz=%&=x&k", 100}, {"&&&&", 1}, {"a+b=c%20d", -1}} {
		f.Add(seed.s, seed.max)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		args, _ := DecodeArgs(s, max)
		if limit := Limit(max); limit > 0 && len(args) > limit {
			t.Fatalf("DecodeArgs(%q, %d) returned %d arguments", s, max, len(args))
		}
	})
}

// FuzzBase64 checks that each base64 flavour decodes what it encodes, and
// that decoding any text does not panic.
func FuzzBase64(f *testing.F) {
	for _, seed := range []string{"", "f", "fo", "foo", "\x00\xff\xfe", "aGVsbG8=", "aGVsbG8", "a b\nc=="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, padding := range []bool{true, false} {
			if got, ok := DecodeBase64(EncodeBase64(s, padding)); !ok || got != s {
				t.Fatalf("decode(encode(%q, %v)) = %q, %v", s, padding, got, ok)
			}
		}
		if got, ok := DecodeBase64URL(EncodeBase64URL(s)); !ok || got != s {
			t.Fatalf("url: decode(encode(%q)) = %q, %v", s, got, ok)
		}
		DecodeBase64(s)
		DecodeBase64URL(s)
		DecodeBase64MIME(s)
		if utf8.ValidString(s) {
			EscapeURI(s, EscapeTypeURIComponent)
		}
	})
}
