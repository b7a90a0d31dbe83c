package host

import (
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// userVar is the value a script gave a user variable; unset is nil in Lua.
type userVar struct {
	value string
	unset bool
}

// varStore holds the user variables a request set. Subrequests with
// share_all_vars share their parent's and may run at once on several
// goroutines (Wasm guests run in parallel), so it is locked.
type varStore struct {
	mu sync.Mutex
	m  map[string]userVar
}

func (s *varStore) get(key string) (userVar, bool) {
	if s == nil {
		return userVar{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

func (s *varStore) set(key string, v userVar) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]userVar)
	}
	s.m[key] = v
}

// clone returns a copy of s (copy_all_vars); nil for nil.
func (s *varStore) clone() *varStore {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &varStore{m: maps.Clone(s.m)}
}

// Var returns the value of the nginx variable $name (ngx.var.NAME) and
// whether it has one. Names are case-insensitive, as in nginx. Built-in
// variables follow nginx's meaning; user variables are those the config
// declares, with their default until a script sets them.
func (r *Request) Var(name string) (string, bool) {
	name = strings.ToLower(name)
	if key, def, ok := r.declaredVar(name); ok {
		if v, set := r.userVars.get(key); set {
			return v.value, !v.unset
		}
		return def, true
	}
	if r.Ctx == nil {
		return "", false
	}
	switch {
	case strings.HasPrefix(name, "http_"):
		return r.headerVar(name[len("http_"):])
	case strings.HasPrefix(name, "arg_"):
		return argVar(r.Args(), name[len("arg_"):])
	case strings.HasPrefix(name, "cookie_"):
		return r.cookieVar(name[len("cookie_"):])
	case strings.HasPrefix(name, "sent_http_"):
		v := r.Ctx.Response.Header.Peek(strings.ReplaceAll(name[len("sent_http_"):], "_", "-"))
		return string(v), v != nil
	}
	if get, ok := builtins[name]; ok {
		return get(r)
	}
	return "", false
}

// declaredVar finds the user variable name (lower case) among the declared
// ones, whose names may have any case.
func (r *Request) declaredVar(name string) (key, def string, ok bool) {
	if def, ok := r.declared[name]; ok {
		return name, def, true
	}
	for k, def := range r.declared {
		if strings.EqualFold(k, name) {
			return k, def, true
		}
	}
	return "", "", false
}

// headerVar is $http_NAME: the first request header whose lower-cased name,
// with "-" as "_", is name. Cookie and X-Forwarded-For lines are joined, as
// nginx joins them.
func (r *Request) headerVar(name string) (string, bool) {
	sep := ""
	switch name {
	case "cookie":
		sep = "; "
	case "x_forwarded_for":
		sep = ", "
	}
	var b strings.Builder
	found := false
	for _, h := range r.headers() {
		if !varNameIs(h.Name, name) {
			continue
		}
		if found {
			if sep == "" {
				break
			}
			b.WriteString(sep)
		}
		b.Write(h.Value)
		found = true
	}
	return b.String(), found
}

// varNameIs reports whether the header name, lower-cased and with "-" as
// "_", is v.
func varNameIs(name []byte, v string) bool {
	if len(name) != len(v) {
		return false
	}
	for i, c := range name {
		switch {
		case c == '-':
			c = '_'
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if c != v[i] {
			return false
		}
	}
	return true
}

// argVar is $arg_NAME: the first argument named name (case-insensitively)
// that has a "=", raw (not unescaped).
func argVar(q, name string) (string, bool) {
	for q != "" {
		var part string
		part, q, _ = strings.Cut(q, "&")
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// cookieVar is $cookie_NAME: the value of the first cookie called name
// (case-insensitively) in the Cookie lines, read as nginx reads them: a
// value runs to the next ";" and keeps trailing spaces, and a "," also
// starts a new cookie.
func (r *Request) cookieVar(name string) (string, bool) {
	for _, h := range r.headers() {
		if !strings.EqualFold(string(h.Name), "cookie") {
			continue
		}
		for s := string(h.Value); s != ""; s = nextCookie(s) {
			if len(s) < len(name) || !strings.EqualFold(s[:len(name)], name) {
				continue
			}
			rest := strings.TrimLeft(s[len(name):], " ")
			if v, ok := strings.CutPrefix(rest, "="); ok {
				v = strings.TrimLeft(v, " ")
				if i := strings.IndexByte(v, ';'); i >= 0 {
					v = v[:i]
				}
				return v, true
			}
		}
	}
	return "", false
}

// nextCookie skips past the next ";" or "," of s, and the spaces after it.
func nextCookie(s string) string {
	i := strings.IndexAny(s, ";,")
	if i < 0 {
		return ""
	}
	return strings.TrimLeft(s[i+1:], " ")
}

// builtins are the built-in variables with a fixed name: each returns the
// value and whether there is one. They cannot be written, but for $args.
var builtins = map[string]func(r *Request) (string, bool){
	"uri":             func(r *Request) (string, bool) { return r.uri, true },
	"document_uri":    func(r *Request) (string, bool) { return r.uri, true },
	"request_uri":     func(r *Request) (string, bool) { return string(r.RequestURI()), true },
	"args":            (*Request).argsVar,
	"query_string":    (*Request).argsVar,
	"is_args":         isArgs,
	"host":            func(r *Request) (string, bool) { return r.hostVar(), true },
	"hostname":        func(r *Request) (string, bool) { return r.Hostname, true },
	"server_name":     func(*Request) (string, bool) { return "", true },
	"scheme":          scheme,
	"https":           https,
	"request_method":  func(r *Request) (string, bool) { return string(r.Method()), true },
	"request":         func(r *Request) (string, bool) { return r.requestLine(), true },
	"remote_addr":     func(r *Request) (string, bool) { return ipOf(r.Ctx.RemoteAddr()), true },
	"remote_port":     func(r *Request) (string, bool) { return portOf(r.Ctx.RemoteAddr()), true },
	"server_addr":     func(r *Request) (string, bool) { return ipOf(r.Ctx.LocalAddr()), true },
	"server_port":     func(r *Request) (string, bool) { return portOf(r.Ctx.LocalAddr()), true },
	"server_protocol": func(r *Request) (string, bool) { return string(r.Ctx.Request.Header.Protocol()), true },
	"content_type":    func(r *Request) (string, bool) { return r.headerVar("content_type") },
	"content_length":  func(r *Request) (string, bool) { return r.headerVar("content_length") },
	"request_length":  func(r *Request) (string, bool) { return strconv.Itoa(r.requestLength()), true },
	"request_body":    requestBody,
	"request_time":    func(r *Request) (string, bool) { return seconds(r.Elapsed().Milliseconds()), true },
	"msec":            func(*Request) (string, bool) { return seconds(time.Now().UnixMilli()), true },
	"status":          func(r *Request) (string, bool) { return fmt.Sprintf("%03d", r.status), true },
	"body_bytes_sent": func(r *Request) (string, bool) { return strconv.Itoa(r.bodyBytes), true },
	"bytes_sent": func(r *Request) (string, bool) {
		return strconv.Itoa(r.bodyBytes + len(r.Ctx.Response.Header.Header())), true
	},
	"connection":          func(r *Request) (string, bool) { return strconv.FormatUint(r.Ctx.ConnID(), 10), true },
	"connection_requests": func(r *Request) (string, bool) { return strconv.FormatUint(r.Ctx.ConnRequestNum(), 10), true },
	"upstream_addr":       func(r *Request) (string, bool) { return r.Upstream.Addr, r.Upstream.Addr != "" },
	"upstream_status":     upstreamStatus,
	"upstream_response_time": func(r *Request) (string, bool) {
		return seconds(r.Upstream.ResponseTime.Milliseconds()), r.Upstream.Addr != ""
	},
}

// seconds formats a time in milliseconds as nginx does: seconds with three
// decimals.
func seconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// isArgs is $is_args: "?" when there are args.
func isArgs(r *Request) (string, bool) {
	if r.Args() != "" {
		return "?", true
	}
	return "", true
}

// scheme is $scheme.
func scheme(r *Request) (string, bool) {
	if r.Ctx.IsTLS() {
		return "https", true
	}
	return "http", true
}

// https is $https: "on" over TLS, else empty.
func https(r *Request) (string, bool) {
	if r.Ctx.IsTLS() {
		return "on", true
	}
	return "", true
}

// requestBody is $request_body: the body once read, none when empty.
func requestBody(r *Request) (string, bool) {
	if !r.bodyRead {
		return "", false
	}
	b := r.BodyData(0) // nil for a body in a file, as in nginx
	return string(b), len(b) > 0
}

// upstreamStatus is $upstream_status: none without an upstream exchange.
func upstreamStatus(r *Request) (string, bool) {
	if r.Upstream.Addr == "" {
		return "", false
	}
	return strconv.Itoa(r.Upstream.Status), true
}

// hostVar is nginx's $host: the host of an absolute request URI, else the
// Host header, lower-cased and without port, else the server name (empty).
func (r *Request) hostVar() string {
	h := string(r.Header("Host"))
	if uri := r.Ctx.Request.Header.RequestURI(); len(uri) > 0 && uri[0] != '/' {
		if _, rest, ok := strings.Cut(string(uri), "://"); ok {
			h, _, _ = strings.Cut(rest, "/")
		}
	}
	return strings.ToLower(stripPort(h))
}

// stripPort drops the ":port" of host[:port] or [v6]:port.
func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i >= 0 {
			return h[:i+1]
		}
		return h
	}
	host, _, _ := strings.Cut(h, ":")
	return host
}

func ipOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	host, _, _ := net.SplitHostPort(a.String())
	return host
}

func portOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return strconv.Itoa(t.Port)
	}
	_, port, _ := net.SplitHostPort(a.String())
	return port
}

// VarError is the error for a variable that cannot be written.
type VarError struct {
	Name    string
	Builtin bool // a built-in variable, which cannot be changed
}

// Error returns OpenResty's message.
func (e *VarError) Error() string {
	if e.Builtin {
		return fmt.Sprintf("variable %q not changeable", e.Name)
	}
	return fmt.Sprintf("variable %q not found for writing; maybe it is a built-in variable that is not changeable or you forgot to use \"set $%s '';\" in the config file to define it first", e.Name, e.Name)
}

// SetVar writes $name (ngx.var.NAME = value): a user variable the config
// declares, or $args. Other built-ins are not changeable; any other name
// is not found.
func (r *Request) SetVar(name, value string) error { return r.setVar(name, userVar{value: value}) }

// UnsetVar gives $name no value (ngx.var.NAME = nil); the names allowed are
// those of SetVar.
func (r *Request) UnsetVar(name string) error { return r.setVar(name, userVar{unset: true}) }

func (r *Request) setVar(name string, v userVar) error {
	name = strings.ToLower(name)
	if key, _, ok := r.declaredVar(name); ok {
		if r.userVars == nil {
			r.userVars = new(varStore)
		}
		r.userVars.set(key, v)
		return nil
	}
	switch _, builtin := builtins[name]; {
	case name == "args" && v.unset:
		r.ClearArgs()
	case name == "args":
		r.SetArgs(v.value)
	case builtin:
		return &VarError{Name: name, Builtin: true}
	default:
		return &VarError{Name: name}
	}
	return nil
}
