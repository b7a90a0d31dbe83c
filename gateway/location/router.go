package location

import (
	"fmt"
	"regexp"
)

// Router matches a normalised URI against a list of locations in nginx
// order. It is immutable once built and safe for concurrent use.
type Router struct {
	exact    map[string]int
	prefixes *prefixTree
	regexes  []regexRoute
	literal  []string // per route: the prefix or exact pattern, "" for regex
}

// regexRoute is a regex location and the route it selects.
type regexRoute struct {
	re    *regexp.Regexp
	route int
}

// New builds a Router; locs[i] is the location of route i. Errors name the
// index and the location string (`location 3 "~ (": invalid regex ...`).
// As in nginx, two exact locations or two prefix locations ("^~" or plain)
// with the same path are a "duplicate location" error; an exact and a
// prefix location may share a path.
func New(locs []string) (*Router, error) {
	r := &Router{
		exact:    make(map[string]int),
		prefixes: newPrefixTree(),
		literal:  make([]string, len(locs)),
	}
	prefixSeen := make(map[string]int)
	for i, s := range locs {
		loc, re, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("location %d %q: %w", i, s, err)
		}
		if loc.Modifier == Regex || loc.Modifier == RegexCaseless {
			r.regexes = append(r.regexes, regexRoute{re: re, route: i})
			continue
		}
		seen := prefixSeen
		if loc.Modifier == Exact {
			seen = r.exact
		}
		if j, dup := seen[loc.Pattern]; dup {
			return nil, fmt.Errorf("location %d %q: duplicate location %q (first at location %d)", i, s, loc.Pattern, j)
		}
		seen[loc.Pattern] = i
		if loc.Modifier != Exact {
			r.prefixes.insert(loc.Pattern, i, loc.Modifier == PrefixStop)
		}
		r.literal[i] = loc.Pattern
	}
	return r, nil
}

// Match returns the index of the route that nginx would choose for uri
// (already normalised, see NormalizeURI), or -1 and false if none matches
// (the caller answers 404).
//
// The order is nginx's: an exact "=" match wins at once; otherwise the
// longest matching prefix is found, and if it is "^~" it is used without
// trying regexes; otherwise regex locations are tried in list order, the
// first match winning; otherwise the longest prefix is used.
// Exact and prefix matches do not allocate.
func (r *Router) Match(uri string) (int, bool) {
	if i, ok := r.exact[uri]; ok {
		return i, true
	}
	best := r.prefixes.longest(uri)
	if best != nil && best.stop {
		return best.route, true
	}
	for _, rr := range r.regexes {
		if rr.re.MatchString(uri) {
			return rr.route, true
		}
	}
	if best != nil {
		return best.route, true
	}
	return -1, false
}

// Prefix returns the literal path of route i when it is a prefix or exact
// location, and "" for a regex location; proxy_pass uses it to replace the
// matched part of the URI. It panics if i is not a route index given to New.
func (r *Router) Prefix(i int) string {
	return r.literal[i]
}
