package location

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Location
		wantErr string
	}{
		{name: "prefix", in: "/api/", want: Location{Prefix, "/api/"}},
		{name: "root", in: "/", want: Location{Prefix, "/"}},
		{name: "surrounding space", in: "  /a  ", want: Location{Prefix, "/a"}},
		{name: "exact", in: "= /x", want: Location{Exact, "/x"}},
		{name: "exact glued", in: "=/x", want: Location{Exact, "/x"}},
		{name: "exact tab", in: "=\t/x", want: Location{Exact, "/x"}},
		{name: "prefix stop", in: "^~ /static/", want: Location{PrefixStop, "/static/"}},
		{name: "prefix stop many spaces", in: "^~   /s", want: Location{PrefixStop, "/s"}},
		{name: "regex", in: `~ \.php$`, want: Location{Regex, `\.php$`}},
		{name: "regex glued", in: `~\.php$`, want: Location{Regex, `\.php$`}},
		{name: "regex caseless", in: `~* \.(png|jpg)$`, want: Location{RegexCaseless, `\.(png|jpg)$`}},
		{name: "regex caseless glued", in: `~*\.png$`, want: Location{RegexCaseless, `\.png$`}},
		{name: "regex with inner space", in: `~ ^/a b$`, want: Location{Regex, `^/a b$`}},
		{name: "empty", in: "", wantErr: "empty location"},
		{name: "blank", in: "   ", wantErr: "empty location"},
		{name: "relative prefix", in: "api", wantErr: `prefix location must start with "/": "api"`},
		{name: "relative exact", in: "= x", wantErr: `exact location must start with "/": "x"`},
		{name: "prefix stop glued", in: "^~/x", want: Location{Modifier: PrefixStop, Pattern: "/x"}},
		{name: "prefix stop relative", in: "^~ x", wantErr: `prefix location must start with "/": "x"`},
		{name: "exact without path", in: "=", wantErr: `missing pattern after "="`},
		{name: "prefix stop without path", in: "^~ ", wantErr: `missing pattern after "^~"`},
		{name: "regex without pattern", in: "~", wantErr: `missing pattern after "~"`},
		{name: "caseless without pattern", in: "~*  ", wantErr: `missing pattern after "~*"`},
		{name: "named", in: "@fallback", wantErr: `named location "@fallback" is not supported`},
		{name: "bad regex", in: "~ (", wantErr: `invalid regex "(": missing closing )`},
		{name: "bad caseless regex", in: "~* (", wantErr: `invalid regex "(": missing closing )`},
		{name: "bad range", in: "~ [z-a]", wantErr: `invalid regex "[z-a]": invalid character class range "z-a"`},
		{name: "lookahead", in: "~ a(?=b)", wantErr: `invalid regex "a(?=b)": invalid or unsupported Perl syntax "(?=" (PCRE-only syntax; location regexes use Go RE2 syntax)`},
		{name: "backreference", in: `~ (a)\1`, wantErr: `invalid regex "(a)\\1": invalid escape sequence "\\1" (PCRE-only syntax; location regexes use Go RE2 syntax)`},
		{name: "possessive", in: `~ a*+`, wantErr: `invalid regex "a*+": invalid nested repetition operator "*+" (PCRE-only syntax; location regexes use Go RE2 syntax)`},
		{name: "double star", in: `~ a**`, wantErr: `invalid regex "a**": invalid nested repetition operator "**"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Parse(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestModifierString(t *testing.T) {
	tests := []struct {
		m    Modifier
		want string
	}{
		{Prefix, ""}, {Exact, "="}, {PrefixStop, "^~"}, {Regex, "~"}, {RegexCaseless, "~*"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.m.String(); got != tt.want {
				t.Errorf("Modifier(%d).String() = %q, want %q", int(tt.m), got, tt.want)
			}
		})
	}
}
