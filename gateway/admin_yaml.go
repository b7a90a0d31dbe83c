package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// document is the config file as a YAML node tree. The admin API edits it
// in place, so comments and the layout of the parts it does not touch
// survive in the file it writes back.
type document struct {
	doc    yaml.Node // the DocumentNode
	indent int       // the file's indentation step
}

// parseDocument parses the config file's content; an empty file is an
// empty mapping.
func parseDocument(data []byte) (*document, error) {
	d := &document{indent: indentOf(data)}
	if err := yaml.Unmarshal(data, &d.doc); err != nil {
		return nil, err
	}
	if d.doc.Kind == 0 {
		d.doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	if top := d.top(); top == nil || top.Kind != yaml.MappingNode {
		return nil, errors.New("the config is not a YAML mapping")
	}
	return d, nil
}

// top returns the top-level mapping.
func (d *document) top() *yaml.Node {
	if len(d.doc.Content) == 0 {
		return nil
	}
	return resolveNode(d.doc.Content[0])
}

// bytes encodes the document with the file's indentation.
func (d *document) bytes() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(d.indent)
	if err := enc.Encode(&d.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// indentOf guesses the indentation step of a YAML file: the smallest
// indentation of a line, 2 if there is none.
func indentOf(data []byte) int {
	step := 0
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		n := len(line) - len(trimmed)
		if n == 0 || trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if step == 0 || n < step {
			step = n
		}
	}
	if step < 2 || step > 8 {
		return 2
	}
	return step
}

// resolveNode follows aliases.
func resolveNode(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapGet returns the value of key in mapping m (aliases resolved), or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if i := mapIndex(m, key); i >= 0 {
		return resolveNode(m.Content[i+1])
	}
	return nil
}

// mapIndex returns the index in m.Content of key's key node, or -1.
func mapIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return i
		}
	}
	return -1
}

// mapSet sets key in mapping m to v, in place if present, else at the end.
func mapSet(m *yaml.Node, key string, v *yaml.Node) {
	if i := mapIndex(m, key); i >= 0 {
		m.Content[i+1] = v
		return
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// mapDelete removes key from mapping m and reports whether it was there.
func mapDelete(m *yaml.Node, key string) bool {
	i := mapIndex(m, key)
	if i < 0 {
		return false
	}
	m.Content = append(m.Content[:i], m.Content[i+2:]...)
	return true
}

// mapping returns the mapping at key in m, creating an empty block
// mapping there when it is absent or null.
func mapping(m *yaml.Node, key string) (*yaml.Node, error) {
	v := mapGet(m, key)
	switch {
	case v == nil || v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null":
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		mapSet(m, key, v)
	case v.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("%s is not a mapping", key)
	}
	return v, nil
}

// valueNode returns v (a decoded JSON or YAML value) as a block-style
// YAML node.
func valueNode(v any) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return &n, nil
}

// parseValue decodes a YAML or JSON text (JSON is YAML) into a node,
// turning JSON's flow style into block style so that it reads like the
// rest of the file.
func parseValue(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("empty body")
	}
	n := doc.Content[0]
	if json.Valid(data) {
		blockStyle(n)
	}
	return n, nil
}

// blockStyle clears the flow style of n and its children, and the
// quoting of keys.
func blockStyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			n.Content[i].Style = 0
		}
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// decodeNode decodes n into a JSON-ready value.
func decodeNode(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
