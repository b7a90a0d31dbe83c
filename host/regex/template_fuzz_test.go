package regex

import (
	"errors"
	"testing"
)

// FuzzReplaceTemplate feeds gsub any template and subject: it must not
// panic, fail only with ErrTemplate, and leave a subject without a match
// as it is.
func FuzzReplaceTemplate(f *testing.F) {
	for _, seed := range []struct{ template, subject string }{
		{"<$1>", "hello world"}, {"${1}${2}$0", "ab"}, {"$$", "x"}, {"$", "a"}, {"${", "a"},
		{"${99}", "a"}, {"${1", "a"}, {"$x", "a"}, {"", ""}, {"$10", "aaaaaaaaaa"},
	} {
		f.Add(seed.template, seed.subject)
	}
	re, err := NewCache(Options{}).Compile(`(\w)(\w)?`, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, template, subject string) {
		out, n, err := re.ReplaceString(subject, template, true)
		switch {
		case err != nil && !errors.Is(err, ErrTemplate):
			t.Fatalf("ReplaceString(%q, %q) = %v", subject, template, err)
		case err == nil && n == 0 && out != subject:
			t.Fatalf("no match, but %q became %q", subject, out)
		}
	})
}
