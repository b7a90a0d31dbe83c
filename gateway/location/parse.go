package location

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// Modifier is the kind of a location, written before its pattern in nginx
// syntax.
type Modifier int

const (
	// Prefix is a location without modifier ("/x"): a URI prefix; the
	// longest matching one is used unless a regex location matches.
	Prefix Modifier = iota
	// Exact is "= /x": the URI must equal the pattern; it wins over all
	// other kinds.
	Exact
	// PrefixStop is "^~ /x": a prefix that, when it is the longest match,
	// is used without trying regex locations.
	PrefixStop
	// Regex is "~ re": a case-sensitive regular expression.
	Regex
	// RegexCaseless is "~* re": a case-insensitive regular expression.
	RegexCaseless
)

// String returns the modifier as written in nginx syntax: "=", "^~", "~",
// "~*", or "" for Prefix.
func (m Modifier) String() string {
	switch m {
	case Exact:
		return "="
	case PrefixStop:
		return "^~"
	case Regex:
		return "~"
	case RegexCaseless:
		return "~*"
	default:
		return ""
	}
}

// Location is one parsed location string.
type Location struct {
	Modifier Modifier
	Pattern  string // the path or the regex source, without the modifier
}

// Parse parses nginx location syntax: "= /x", "^~ /x", "~ re", "~* re" or
// "/x". Leading and trailing whitespace is ignored. As in nginx, a
// modifier may be glued to its pattern ("=/x", "^~/x", "~\.php$"). Prefix
// and exact patterns must start with "/".
// Regexes are compiled with Go's regexp (RE2) to check them; "~*" is
// case-insensitive. Named locations ("@name") are not supported.
func Parse(s string) (Location, error) {
	loc, _, err := parse(s)
	return loc, err
}

// parse is Parse that also returns the compiled regex of a regex location
// (nil otherwise), so that New compiles each regex once.
func parse(s string) (Location, *regexp.Regexp, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Location{}, nil, errors.New("empty location")
	}
	loc := Location{Modifier: Prefix, Pattern: s}
	switch {
	case strings.HasPrefix(s, "^~"):
		loc = Location{Modifier: PrefixStop, Pattern: strings.TrimLeft(s[len("^~"):], " \t")}
	case strings.HasPrefix(s, "~*"):
		loc = Location{Modifier: RegexCaseless, Pattern: strings.TrimLeft(s[len("~*"):], " \t")}
	case strings.HasPrefix(s, "~"):
		loc = Location{Modifier: Regex, Pattern: strings.TrimLeft(s[len("~"):], " \t")}
	case strings.HasPrefix(s, "="):
		loc = Location{Modifier: Exact, Pattern: strings.TrimLeft(s[len("="):], " \t")}
	case strings.HasPrefix(s, "@"):
		return Location{}, nil, fmt.Errorf("named location %q is not supported", s)
	}
	if loc.Pattern == "" {
		return Location{}, nil, fmt.Errorf("missing pattern after %q", loc.Modifier.String())
	}
	switch loc.Modifier {
	case Regex, RegexCaseless:
		re, err := compile(loc.Pattern, loc.Modifier == RegexCaseless)
		if err != nil {
			return Location{}, nil, err
		}
		return loc, re, nil
	case Exact:
		return checkPath("exact", loc)
	default:
		return checkPath("prefix", loc)
	}
}

// checkPath returns loc if its pattern is a path starting with "/"; kind
// names the location kind in the error.
func checkPath(kind string, loc Location) (Location, *regexp.Regexp, error) {
	if loc.Pattern[0] != '/' {
		return Location{}, nil, fmt.Errorf(`%s location must start with "/": %q`, kind, loc.Pattern)
	}
	return loc, nil, nil
}

// compile compiles a location regex, turning Go's syntax errors into
// messages that name the pattern and, for PCRE-only constructs, say that
// RE2 syntax is expected.
func compile(src string, caseless bool) (*regexp.Regexp, error) {
	expr := src
	if caseless {
		expr = "(?i)" + src
	}
	re, err := regexp.Compile(expr)
	if err == nil {
		return re, nil
	}
	var se *syntax.Error
	if !errors.As(err, &se) {
		return nil, fmt.Errorf("invalid regex %q: %w", src, err)
	}
	msg := string(se.Code)
	if se.Expr != expr {
		msg += fmt.Sprintf(" %q", se.Expr)
	}
	if pcreOnly(se) {
		msg += " (PCRE-only syntax; location regexes use Go RE2 syntax)"
	}
	return nil, fmt.Errorf("invalid regex %q: %s", src, msg)
}

// pcreOnly reports whether a syntax error comes from a construct PCRE
// accepts but RE2 does not: lookaround and atomic groups ("(?=", "(?!",
// "(?<=", "(?>"), backreferences ("\1"), possessive quantifiers ("a*+").
func pcreOnly(se *syntax.Error) bool {
	switch se.Code {
	case syntax.ErrInvalidPerlOp:
		return true
	case syntax.ErrInvalidEscape:
		return len(se.Expr) == 2 && se.Expr[1] >= '1' && se.Expr[1] <= '9'
	case syntax.ErrInvalidRepeatOp:
		return strings.HasSuffix(se.Expr, "+")
	default:
		return false
	}
}
