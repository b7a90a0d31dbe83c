package regex

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
)

// ErrMatchLimit is the error of a match that ran past the match limit on
// the backtracking engine (OpenResty: "pcre_exec() failed: -8").
var ErrMatchLimit = errors.New("regex match limit exceeded")

// Regexp is a compiled pattern. It is safe for concurrent use.
type Regexp struct {
	names    []string // names[i] is group i's name, "" when unnamed
	anchored bool     // the a flag: a match must start at the start offset

	// RE2 engine. search runs on the subject from the start offset on
	// (anchored there with the a flag). When the pattern asserts something
	// about the text before a position (^, \b, \B), a search from an
	// offset past 0 runs behind instead (nil otherwise): it runs on the
	// subject from the rune before the start offset, which it consumes,
	// and captures the whole match as group 1.
	search *regexp.Regexp
	behind *regexp.Regexp
	// keep maps each group to its group in the compiled RE2 pattern, and
	// marks lists the compiled pattern's dollar marks (see markDollars);
	// both are nil when the pattern has no non-multiline "$".
	keep, marks []int

	// bt is the pattern on the backtracking engine, when RE2 rejected it.
	bt *regexp2.Regexp
}

// compile compiles pattern with the option letters flags on RE2, or on the
// backtracking engine when RE2 rejects it.
func compile(pattern, flags string, limit time.Duration) (*Regexp, error) {
	f, err := parseFlags(flags)
	if err != nil {
		return nil, err
	}
	re := &Regexp{anchored: f.anchored}
	expr := pattern
	if f.extended {
		expr = stripExtended(pattern)
	}
	tree, err := syntax.Parse(f.prefix()+expr, syntax.Perl)
	if err == nil {
		needsBehind := looksBehind(tree)
		expr = markDollars(tree, new(int)).String()
		// Compile checks the limits Parse does not, and those the
		// rewriting may pass (nesting depth, size).
		re.search, re.behind, err = compileRE2(expr, f.anchored, needsBehind)
	}
	if err != nil {
		bt, btErr := compileBacktrack(pattern, f, limit)
		if btErr != nil {
			return nil, fmt.Errorf("failed to compile regex %q: %s", pattern, reason(err))
		}
		re.bt = bt
		re.names = backtrackNames(bt)
		return re, nil
	}
	re.names, re.keep, re.marks = splitMarks(re.search.SubexpNames())
	return re, nil
}

// compileRE2 compiles expr, a pattern rewritten for RE2, into the search
// and, when the pattern looks behind, the behind expressions of a Regexp.
// With anchored, both must match at the start offset.
func compileRE2(expr string, anchored, needsBehind bool) (search, behind *regexp.Regexp, err error) {
	searchExpr, skip := expr, `(?s:.*?)`
	if anchored {
		searchExpr, skip = `\A(?:`+expr+`)`, ""
	}
	if search, err = regexp.Compile(searchExpr); err != nil || !needsBehind {
		return search, nil, err
	}
	behind, err = regexp.Compile(`\A(?s:.)` + skip + `(` + expr + `)`)
	return search, behind, err
}

// reason returns the text of a Go regexp error without its "error parsing
// regexp: " prefix.
func reason(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return string(se.Code) + ": `" + se.Expr + "`"
	}
	return err.Error()
}

// looksBehind reports whether the parsed pattern asserts something about
// the text before a position: ^, \A, \b or \B.
func looksBehind(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if looksBehind(sub) {
			return true
		}
	}
	return false
}

// dollarMark prefixes the names of the groups markDollars adds.
const dollarMark = "moongate_dollar_"

// markDollars returns re with each non-multiline "$", which in PCRE also
// matches before a final "\n", replaced by (?:\z|(?P<mark>\n)\z): where
// the mark group matched, the match ends where the mark starts (see
// unmark). n numbers the marks.
func markDollars(re *syntax.Regexp, n *int) *syntax.Regexp {
	if re.Op == syntax.OpEndText && re.Flags&syntax.WasDollar != 0 {
		*n++
		end := &syntax.Regexp{Op: syntax.OpEndText}
		nl := &syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{'\n'}}
		mark := &syntax.Regexp{Op: syntax.OpCapture, Name: dollarMark + strconv.Itoa(*n), Sub: []*syntax.Regexp{nl}}
		return &syntax.Regexp{Op: syntax.OpAlternate, Sub: []*syntax.Regexp{
			end, {Op: syntax.OpConcat, Sub: []*syntax.Regexp{mark, end}},
		}}
	}
	for i, sub := range re.Sub {
		re.Sub[i] = markDollars(sub, n)
	}
	return re
}

// splitMarks separates the dollar marks from the pattern's own groups in
// the group names of a compiled pattern: names are the pattern's, keep
// and marks the compiled groups' numbers (nil when there are no marks).
func splitMarks(compiled []string) (names []string, keep, marks []int) {
	for i, name := range compiled {
		if strings.HasPrefix(name, dollarMark) {
			marks = append(marks, i)
		} else {
			keep = append(keep, i)
			names = append(names, name)
		}
	}
	if marks == nil {
		return names, nil, nil
	}
	return names, keep, marks
}

// unmark turns the offsets of a match of the compiled pattern into the
// pattern's: without the marks' groups, and ending before a final "\n"
// where a "$" matched there.
func (re *Regexp) unmark(loc []int) []int {
	if re.marks == nil {
		return loc
	}
	cut := -1
	for _, m := range re.marks {
		if loc[2*m] >= 0 {
			cut = loc[2*m]
			break
		}
	}
	caps := make([]int, 2*len(re.keep))
	for i, g := range re.keep {
		from, to := loc[2*g], loc[2*g+1]
		if cut >= 0 && to > cut {
			from, to = min(from, cut), cut
		}
		caps[2*i], caps[2*i+1] = from, to
	}
	return caps
}

// compileBacktrack compiles pattern on regexp2 with groups numbered left to
// right as PCRE does; anchored patterns must match at the start offset.
func compileBacktrack(pattern string, f flagSet, limit time.Duration) (*regexp2.Regexp, error) {
	opts := regexp2.None
	if f.caseless {
		opts |= regexp2.IgnoreCase
	}
	if f.multiline {
		opts |= regexp2.Multiline
	}
	if f.dotall {
		opts |= regexp2.Singleline
	}
	if f.extended {
		opts |= regexp2.IgnorePatternWhitespace
	}
	// The pattern is compiled as it is first, so that an error speaks of
	// it rather than of the anchored form.
	bt, err := regexp2.Compile(pattern, opts, regexp2.OptionMaintainCaptureOrder())
	if err != nil {
		return nil, err
	}
	if f.anchored {
		end := ")"
		if f.extended {
			end = "\n)" // ends a trailing comment
		}
		bt, err = regexp2.Compile(`\G(?:`+pattern+end, opts, regexp2.OptionMaintainCaptureOrder())
		if err != nil {
			return nil, err
		}
	}
	bt.MatchTimeout = limit
	return bt, nil
}

// backtrackNames returns the group names of a regexp2 pattern by group
// number ("" for unnamed groups, which regexp2 names by their number).
func backtrackNames(bt *regexp2.Regexp) []string {
	nums := bt.GetGroupNumbers()
	names := make([]string, len(nums))
	for i, n := range nums {
		if name := bt.GroupNameFromNumber(n); name != strconv.Itoa(n) {
			names[i] = name
		}
	}
	return names
}

// NumGroups returns the number of capture groups, not counting group 0.
func (re *Regexp) NumGroups() int { return len(re.names) - 1 }

// GroupNames returns the name of each group by number, "" when unnamed;
// its length is NumGroups()+1. The caller must not modify it.
func (re *Regexp) GroupNames() []string { return re.names }

// Backtracking reports whether the pattern runs on the backtracking engine
// (it uses a feature RE2 lacks).
func (re *Regexp) Backtracking() bool { return re.bt != nil }

// MatchAt returns the first match in subject at or after the byte offset
// start (exactly at start with the a flag): 2*(NumGroups()+1) byte
// offsets, pairs of start and end per group, -1 for a group that did not
// take part. It returns nil caps when there is no match, and ErrMatchLimit
// when the backtracking engine gave up. A start past the end of subject
// never matches; a negative one counts as 0.
func (re *Regexp) MatchAt(subject []byte, start int) (caps []int, err error) {
	return matchAt(re, subject, start)
}

// MatchStringAt is MatchAt on a string.
func (re *Regexp) MatchStringAt(subject string, start int) (caps []int, err error) {
	return matchAt(re, subject, start)
}

// text is a subject: bindings hold strings (Lua) or bytes (Wasm memory).
type text interface{ string | []byte }

func matchAt[T text](re *Regexp, s T, start int) ([]int, error) {
	if start < 0 {
		start = 0
	}
	if start > len(s) {
		return nil, nil
	}
	if re.bt != nil {
		return matchBacktrack(re.bt, string(s), start, len(re.names))
	}
	if re.behind != nil && start > 0 {
		_, back := utf8.DecodeLastRuneInString(string(s[max(0, start-utf8.UTFMax):start]))
		from := start - back
		loc := find(re.behind, s[from:])
		if loc == nil {
			return nil, nil
		}
		return re.unmark(shift(loc[2:], from)), nil
	}
	loc := find(re.search, s[start:])
	if loc == nil {
		return nil, nil
	}
	return re.unmark(shift(loc, start)), nil
}

func find[T text](re *regexp.Regexp, s T) []int {
	if b, ok := any(s).([]byte); ok {
		return re.FindSubmatchIndex(b)
	}
	return re.FindStringSubmatchIndex(string(s))
}

// shift adds off to every offset in loc that is not -1.
func shift(loc []int, off int) []int {
	for i, v := range loc {
		if v >= 0 {
			loc[i] = v + off
		}
	}
	return loc
}

// matchBacktrack runs bt on s from the byte offset start, moved forward to
// a rune boundary as regexp2 requires, and returns n groups' offsets.
func matchBacktrack(bt *regexp2.Regexp, s string, start, n int) ([]int, error) {
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	m, err := bt.FindStringMatchStartingAt(s, start)
	if err != nil {
		return nil, ErrMatchLimit
	}
	if m == nil {
		return nil, nil
	}
	caps := make([]int, 2*n)
	for i := 0; i < n; i++ {
		caps[2*i], caps[2*i+1] = -1, -1
		if g := m.GroupByNumber(i); g != nil && len(g.Captures) > 0 {
			from, length := g.ByteRange()
			caps[2*i], caps[2*i+1] = from, from+length
		}
	}
	return caps, nil
}
