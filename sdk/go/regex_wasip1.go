//go:build wasip1

package moongate

import (
	"unsafe"

	"github.com/moongate/moongate/abi"
)

// Match returns the first match of the regular expression pattern in
// subject (ngx.re.match), nil when there is none. flags are OpenResty's
// option letters ("i" caseless, "m", "s", "x", "u", "a"; "j" and "o"
// change nothing). The host compiles the pattern, on its RE2 engine, and
// caches it: naming it on every call costs no compile. A pattern it
// refuses is ErrBadArgument, with the engine's message.
func Match(subject, pattern, flags string) (*Captures, error) {
	return MatchAt(subject, pattern, flags, 0)
}

// MatchAt returns the first match of pattern in subject that starts at or
// after byte start (ngx.re.match with ctx.pos, 0-based), nil when there
// is none.
func MatchAt(subject, pattern, flags string, start int) (*Captures, error) {
	b, n := results.fetch(func(b []byte) int32 {
		return hostReMatch(strPtr(pattern), size(pattern), strPtr(flags), size(flags),
			strPtr(subject), size(subject), i32(start), bytesPtr(b), size(b))
	})
	switch {
	case abi.Status(n) == abi.ErrNotFound:
		return nil, nil
	case n < 0:
		return nil, fail(n)
	}
	return decodeCaptures(subject, b)
}

// MatchAll returns every match of pattern in subject, in order, each
// search starting where the last match ended (ngx.re.gmatch); at most n
// matches when n > 0.
func MatchAll(subject, pattern, flags string, n int) ([]*Captures, error) {
	var all []*Captures
	for start := 0; n <= 0 || len(all) < n; {
		m, err := MatchAt(subject, pattern, flags, start)
		if m == nil || err != nil {
			return all, err
		}
		all = append(all, m)
		start = m.nextStart()
	}
	return all, nil
}

// GroupNames returns the names of pattern's groups, from group 1: the
// name of a named group ("(?<year>\d+)"), "" for another.
func GroupNames(pattern, flags string) ([]string, error) {
	return fetchList(decodeGroupNames, func(b []byte) int32 {
		return hostReGroupNames(strPtr(pattern), size(pattern), strPtr(flags), size(flags), bytesPtr(b), size(b))
	})
}

// Sub returns subject with the first match of pattern replaced by
// template, and the number of replacements, 0 or 1 (ngx.re.sub). In the
// template, $0 is the whole match, $1 or ${1} a group, $$ a dollar sign.
func Sub(subject, pattern, template, flags string) (string, int, error) {
	return substitute(hostReSub, subject, pattern, template, flags)
}

// GSub returns subject with every match of pattern replaced by template,
// and the number of replacements (ngx.re.gsub).
func GSub(subject, pattern, template, flags string) (string, int, error) {
	return substitute(hostReGSub, subject, pattern, template, flags)
}

// substitute runs re_sub or re_gsub.
func substitute(host func(pattern unsafe.Pointer, patternLen uint32, flags unsafe.Pointer, flagsLen uint32,
	subject unsafe.Pointer, subjectLen uint32, template unsafe.Pointer, templateLen uint32,
	count unsafe.Pointer, buf unsafe.Pointer, bufCap uint32) int32,
	subject, pattern, template, flags string) (string, int, error) {
	var count int32
	out, err := fetchString(func(b []byte) int32 {
		return host(strPtr(pattern), size(pattern), strPtr(flags), size(flags), strPtr(subject), size(subject),
			strPtr(template), size(template), unsafe.Pointer(&count), bytesPtr(b), size(b))
	})
	if err != nil {
		return "", 0, err
	}
	return out, int(count), nil
}
