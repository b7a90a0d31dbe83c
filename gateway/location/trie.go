package location

import "strings"

// prefixTree is a radix tree of prefix locations. Walking it along a URI
// visits, in order of length, every prefix location that the URI starts
// with, so the last one seen is the longest.
type prefixTree struct {
	root node
}

// node is one radix-tree node: the edge label leading to it, the route of
// the prefix location ending here (if any), and its children indexed by the
// first byte of their label.
type node struct {
	label    string
	route    int  // route index, or -1 when no location ends here
	stop     bool // the location ending here is "^~"
	first    string
	children []*node
}

func newPrefixTree() *prefixTree {
	return &prefixTree{root: node{route: -1}}
}

// insert adds a prefix location. The caller rejects duplicates beforehand.
func (t *prefixTree) insert(key string, route int, stop bool) {
	n := &t.root
	for key != "" {
		i := strings.IndexByte(n.first, key[0])
		if i < 0 {
			n.first += key[:1]
			n.children = append(n.children, &node{label: key, route: route, stop: stop})
			return
		}
		c := n.children[i]
		common := commonPrefixLen(c.label, key)
		if common < len(c.label) {
			split := &node{
				label:    c.label[:common],
				route:    -1,
				first:    c.label[common : common+1],
				children: []*node{c},
			}
			c.label = c.label[common:]
			n.children[i] = split
			c = split
		}
		n, key = c, key[common:]
	}
	n.route, n.stop = route, stop
}

// longest returns the node of the longest prefix location that uri starts
// with, or nil if there is none.
func (t *prefixTree) longest(uri string) *node {
	var best *node
	n := &t.root
	for {
		if !strings.HasPrefix(uri, n.label) {
			return best
		}
		uri = uri[len(n.label):]
		if n.route >= 0 {
			best = n
		}
		if uri == "" {
			return best
		}
		i := strings.IndexByte(n.first, uri[0])
		if i < 0 {
			return best
		}
		n = n.children[i]
	}
}

func commonPrefixLen(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
