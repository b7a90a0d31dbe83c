package regex

import (
	"errors"
	"strconv"
	"strings"
)

// ErrTemplate is the error of a malformed replacement template (OpenResty's
// exact text).
var ErrTemplate = errors.New("failed to compile the replacement template")

// Iter walks the successive matches of a pattern in a subject as
// ngx.re.gmatch and gsub do: the next search starts where the last match
// ended, one byte further after an empty match, and ends past the end of
// the subject.
type Iter struct {
	re      *Regexp
	subject string
	pos     int // -1 once done
}

// Iter returns an iterator over the matches of re in subject.
func (re *Regexp) Iter(subject string) *Iter { return &Iter{re: re, subject: subject} }

// Next returns the next match's offsets (as MatchAt), nil when there is
// none left. After an error the iterator is done.
func (it *Iter) Next() ([]int, error) {
	if it.pos < 0 {
		return nil, nil
	}
	caps, err := it.re.MatchStringAt(it.subject, it.pos)
	if err != nil || caps == nil {
		it.pos = -1
		return nil, err
	}
	it.pos = caps[1]
	if caps[0] == caps[1] {
		if it.pos++; it.pos > len(it.subject) {
			it.pos = -1
		}
	}
	return caps, nil
}

// Replace is ngx.re.sub (global false) and gsub (global true) with a
// template: $0..$N and ${N} insert group N (empty when it did not take
// part or does not exist), $$ a "$"; any other "$" is ErrTemplate. It
// returns the new subject (subject itself when nothing matched) and the
// number of replacements.
func (re *Regexp) Replace(subject []byte, template string, global bool) (out []byte, n int, err error) {
	s, n, err := re.ReplaceString(string(subject), template, global)
	if err != nil || n == 0 {
		return subject, n, err
	}
	return []byte(s), n, nil
}

// ReplaceString is Replace on a string.
func (re *Regexp) ReplaceString(subject, template string, global bool) (string, int, error) {
	t, err := parseTemplate(template)
	if err != nil {
		return "", 0, err
	}
	return re.replace(subject, global, func(b *strings.Builder, caps []int) error {
		t.expand(b, subject, caps)
		return nil
	})
}

// ReplaceFunc is ngx.re.sub and gsub with a function: repl returns the
// text that replaces each match, given its offsets (as MatchAt).
func (re *Regexp) ReplaceFunc(subject string, global bool, repl func(caps []int) (string, error)) (string, int, error) {
	return re.replace(subject, global, func(b *strings.Builder, caps []int) error {
		s, err := repl(caps)
		b.WriteString(s)
		return err
	})
}

func (re *Regexp) replace(subject string, global bool, piece func(*strings.Builder, []int) error) (string, int, error) {
	var b strings.Builder
	n, copied := 0, 0
	it := re.Iter(subject)
	for {
		caps, err := it.Next()
		if err != nil {
			return "", 0, err
		}
		if caps == nil {
			break
		}
		n++
		b.WriteString(subject[copied:caps[0]])
		if err := piece(&b, caps); err != nil {
			return "", 0, err
		}
		copied = caps[1]
		if !global {
			break
		}
	}
	if n == 0 {
		return subject, 0, nil
	}
	b.WriteString(subject[copied:])
	return b.String(), n, nil
}

// template is a parsed replacement template: literal text and group
// references, in order.
type template []templatePart

type templatePart struct {
	lit   string
	group int // -1 for a literal
}

// parseTemplate parses OpenResty's replacement template syntax.
func parseTemplate(s string) (template, error) {
	var t template
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			lit.WriteByte(s[i])
			continue
		}
		i++
		var digits string
		switch {
		case i < len(s) && s[i] == '$':
			lit.WriteByte('$')
			continue
		case i < len(s) && s[i] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, ErrTemplate
			}
			digits = s[i+1 : i+end]
			i += end
		default:
			j := i
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			digits = s[i:j]
			i = j - 1
		}
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			return nil, ErrTemplate
		}
		group, err := strconv.Atoi(digits)
		if err != nil { // too many digits for an int: no such group
			group = int(^uint(0) >> 1)
		}
		if lit.Len() > 0 {
			t = append(t, templatePart{lit: lit.String(), group: -1})
			lit.Reset()
		}
		t = append(t, templatePart{group: group})
	}
	if lit.Len() > 0 {
		t = append(t, templatePart{lit: lit.String(), group: -1})
	}
	return t, nil
}

// expand writes the template for one match of subject.
func (t template) expand(b *strings.Builder, subject string, caps []int) {
	for _, p := range t {
		switch {
		case p.group < 0:
			b.WriteString(p.lit)
		case p.group < len(caps)/2 && caps[2*p.group] >= 0:
			b.WriteString(subject[caps[2*p.group]:caps[2*p.group+1]])
		}
	}
}
