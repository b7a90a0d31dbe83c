package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder walks a YAML node tree and collects every problem it finds.
type decoder struct {
	file string // config file name, for errors and chunk names
	dir  string // directory relative paths are resolved against; "" leaves them as they are
	errs Errors
}

// errorf records a problem with node n at key.
func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Route: -1, Key: key, Reason: fmt.Sprintf(format, args...)})
}

// finish returns the recorded problems in line order without repeats (a
// node reached through several aliases is reported once), or nil.
func (d *decoder) finish() error {
	if len(d.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(d.errs, func(a, b *Error) int { return a.Line - b.Line })
	seen := map[Error]bool{}
	var errs Errors
	for _, e := range d.errs {
		if !seen[*e] {
			seen[*e] = true
			errs = append(errs, e)
		}
	}
	return errs
}

// yamlLine matches the "yaml: line N: reason" form of yaml.v3's errors.
var yamlLine = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// parseYAML decodes data into a node tree and returns its root node, or nil
// for an empty document. It accepts exactly one YAML document.
func (d *decoder) parseYAML(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			d.syntaxError(err)
		}
		return nil
	}
	switch err := dec.Decode(&extra); {
	case err == nil:
		d.errorf(&extra, "", "only one YAML document is allowed")
		return nil
	case !errors.Is(err, io.EOF):
		d.syntaxError(err)
		return nil
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// syntaxError records a YAML syntax error, moving yaml.v3's line number
// into the Error's Line.
func (d *decoder) syntaxError(err error) {
	e := &Error{File: d.file, Route: -1, Reason: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Reason = m[2]
	}
	d.errs = append(d.errs, e)
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is a null scalar ("~", "null" or nothing).
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// describe names the kind of value n holds, for type mismatch errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	}
	return "a string"
}

// join appends key to the dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// pair is one key/value entry of a mapping.
type pair struct {
	key   string
	node  *yaml.Node // the key's node, for its line
	value *yaml.Node // aliases resolved
}

// pairs returns the entries of mapping n (aliases resolved) with merge keys
// expanded: a mapping's own keys win over merged ones, and earlier merged
// mappings over later ones, as in YAML's merge key spec. It reports non-
// string and duplicate keys, and returns false if n is not a mapping.
func (d *decoder) pairs(n *yaml.Node, path string) ([]pair, bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return nil, false
	}
	var out []pair
	d.collect(n, path, map[string]bool{}, map[*yaml.Node]bool{n: true}, &out)
	return out, true
}

// collect appends the entries of mapping n whose keys are not in seen, then
// those of the mappings it merges that are not in visited.
func (d *decoder) collect(n *yaml.Node, path string, seen map[string]bool, visited map[*yaml.Node]bool, out *[]pair) {
	own := map[string]int{} // key -> line, to report duplicates within n
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		switch {
		case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
			merges = append(merges, v)
			continue
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, path, "keys must be strings, got %s", describe(k))
			continue
		}
		if line, dup := own[k.Value]; dup {
			d.errorf(k, path, "duplicate key %q (first at line %d)", k.Value, line)
			continue
		}
		own[k.Value] = k.Line
		if !seen[k.Value] {
			seen[k.Value] = true
			*out = append(*out, pair{key: k.Value, node: k, value: v})
		}
	}
	for _, m := range merges {
		list := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			list = m.Content
		}
		for _, mm := range list {
			mm = resolve(mm)
			switch {
			case mm.Kind != yaml.MappingNode:
				d.errorf(mm, path, "merge (<<) needs a mapping or a list of mappings, got %s", describe(mm))
			case !visited[mm]:
				visited[mm] = true
				d.collect(mm, path, seen, visited, out)
			}
		}
	}
}

// section is a mapping being decoded: take consumes its keys, and close
// reports those nobody took.
type section struct {
	d     *decoder
	path  string
	pairs []pair
	taken map[string]bool
}

// section starts decoding mapping n at path; n may be nil (an absent
// section: every take returns nil). It reports false if n is present but not
// a mapping.
func (d *decoder) section(n *yaml.Node, path string) (*section, bool) {
	s := &section{d: d, path: path, taken: map[string]bool{}}
	if n == nil {
		return s, true
	}
	var ok bool
	s.pairs, ok = d.pairs(n, path)
	return s, ok
}

// take returns the value of key, or nil if it is absent or null.
func (s *section) take(key string) *yaml.Node {
	s.taken[key] = true
	for _, p := range s.pairs {
		if p.key == key && !isNull(p.value) {
			return p.value
		}
	}
	return nil
}

// close reports every key that was not taken as unknown.
func (s *section) close() {
	for _, p := range s.pairs {
		if !s.taken[p.key] {
			s.d.errorf(p.node, s.path, "unknown key %q", p.key)
		}
	}
}

// scalar decodes the value of key, if present, with parse into dst, and
// reports whether it did.
func scalar[T any](s *section, key string, parse func(string) (T, error), dst *T) bool {
	n := s.take(key)
	return n != nil && value(s.d, n, join(s.path, key), parse, dst)
}

// value decodes scalar n with parse into dst, and reports whether it did.
func value[T any](d *decoder, n *yaml.Node, path string, parse func(string) (T, error), dst *T) bool {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, path, "expected %s, got %s", typeName(dst), describe(n))
		return false
	}
	v, err := parse(n.Value)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return false
	}
	*dst = v
	return true
}

// typeName names the type dst points to, for type mismatch errors.
func typeName(dst any) string {
	switch dst.(type) {
	case *int:
		return "an integer"
	case *bool:
		return "a boolean"
	case *Size:
		return "a size"
	case *time.Duration:
		return "a time"
	}
	return "a string"
}

// parseString is the identity parser: any scalar's text is a string.
func parseString(s string) (string, error) { return s, nil }

// parseInt parses a decimal integer.
func parseInt(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("invalid integer %q", s)
	}
	return n, nil
}

// parseBool parses YAML's core-schema booleans.
func parseBool(s string) (bool, error) {
	switch s {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q", s)
}

// atLeast wraps parse to reject values below lo; the error says the input
// "is " + what.
func atLeast[T ~int | ~int64](parse func(string) (T, error), lo T, what string) func(string) (T, error) {
	return func(s string) (T, error) {
		v, err := parse(s)
		if err == nil && v < lo {
			return 0, fmt.Errorf("%q is %s", s, what)
		}
		return v, err
	}
}

// oneOf wraps parse to accept only the listed values.
func oneOf(values ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		if !slices.Contains(values, s) {
			return "", fmt.Errorf("invalid value %q (want one of %s)", s, strings.Join(values, ", "))
		}
		return s, nil
	}
}
