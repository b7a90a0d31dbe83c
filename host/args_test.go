package host

import (
	"reflect"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		max       int
		want      []Arg
		truncated bool
	}{
		{name: "empty", query: "", max: 1},
		{name: "shapes", query: "a=1&b&=z&&c=&d=x=y",
			want: []Arg{{"a", "1", true}, {"b", "", false}, {"c", "", true}, {"d", "x=y", true}}},
		{name: "unescaped", query: "a%20b=c+d&e=%zz%4&f=%%41",
			want: []Arg{{"a b", "c d", true}, {"e", "%zz%4", true}, {"f", "%A", true}}},
		{name: "at the limit", query: "a&b", max: 2, want: []Arg{{"a", "", false}, {"b", "", false}}},
		{name: "over the limit", query: "a&b&c", max: 2, want: []Arg{{"a", "", false}, {"b", "", false}}, truncated: true},
		{name: "empty parts count", query: "a&&b", max: 2, want: []Arg{{"a", "", false}, {"b", "", false}}, truncated: true},
		{name: "empty keys do not", query: "=1&a&b&c", max: 2, want: []Arg{{"a", "", false}, {"b", "", false}}, truncated: true},
		{name: "no limit", query: "a&b&c", want: []Arg{{"a", "", false}, {"b", "", false}, {"c", "", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, truncated := ParseArgs(tt.query, tt.max)
			if !reflect.DeepEqual(got, tt.want) || truncated != tt.truncated {
				t.Errorf("ParseArgs(%q, %d) = %v, %v; want %v, %v", tt.query, tt.max, got, truncated, tt.want, tt.truncated)
			}
		})
	}
}

func TestEscapes(t *testing.T) {
	tests := []struct {
		name, in, want string
		escape         func(string) string
	}{
		{name: "arg keeps", in: "aZ09!'()*-._~", want: "aZ09!'()*-._~", escape: EscapeArg},
		{name: "arg escapes", in: "a b/?&=%+é", want: "a%20b%2F%3F%26%3D%25%2B%C3%A9", escape: EscapeArg},
		{name: "query keeps", in: "a=b&c=%41#é", want: "a=b&c=%41#é", escape: EscapeQuery},
		{name: "query escapes", in: "a b\x01\x7f", want: "a%20b%01%7F", escape: EscapeQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.escape(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	tests := []struct{ max, want int }{{-1, DefaultMaxArgs}, {0, 0}, {5, 5}}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			if got := Limit(tt.max); got != tt.want {
				t.Errorf("Limit(%d) = %d, want %d", tt.max, got, tt.want)
			}
		})
	}
}
