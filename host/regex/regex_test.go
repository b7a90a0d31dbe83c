package regex

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// groups returns the matched texts of caps ("<nil>" for a group that did
// not take part), or nil when caps is nil.
func groups(subject string, caps []int) []string {
	if caps == nil {
		return nil
	}
	out := make([]string, len(caps)/2)
	for i := range out {
		if caps[2*i] < 0 {
			out[i] = "<nil>"
		} else {
			out[i] = subject[caps[2*i]:caps[2*i+1]]
		}
	}
	return out
}

func TestMatchAt(t *testing.T) {
	tests := []struct {
		name, pattern, flags, subject string
		start                         int
		want                          []string
		backtrack                     bool
	}{
		{name: "plain", pattern: "b+", subject: "abbc", want: []string{"bb"}},
		{name: "no match", pattern: "x", subject: "abc"},
		{name: "groups", pattern: `(\w+) (\w+)(x)?`, subject: "hello world", want: []string{"hello world", "hello", "world", "<nil>"}},
		{name: "caseless", pattern: "b", flags: "i", subject: "ABC", want: []string{"B"}},
		{name: "dotall", pattern: "a.b", flags: "s", subject: "a\nb", want: []string{"a\nb"}},
		{name: "no dotall", pattern: "a.b", subject: "a\nb"},
		{name: "multiline", pattern: "^b", flags: "m", subject: "a\nb", want: []string{"b"}},
		{name: "extended", pattern: " b # comment\n c", flags: "x", subject: "abc", want: []string{"bc"}},
		{name: "extended class", pattern: "[ ]b", flags: "x", subject: "a b", want: []string{" b"}},
		{name: "extended escape", pattern: `a\ b`, flags: "x", subject: "a b", want: []string{"a b"}},
		{name: "accepted flags", pattern: "a", flags: "ojdDJuU", subject: "a", want: []string{"a"}},
		{name: "start", pattern: "a.", subject: "abab", start: 1, want: []string{"ab"}},
		{name: "start past end", pattern: "", subject: "ab", start: 3},
		{name: "start at end", pattern: "", subject: "ab", start: 2, want: []string{""}},
		{name: "negative start", pattern: "a", subject: "ab", start: -4, want: []string{"a"}},
		{name: "anchored", pattern: "b", flags: "a", subject: "ab"},
		{name: "anchored at start", pattern: "b", flags: "a", subject: "ab", start: 1, want: []string{"b"}},
		{name: "caret after start", pattern: "^b", subject: "ab", start: 1},
		{name: "caret multiline after start", pattern: "^b", flags: "m", subject: "a\nb", start: 1, want: []string{"b"}},
		{name: "word boundary after start", pattern: `\bb`, subject: "ab b", start: 1, want: []string{"b"}},
		{name: "no word boundary after start", pattern: `\Bb`, subject: "ab", start: 1, want: []string{"b"}},
		{name: "boundary after multibyte", pattern: `\b\w`, subject: "é x", start: 2, want: []string{"x"}},
		{name: "dollar before final newline", pattern: "a$", subject: "a\n", want: []string{"a"}},
		{name: "dollar not before inner newline", pattern: "a$", subject: "a\nb"},
		{name: "backslash z", pattern: `a\z`, subject: "a\n"},
		{name: "dollar in group", pattern: `(a$)(x)?`, subject: "a\n", want: []string{"a", "a", "<nil>"}},
		{name: "dollars in branches", pattern: `(?:b$|a$)`, subject: "a\n", want: []string{"a"}},
		{name: "dollar alone", pattern: `$`, subject: "ab\n", want: []string{""}},
		{name: "dollar after start", pattern: `b$`, subject: "ab\n", start: 1, want: []string{"b"}},
		{name: "dollar anchored", pattern: `(b)$`, flags: "a", subject: "ab\n", start: 1, want: []string{"b", "b"}},
		{name: "dollar named", pattern: `(?<n>\w+)$`, flags: "i", subject: "ab\n", want: []string{"ab", "ab"}},
		{name: "backreference", pattern: `(abc)\1`, subject: "abcabc", want: []string{"abcabc", "abc"}, backtrack: true},
		{name: "lookahead", pattern: "foo(?=bar)", subject: "foobar", want: []string{"foo"}, backtrack: true},
		{name: "lookbehind", pattern: "(?<=a)b", subject: "ab", want: []string{"b"}, backtrack: true},
		{name: "possessive", pattern: "a++b", subject: "aab", want: []string{"aab"}, backtrack: true},
		{name: "atomic", pattern: "(?>a+)b", subject: "aab", want: []string{"aab"}, backtrack: true},
		{name: "backtrack named", pattern: `(?<w>\w)(\w)\1`, subject: "xyx", want: []string{"xyx", "x", "y"}, backtrack: true},
		{name: "backtrack start", pattern: `(a)\1`, subject: "aaaa", start: 1, want: []string{"aa", "a"}, backtrack: true},
		{name: "backtrack anchored", pattern: `(a)\1`, flags: "a", subject: "baa", backtrack: true},
		{name: "backtrack anchored at start", pattern: `(a)\1`, flags: "a", subject: "baa", start: 1, want: []string{"aa", "a"}, backtrack: true},
		{name: "backtrack caseless", pattern: `(a)\1`, flags: "i", subject: "aA", want: []string{"aA", "a"}, backtrack: true},
		{name: "backtrack multibyte", pattern: `(é)\1`, subject: "xéé", want: []string{"éé", "é"}, backtrack: true},
		{name: "backtrack extended", pattern: "(a) \\1 # c", flags: "xa", subject: "aa", want: []string{"aa", "a"}, backtrack: true},
		{name: "utf8", pattern: ".", subject: "中文", want: []string{"中"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re, err := (*Cache)(nil).Compile(tt.pattern, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if re.Backtracking() != tt.backtrack {
				t.Errorf("Backtracking() = %v", re.Backtracking())
			}
			caps, err := re.MatchStringAt(tt.subject, tt.start)
			if err != nil {
				t.Fatal(err)
			}
			if got := groups(tt.subject, caps); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MatchStringAt = %q, want %q", got, tt.want)
			}
			bcaps, err := re.MatchAt([]byte(tt.subject), tt.start)
			if err != nil || !reflect.DeepEqual(bcaps, caps) {
				t.Errorf("MatchAt = %v, %v; MatchStringAt %v", bcaps, err, caps)
			}
		})
	}
}

func TestGroupNames(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"a", []string{""}},
		{`(?<w>\w+) (\w+)`, []string{"", "w", ""}},
		{`(?P<a>x)(?:y)(z)`, []string{"", "a", ""}},
		{`(?<a>x)(y)\1`, []string{"", "a", ""}},
		{`(x)(?<b>y)(?=z)`, []string{"", "", "b"}},
		{`(?<a>x$)|(y)$`, []string{"", "a", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			re, err := (*Cache)(nil).Compile(tt.pattern, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := re.GroupNames(); !reflect.DeepEqual(got, tt.want) || re.NumGroups() != len(tt.want)-1 {
				t.Errorf("GroupNames() = %q, NumGroups() = %d, want %q", got, re.NumGroups(), tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		pattern, flags, want string
		flagErr              bool
	}{
		{pattern: "a", flags: "z", want: `unknown flag "z" (flags "z")`, flagErr: true},
		{pattern: "a", flags: "iz", want: `unknown flag "z" (flags "iz")`, flagErr: true},
		{pattern: "(", want: "failed to compile regex \"(\": missing closing ): `(`"},
		{pattern: "x{2,1}", want: "failed to compile regex \"x{2,1}\": invalid repeat count: `{2,1}`"},
		{pattern: `\`, want: "failed to compile regex \"\\\\\": trailing backslash at end of expression: ``"},
		{pattern: "a**", want: "failed to compile regex \"a**\": invalid nested repetition operator: `**`"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.flags, func(t *testing.T) {
			_, err := NewCache(Options{CacheSize: 4}).Compile(tt.pattern, tt.flags)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			var fe *FlagError
			if errors.As(err, &fe) != tt.flagErr {
				t.Errorf("FlagError: %v, want %v", errors.As(err, &fe), tt.flagErr)
			}
		})
	}
}

func TestIter(t *testing.T) {
	tests := []struct {
		pattern, subject string
		want             []string
	}{
		{"", "abc", []string{"", "", "", ""}},
		{`\d*`, "a1b22c", []string{"", "1", "", "22", "", ""}},
		{`\w+`, "hello world", []string{"hello", "world"}},
		{"x", "abc", nil},
		{"^a", "aaa", []string{"a"}},
		{`\ba`, "a a aa", []string{"a", "a", "a"}},
		{`(a)\1`, "aaaaa", []string{"aa", "aa"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.subject, func(t *testing.T) {
			re, err := (*Cache)(nil).Compile(tt.pattern, "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			it := re.Iter(tt.subject)
			for {
				caps, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				if caps == nil {
					break
				}
				got = append(got, tt.subject[caps[0]:caps[1]])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("matches %q, want %q", got, tt.want)
			}
			if caps, _ := it.Next(); caps != nil {
				t.Errorf("Next after the end = %v", caps)
			}
		})
	}
}

func TestReplace(t *testing.T) {
	tests := []struct {
		subject, pattern, flags, template string
		global                            bool
		want                              string
		n                                 int
		err                               error
	}{
		{subject: "abc", pattern: "", template: "-", global: true, want: "-a-b-c-", n: 4},
		{subject: "abc", pattern: "", template: "-", want: "-abc", n: 1},
		{subject: "abc", pattern: "b*", template: "-", global: true, want: "-a--c-", n: 4},
		{subject: "abc", pattern: "x", template: "-", global: true, want: "abc"},
		{subject: "hello world", pattern: "(o)", template: "[$1$$${1}$0]", global: true, want: "hell[o$oo] w[o$oo]rld", n: 2},
		{subject: "hello", pattern: "l", template: "$2", global: true, want: "heo", n: 2},
		{subject: "hello", pattern: "l", template: "$10", global: true, want: "heo", n: 2},
		{subject: "hello", pattern: "l", template: "${0}", global: true, want: "hello", n: 2},
		{subject: "hello", pattern: "(l)(x)?", template: "<$2>", global: true, want: "he<><>o", n: 2},
		{subject: "hello", pattern: "(l)", template: "$1a", global: true, want: "helalao", n: 2},
		{subject: "hello", pattern: "l", template: `\`, global: true, want: `he\\o`, n: 2},
		{subject: "aab", pattern: "a", flags: "a", template: "x", global: true, want: "xxb", n: 2},
		{subject: "a\nb\n", pattern: "$", template: "X", global: true, want: "a\nbX\nX", n: 2},
		{subject: "a\nb\n", pattern: "$", flags: "m", template: "X", global: true, want: "aX\nbX\nX", n: 3},
		{subject: "xaax", pattern: `(a)\1`, template: "<$1>", global: true, want: "x<a>x", n: 1},
		{subject: "hello", pattern: "l", template: "$", err: ErrTemplate},
		{subject: "hello", pattern: "l", template: "x$", err: ErrTemplate},
		{subject: "hello", pattern: "l", template: "${1", err: ErrTemplate},
		{subject: "hello", pattern: "l", template: "${}", err: ErrTemplate},
		{subject: "hello", pattern: "(?<a>l)", template: "${a}", err: ErrTemplate},
		{subject: "hello", pattern: "l", template: "$a", err: ErrTemplate},
		{subject: "nomatch", pattern: "z", template: "$", err: ErrTemplate},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s/%v", tt.subject, tt.pattern, tt.template, tt.global), func(t *testing.T) {
			re, err := (*Cache)(nil).Compile(tt.pattern, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			got, n, err := re.Replace([]byte(tt.subject), tt.template, tt.global)
			if err != tt.err || (err == nil && (string(got) != tt.want || n != tt.n)) {
				t.Errorf("Replace = %q, %d, %v; want %q, %d, %v", got, n, err, tt.want, tt.n, tt.err)
			}
		})
	}
}

func TestReplaceFunc(t *testing.T) {
	re, err := (*Cache)(nil).Compile(`(\w)(\w*)`, "")
	if err != nil {
		t.Fatal(err)
	}
	subject := "hello big world"
	got, n, err := re.ReplaceFunc(subject, true, func(caps []int) (string, error) {
		return strings.ToUpper(subject[caps[2]:caps[3]]) + subject[caps[4]:caps[5]], nil
	})
	if got != "Hello Big World" || n != 3 || err != nil {
		t.Errorf("ReplaceFunc = %q, %d, %v", got, n, err)
	}
	stop := errors.New("stop")
	if _, _, err := re.ReplaceFunc(subject, true, func([]int) (string, error) { return "", stop }); err != stop {
		t.Errorf("callback error: got %v", err)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		subject, pattern string
		pos, max         int
		want             []string
		next             int
	}{
		{subject: "a,b,,c", pattern: ",", pos: 1, want: []string{"a", "b", "", "c"}, next: 5},
		{subject: "a,b,,c,,", pattern: ",", pos: 1, want: []string{"a", "b", "", "c"}, next: 8},
		{subject: ",a,b", pattern: ",", pos: 1, want: []string{"", "a", "b"}, next: 3},
		{subject: "abc", pattern: "", pos: 1, want: []string{"a", "b", "c"}, next: 4},
		{subject: "a1b2c", pattern: `(\d)`, pos: 1, want: []string{"a", "1", "b", "2", "c"}, next: 4},
		{subject: "a,b,c,d", pattern: ",", pos: 1, max: 2, want: []string{"a", "b,c,d"}, next: 2},
		{subject: "a,b,c,d", pattern: ",", pos: 1, max: 1, want: []string{"a,b,c,d"}, next: 0},
		{subject: "a,b,c,,", pattern: ",", pos: 1, max: 10, want: []string{"a", "b", "c", "", ""}, next: 7},
		{subject: "a, b ,c", pattern: `\s*,\s*`, pos: 1, want: []string{"a", "b", "c"}, next: 6},
		{subject: "", pattern: ",", pos: 1, next: 1},
		{subject: "abc", pattern: "x", pos: 1, want: []string{"abc"}, next: 0},
		{subject: "a,b,c,d", pattern: ",", pos: 3, want: []string{"b", "c", "d"}, next: 6},
		{subject: "a1b", pattern: `\d*`, pos: 1, want: []string{"a", "a1", "b"}, next: 4},
		{subject: "abc", pattern: "b*", pos: 1, want: []string{"a", "ab", "c"}, next: 4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%d/%d", tt.subject, tt.pattern, tt.pos, tt.max), func(t *testing.T) {
			re, err := (*Cache)(nil).Compile(tt.pattern, "")
			if err != nil {
				t.Fatal(err)
			}
			got, next, err := re.Split(tt.subject, tt.pos, tt.max)
			if err != nil || !reflect.DeepEqual(got, tt.want) || next != tt.next {
				t.Errorf("Split = %q, %d, %v; want %q, %d", got, next, err, tt.want, tt.next)
			}
		})
	}
}

// TestDeepNesting checks patterns that RE2 accepts but whose rewritten
// forms (the a flag's anchor, the search from an offset of a pattern with
// \b or ^) nest one level too deep: they must fall back to the
// backtracking engine, not panic.
func TestDeepNesting(t *testing.T) {
	nest := func(depth int, core string) string {
		return strings.Repeat("(", depth) + core + strings.Repeat(")", depth)
	}
	tests := []struct {
		name, pattern, flags, subject string
		start, want                   int // want: where the match starts
	}{
		{name: "anchored", pattern: nest(999, "a"), flags: "a", subject: "ba", start: 1, want: 1},
		{name: "word boundary from an offset", pattern: nest(998, `\ba`), subject: "x a", start: 1, want: 2},
		{name: "both", pattern: nest(998, `\ba`), flags: "a", subject: "x a", start: 2, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re, err := (*Cache)(nil).Compile(tt.pattern, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			caps, err := re.MatchStringAt(tt.subject, tt.start)
			if err != nil || caps == nil || caps[0] != tt.want {
				t.Errorf("MatchStringAt = %v, %v; want a match at %d", caps, err, tt.want)
			}
		})
	}
}

func TestPathological(t *testing.T) {
	subject := strings.Repeat("a", 30000) + "b"
	tests := []struct {
		name, pattern string
		err           error
	}{
		{name: "re2 nested quantifier", pattern: `(a+)+$`},
		{name: "backtracking backreference", pattern: `^(a+)+\1$`, err: ErrMatchLimit},
		{name: "backtracking lookahead", pattern: `^(?=a)(a+)+$`, err: ErrMatchLimit},
	}
	c := NewCache(Options{CacheSize: 8, MatchLimit: 10 * time.Millisecond})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re, err := c.Compile(tt.pattern, "")
			if err != nil {
				t.Fatal(err)
			}
			caps, err := re.MatchStringAt(subject, 0)
			if caps != nil || err != tt.err {
				t.Errorf("MatchStringAt = %v, %v; want nil, %v", caps, err, tt.err)
			}
		})
	}
}

func TestCache(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		compile [][2]string // pattern, flags
		same    bool        // the first two compiles return the same *Regexp
		len     int
	}{
		{name: "hit", size: 4, compile: [][2]string{{"a", "i"}, {"a", "i"}}, same: true, len: 1},
		{name: "flags are part of the key", size: 4, compile: [][2]string{{"a", "i"}, {"a", ""}}, len: 2},
		{name: "nul in pattern", size: 4, compile: [][2]string{{"i\x00a", ""}, {"a", "i"}}, len: 2},
		{name: "evicted", size: 1, compile: [][2]string{{"a", ""}, {"b", ""}, {"a", ""}}, len: 1},
		{name: "no cache", size: 0, compile: [][2]string{{"a", ""}, {"a", ""}}, len: 0},
		{name: "errors not cached", size: 4, compile: [][2]string{{"(", ""}, {"(", ""}}, len: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCache(Options{CacheSize: tt.size})
			var got []*Regexp
			for _, pf := range tt.compile {
				re, _ := c.Compile(pf[0], pf[1])
				got = append(got, re)
			}
			if same := got[0] != nil && got[0] == got[1]; same != tt.same {
				t.Errorf("same = %v, want %v", same, tt.same)
			}
			if c.Len() != tt.len {
				t.Errorf("Len() = %d, want %d", c.Len(), tt.len)
			}
		})
	}
}

// TestCacheHitAllocs checks that a cache hit, what every ngx.re call of a
// hot handler does, allocates nothing.
func TestCacheHitAllocs(t *testing.T) {
	c := NewCache(Options{CacheSize: 4})
	pattern, flags := strings.Repeat("a", 8), "jo"
	if _, err := c.Compile(pattern, flags); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { c.Compile(pattern, flags) }); n != 0 {
		t.Errorf("a cache hit allocates %v times, want 0", n)
	}
}

func FuzzCompileMatch(f *testing.F) {
	f.Add("a+", "i", "xAAy", 0)
	f.Add(`(a)\1`, "", "aa", 1)
	f.Fuzz(func(t *testing.T, pattern, flags, subject string, start int) {
		c := NewCache(Options{CacheSize: 4, MatchLimit: 20 * time.Millisecond})
		re, err := c.Compile(pattern, flags)
		if err != nil {
			return
		}
		caps, err := re.MatchStringAt(subject, start)
		if err != nil || caps == nil {
			return
		}
		if len(caps) != 2*(re.NumGroups()+1) {
			t.Fatalf("%d offsets for %d groups", len(caps), re.NumGroups())
		}
		for i := 0; i < len(caps); i += 2 {
			if caps[i] == -1 && caps[i+1] == -1 {
				continue
			}
			if caps[i] < 0 || caps[i] > caps[i+1] || caps[i+1] > len(subject) {
				t.Fatalf("bad offsets %v in %q", caps, subject)
			}
		}
		if re2, err := regexp.Compile(pattern); err == nil && flags == "" && start == 0 && !strings.HasSuffix(subject, "\n") {
			if want := re2.FindStringSubmatchIndex(subject); !reflect.DeepEqual(caps, want) {
				t.Fatalf("rewritten pattern matched %v, the original %v", caps, want)
			}
		}
		if _, _, err := re.ReplaceString(subject, "<$0>", true); err != nil && err != ErrMatchLimit {
			t.Fatal(err)
		}
	})
}
