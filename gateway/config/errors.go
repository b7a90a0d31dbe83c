package config

import (
	"fmt"
	"strings"
)

// Error is one problem found in a config file.
type Error struct {
	File     string // the config file's name as given to Parse or Load
	Line     int    // 1-based line in File; 0 if unknown
	Route    int    // index in routes, or -1 if the problem is not in a route
	Location string // the route's location, if known
	Key      string // dotted path of the offending key, like "routes[2].proxy.read_timeout"; "" for the whole file
	Reason   string // what is wrong
}

// Error formats e as
// `moongate.yaml:14: routes[2] (location "= /x"): proxy.read_timeout: invalid time "5x"`,
// leaving out the parts that do not apply. Inside a route the key is shown
// relative to the route.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	key := e.Key
	if e.Route >= 0 {
		route := routeKey(e.Route)
		b.WriteString(route)
		if e.Location != "" {
			fmt.Fprintf(&b, " (location %q)", e.Location)
		}
		b.WriteString(": ")
		key = strings.TrimPrefix(strings.TrimPrefix(key, route), ".")
	}
	if key != "" {
		b.WriteString(key + ": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Errors lists every problem found in a config file, in file order. Load
// and Parse return their validation errors as an Errors value (not a
// pointer): use errors.As with a *Errors target, or a type assertion to
// Errors, to get at them.
type Errors []*Error

// Error formats the errors one per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// routeKey is the key of the route at index i: "routes[i]".
func routeKey(i int) string { return fmt.Sprintf("routes[%d]", i) }
