package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/valyala/fasthttp"
	"gopkg.in/yaml.v3"
)

// httpError is an admin request refused before any config is built.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &httpError{status, fmt.Sprintf(format, args...)}
}

// adminChange applies a change asked by the admin request, answering
// errors; it returns the snapshot the change made, nil if it failed.
func (g *Gateway) adminChange(ctx *fasthttp.RequestCtx, c change) *snapshot {
	c.source = "admin " + string(ctx.Method()) + " " + string(ctx.Path())
	c.persist = true
	s, err := g.apply(c)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			adminError(ctx, he.status, he.msg)
		} else {
			adminApplyError(ctx, err)
		}
	}
	return s
}

// edit returns a change editing the config file's YAML tree with fn,
// which returns the new files the result refers to.
func edit(fn func(d *document) (map[string][]byte, error)) change {
	return change{edit: func(data []byte) ([]byte, map[string][]byte, error) {
		d, err := parseDocument(data)
		if err != nil {
			return nil, nil, errorf(http.StatusBadRequest, "the config file cannot be edited: %v", err)
		}
		files, err := fn(d)
		if err != nil {
			return nil, nil, err
		}
		out, err := d.bytes()
		return out, files, err
	}}
}

// servedDocument returns the serving config's YAML tree.
func (g *Gateway) servedDocument() (*document, error) {
	return parseDocument(g.snap.Load().src.data)
}

// wantsJSON reports whether the request prefers JSON to YAML.
func wantsJSON(ctx *fasthttp.RequestCtx) bool {
	return bytes.Contains(ctx.Request.Header.Peek(fasthttp.HeaderAccept), []byte("json"))
}

func (g *Gateway) getConfig(ctx *fasthttp.RequestCtx, _ string) {
	data := g.snap.Load().src.data
	if !wantsJSON(ctx) {
		ctx.SetContentType("application/yaml")
		ctx.SetBody(data)
		return
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		adminError(ctx, fasthttp.StatusInternalServerError, err.Error())
		return
	}
	adminJSON(ctx, v)
}

// putConfig replaces the config file with the body: YAML as it is, JSON
// rewritten as block YAML. An empty body, the mark of a mistaken request
// (it would leave no routes), is refused.
func (g *Gateway) putConfig(ctx *fasthttp.RequestCtx, _ string) {
	data := bytes.Clone(ctx.PostBody())
	if len(bytes.TrimSpace(data)) == 0 {
		adminError(ctx, fasthttp.StatusBadRequest, "config: empty body")
		return
	}
	if json.Valid(data) {
		n, err := parseValue(data)
		if err == nil && n.Kind != yaml.MappingNode {
			err = errors.New("not a mapping")
		}
		if err != nil {
			adminError(ctx, fasthttp.StatusBadRequest, "config: "+err.Error())
			return
		}
		d := &document{doc: yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}, indent: 2}
		if data, err = d.bytes(); err != nil {
			adminError(ctx, fasthttp.StatusBadRequest, "config: "+err.Error())
			return
		}
	}
	if s := g.adminChange(ctx, change{data: data}); s != nil {
		adminJSON(ctx, map[string]any{"generation": s.gen})
	}
}

// routeNodes returns the routes list of the config's top-level mapping;
// nil if there is none.
func routeNodes(top *yaml.Node) []*yaml.Node {
	if routes := mapGet(top, "routes"); routes != nil && routes.Kind == yaml.SequenceNode {
		return routes.Content
	}
	return nil
}

// routeID returns the id of a route node, "" if it has none.
func routeID(n *yaml.Node) string {
	n = resolveNode(n)
	if n.Kind != yaml.MappingNode {
		return ""
	}
	if id := mapGet(n, "id"); id != nil && id.Kind == yaml.ScalarNode {
		return id.Value
	}
	return ""
}

// findRoute returns the index of the route with id in routes, or -1.
func findRoute(routes []*yaml.Node, id string) int {
	for i, n := range routes {
		if routeID(n) == id {
			return i
		}
	}
	return -1
}

func (g *Gateway) listRoutes(ctx *fasthttp.RequestCtx, _ string) {
	d, err := g.servedDocument()
	if err != nil {
		adminError(ctx, fasthttp.StatusInternalServerError, err.Error())
		return
	}
	list := []any{}
	for _, n := range routeNodes(d.top()) {
		v, err := decodeNode(n)
		if err != nil {
			adminError(ctx, fasthttp.StatusInternalServerError, err.Error())
			return
		}
		list = append(list, v)
	}
	adminJSON(ctx, list)
}

func (g *Gateway) getRoute(ctx *fasthttp.RequestCtx, id string) {
	d, err := g.servedDocument()
	if err != nil {
		adminError(ctx, fasthttp.StatusInternalServerError, err.Error())
		return
	}
	routes := routeNodes(d.top())
	i := findRoute(routes, id)
	if i < 0 {
		adminError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no route with id %q", id))
		return
	}
	v, err := decodeNode(routes[i])
	if err != nil {
		adminError(ctx, fasthttp.StatusInternalServerError, err.Error())
		return
	}
	adminJSON(ctx, v)
}

// putRoute replaces the route with the path's id, or appends it. The body
// is the route as a JSON or YAML mapping; its id, if any, must be the
// path's.
func (g *Gateway) putRoute(ctx *fasthttp.RequestCtx, id string) {
	n, err := parseValue(ctx.PostBody())
	if err == nil && n.Kind != yaml.MappingNode {
		err = errors.New("not a mapping")
	}
	if err != nil {
		adminError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("route %q: %v", id, err))
		return
	}
	if got := routeID(n); got != "" && got != id {
		adminError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("route %q: the body's id is %q", id, got))
		return
	}
	if mapIndex(n, "id") < 0 {
		n.Content = append([]*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "id"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: id}}, n.Content...)
	}
	created := false
	c := edit(func(d *document) (map[string][]byte, error) {
		routes := mapGet(d.top(), "routes")
		if routes == nil || routes.Kind == yaml.ScalarNode && routes.ShortTag() == "!!null" {
			routes = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			mapSet(d.top(), "routes", routes)
		}
		if routes.Kind != yaml.SequenceNode {
			return nil, errorf(fasthttp.StatusBadRequest, "%s: routes is not a list", g.path)
		}
		if i := findRoute(routes.Content, id); i >= 0 {
			routes.Content[i] = n
		} else {
			routes.Content = append(routes.Content, n)
			created = true
		}
		return nil, nil
	})
	s := g.adminChange(ctx, c)
	if s == nil {
		return
	}
	if created {
		ctx.SetStatusCode(fasthttp.StatusCreated)
	}
	adminJSON(ctx, map[string]any{"id": id, "generation": s.gen})
}

func (g *Gateway) deleteRoute(ctx *fasthttp.RequestCtx, id string) {
	c := edit(func(d *document) (map[string][]byte, error) {
		routes := mapGet(d.top(), "routes")
		i := -1
		if routes != nil && routes.Kind == yaml.SequenceNode {
			i = findRoute(routes.Content, id)
		}
		if i < 0 {
			return nil, errorf(fasthttp.StatusNotFound, "no route with id %q", id)
		}
		routes.Content = append(routes.Content[:i], routes.Content[i+1:]...)
		return nil, nil
	})
	if s := g.adminChange(ctx, c); s != nil {
		adminJSON(ctx, map[string]any{"deleted": id, "generation": s.gen})
	}
}
