package regex

import "strings"

// stripExtended removes what the x flag makes insignificant: whitespace and
// "#" comments (to the end of the line) outside character classes and
// \Q...\E quotes. Go's regexp has no extended mode, so the pattern is
// rewritten before it is compiled.
func stripExtended(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p) && p[i+1] == 'Q':
			end := strings.Index(p[i+2:], `\E`)
			if end < 0 {
				b.WriteString(p[i:])
				return b.String()
			}
			b.WriteString(p[i : i+2+end+2])
			i += end + 3
		case c == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
		case c == '[':
			n := classEnd(p, i)
			b.WriteString(p[i:n])
			i = n - 1
		case c == '#':
			nl := strings.IndexByte(p[i:], '\n')
			if nl < 0 {
				return b.String()
			}
			i += nl
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// classEnd returns the index after the character class that starts at
// p[i] == '[': a "]" right after "[" or "[^" is literal, escapes and
// [:name:] classes are skipped. An unterminated class runs to the end.
func classEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && p[j] == '^' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		switch {
		case p[j] == '\\':
			j++
		case p[j] == '[' && j+1 < len(p) && p[j+1] == ':':
			if end := strings.Index(p[j+2:], ":]"); end >= 0 {
				j += end + 3
			}
		case p[j] == ']':
			return j + 1
		}
	}
	return len(p)
}
