package host

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

// escapedBytes are the bytes each escape type escapes, as OpenResty 0.10.23
// escapes them (checked byte by byte on the reference nginx).
var escapedBytes = map[EscapeType]string{
	EscapeTypeURI:          ctl + " #%?" + high,
	EscapeTypeArgs:         ctl + " #%+?" + high,
	EscapeTypeURIComponent: ctl + " \"#$%&+,/:;<=>?@[\\]^`{|}" + high,
	EscapeTypeHTML:         ctl + " \"#%'" + high,
	EscapeTypeRefresh:      ctl + " \"'" + high,
	EscapeTypeMemcached:    ctl + " %",
	EscapeTypeMailAuth:     ctl + " %",
}

const ctl = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"

// high is DEL and every byte above it.
var high = func() string {
	var b []byte
	for c := 0x7f; c <= 0xff; c++ {
		b = append(b, byte(c))
	}
	return string(b)
}()

func TestEscapeURIBytes(t *testing.T) {
	for typ, escaped := range escapedBytes {
		t.Run(string(rune('0'+typ)), func(t *testing.T) {
			for c := 0; c < 256; c++ {
				in := string([]byte{byte(c)})
				want := in
				if strings.Contains(escaped, in) {
					want = "%" + strings.ToUpper(hex.EncodeToString([]byte(in)))
				}
				if got := EscapeURI(in, typ); got != want {
					t.Errorf("EscapeURI(%q, %d) = %q, want %q", in, typ, got, want)
				}
			}
		})
	}
}

func TestEscapeURI(t *testing.T) {
	tests := []struct {
		in   string
		typ  EscapeType
		want string
	}{
		{"", EscapeTypeURIComponent, ""},
		{"abc-_.~!'()*", EscapeTypeURIComponent, "abc-_.~!'()*"},
		{"a b/c?d=é", EscapeTypeURIComponent, "a%20b%2Fc%3Fd%3D%C3%A9"},
		{" /?&=+:@!$'()*,;~é-_.", EscapeTypeURI, "%20/%3F&=+:@!$'()*,;~%C3%A9-_."},
		{"a+b", EscapeTypeArgs, "a%2Bb"},
		{"a b", EscapeType(9), "a%20b"}, // invalid: as the component type
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := EscapeURI(tt.in, tt.typ); got != tt.want {
				t.Errorf("EscapeURI(%q, %d) = %q, want %q", tt.in, tt.typ, got, tt.want)
			}
		})
	}
}

func TestEscapeTypeValid(t *testing.T) {
	for typ := EscapeType(-1); typ <= 7; typ++ {
		if want := typ >= 0 && typ <= 6; typ.Valid() != want {
			t.Errorf("EscapeType(%d).Valid() = %v", typ, !want)
		}
	}
}

func TestDecodeArgs(t *testing.T) {
	hundredOne := strings.Repeat("a&", 100) + "b"
	tests := []struct {
		name, query string
		max         int
		want        []Arg
		truncated   bool
	}{
		{name: "shapes", query: "a=1&b&c=&=x&d=%41+b&e=x=y",
			want: []Arg{{"a", "1", true}, {"b", "", false}, {"c", "", true}, {"d", "A b", true}, {"e", "x=y", true}}},
		{name: "under the limit", query: "a=1&b=2", max: 2, want: []Arg{{"a", "1", true}, {"b", "2", true}}},
		{name: "over the limit", query: "a=1&b=2&c=3", max: 2, want: []Arg{{"a", "1", true}, {"b", "2", true}}, truncated: true},
		{name: "empty parts count", query: "a=1&&b=2", max: 2, want: []Arg{{"a", "1", true}}, truncated: true},
		{name: "empty keys count", query: "=1&a=2&b=3", max: 2, want: []Arg{{"a", "2", true}}, truncated: true},
		{name: "trailing &", query: "a=1&b=2&", max: 2, want: []Arg{{"a", "1", true}, {"b", "2", true}}, truncated: true},
		{name: "only &", query: "&&&", max: 3, truncated: true},
		{name: "max 1", query: "&a", max: 1, truncated: true},
		{name: "unlimited", query: hundredOne, max: 0, want: append(repeatArg(Arg{"a", "", false}, 100), Arg{"b", "", false})},
		{name: "negative is unlimited", query: "a&b&c", max: -1,
			want: []Arg{{"a", "", false}, {"b", "", false}, {"c", "", false}}},
		{name: "default limit", query: hundredOne, max: DefaultMaxArgs, want: repeatArg(Arg{"a", "", false}, 100), truncated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, truncated := DecodeArgs(tt.query, tt.max)
			if !reflect.DeepEqual(got, tt.want) || truncated != tt.truncated {
				t.Errorf("DecodeArgs(%.30q, %d) = %v, %v; want %v, %v", tt.query, tt.max, got, truncated, tt.want, tt.truncated)
			}
		})
	}
}

func repeatArg(a Arg, n int) []Arg {
	args := make([]Arg, n)
	for i := range args {
		args[i] = a
	}
	return args
}

func TestBase64(t *testing.T) {
	tests := []struct {
		name, in string
		padding  bool
		want     string
		wantURL  string // EncodeBase64URL
	}{
		{name: "empty", in: "", padding: true, want: "", wantURL: ""},
		{name: "one byte", in: "a", padding: true, want: "YQ==", wantURL: "YQ"},
		{name: "two bytes", in: "ab", padding: true, want: "YWI=", wantURL: "YWI"},
		{name: "three bytes", in: "abc", padding: true, want: "YWJj", wantURL: "YWJj"},
		{name: "no padding", in: "a", want: "YQ", wantURL: "YQ"},
		{name: "url alphabet", in: "\xff\xef\xfe", padding: true, want: "/+/+", wantURL: "_-_-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EncodeBase64(tt.in, tt.padding); got != tt.want {
				t.Errorf("EncodeBase64(%q, %v) = %q, want %q", tt.in, tt.padding, got, tt.want)
			}
			if got := EncodeBase64URL(tt.in); got != tt.wantURL {
				t.Errorf("EncodeBase64URL(%q) = %q, want %q", tt.in, got, tt.wantURL)
			}
			if got, ok := DecodeBase64(tt.want); !ok || got != tt.in {
				t.Errorf("DecodeBase64(%q) = %q, %v", tt.want, got, ok)
			}
			if got, ok := DecodeBase64URL(tt.wantURL); !ok || got != tt.in {
				t.Errorf("DecodeBase64URL(%q) = %q, %v", tt.wantURL, got, ok)
			}
		})
	}
}

// decodeCase is an input and what each decoder gives for it: "!" when it
// refuses the input.
type decodeCase struct {
	name, in       string
	std, mime, url string
}

func TestDecodeBase64(t *testing.T) {
	long := strings.Repeat("YWJj", 10000)
	tests := []decodeCase{
		{name: "empty", in: "", std: "", mime: "", url: ""},
		{name: "padded", in: "YQ==", std: "a", mime: "a", url: "a"},
		{name: "short padding", in: "YQ=", std: "a", mime: "a", url: "a"},
		{name: "no padding", in: "YWI", std: "ab", mime: "ab", url: "ab"},
		{name: "only padding", in: "====", std: "", mime: "", url: ""},
		{name: "stops at =", in: "YWI=YWI=", std: "ab", mime: "ab", url: "ab"},
		{name: "junk after =", in: "YQ=a!", std: "a", mime: "a", url: "a"},
		{name: "loose low bits", in: "YR==", std: "a", mime: "a", url: "a"},
		{name: "one char", in: "Y", std: "!", mime: "!", url: "!"},
		{name: "five chars", in: "YWJjZ", std: "!", mime: "!", url: "!"},
		{name: "one char and padding", in: "Y===", std: "!", mime: "!", url: "!"},
		{name: "newline", in: "YW\nJj", std: "!", mime: "abc", url: "!"},
		{name: "space", in: "YW Jj", std: "!", mime: "abc", url: "!"},
		{name: "trailing newline", in: "YWJj\n", std: "!", mime: "abc", url: "!"},
		{name: "std alphabet", in: "/+8=", std: "\xff\xef", mime: "\xff\xef", url: "!"},
		{name: "url alphabet", in: "_-8", std: "!", mime: "!", url: "\xff\xef"},
		{name: "mime skips url chars", in: "Y-W_Jj", std: "!", mime: "abc", url: "c\xe5\xbf&"},
		{name: "mime only junk", in: "^&$", std: "!", mime: "", url: "!"},
		{name: "mime junk leaves one char", in: "zaaLg==", std: "!", mime: "!", url: "!"},
		{name: "long", in: long, std: strings.Repeat("abc", 10000), mime: strings.Repeat("abc", 10000), url: strings.Repeat("abc", 10000)},
	}
	decoders := []struct {
		name string
		f    func(string) (string, bool)
		want func(decodeCase) string
	}{
		{"DecodeBase64", DecodeBase64, func(c decodeCase) string { return c.std }},
		{"DecodeBase64MIME", DecodeBase64MIME, func(c decodeCase) string { return c.mime }},
		{"DecodeBase64URL", DecodeBase64URL, func(c decodeCase) string { return c.url }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range decoders {
				got, ok := d.f(tt.in)
				if !ok {
					got = "!"
				}
				if want := d.want(tt); got != want {
					t.Errorf("%s(%.20q) = %.20q, want %.20q", d.name, tt.in, got, want)
				}
			}
		})
	}
}

func TestDigests(t *testing.T) {
	tests := []struct {
		in              string
		md5, sha1, hmac string // hex; hmac under the key "key"
		crc             uint32
	}{
		{in: "", md5: "d41d8cd98f00b204e9800998ecf8427e", sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
			hmac: "f42bb0eeb018ebbd4597ae7213711ec60760843f", crc: 0},
		{in: "hello", md5: "5d41402abc4b2a76b9719d911017c592", sha1: "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
			hmac: "b34ceac4516ff23a143e61d79d0fa7a4fbe5f266", crc: 907060870},
		{in: "The quick brown fox jumps over the lazy dog", md5: "9e107d9d372bb6826bd81d3542a419d6",
			sha1: "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", hmac: "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9", crc: 0x414fa339},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MD5Hex(tt.in); got != tt.md5 {
				t.Errorf("MD5Hex = %s, want %s", got, tt.md5)
			}
			if got := hex.EncodeToString([]byte(MD5Bin(tt.in))); got != tt.md5 {
				t.Errorf("MD5Bin = %s, want %s", got, tt.md5)
			}
			if got := hex.EncodeToString([]byte(SHA1Bin(tt.in))); got != tt.sha1 {
				t.Errorf("SHA1Bin = %s, want %s", got, tt.sha1)
			}
			if got := hex.EncodeToString([]byte(HMACSHA1("key", tt.in))); got != tt.hmac {
				t.Errorf("HMACSHA1 = %s, want %s", got, tt.hmac)
			}
			if got := CRC32(tt.in); got != tt.crc {
				t.Errorf("CRC32 = %d, want %d", got, tt.crc)
			}
		})
	}
}

func TestQuoteSQLStr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"abc", "'abc'"},
		{"a'b\"c\\d", `'a\'b\"c\\d'`},
		{"\x00\b\t\n\r\x1a", `'\0\b\t\n\r\Z'`},
		{"é\x7f\x01", "'é\x7f\x01'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := QuoteSQLStr(tt.in); got != tt.want {
				t.Errorf("QuoteSQLStr(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
