package host

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Var returns the value of the nginx variable $name (ngx.var.NAME) and
// whether it exists. Built-in variables follow nginx's meaning; user
// variables are those the config declares.
func (r *Request) Var(name string) (string, bool) {
	if v, ok := r.userVars[name]; ok {
		return v, true
	}
	if v, ok := r.declared[name]; ok {
		return v, true
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
		v := r.Ctx.Request.Header.Cookie(name[len("cookie_"):])
		return string(v), v != nil
	case strings.HasPrefix(name, "sent_http_"):
		v := r.Ctx.Response.Header.Peek(strings.ReplaceAll(name[len("sent_http_"):], "_", "-"))
		return string(v), v != nil
	}
	return r.builtinVar(name)
}

func (r *Request) headerVar(name string) (string, bool) {
	v := r.Ctx.Request.Header.Peek(strings.ReplaceAll(name, "_", "-"))
	if v == nil {
		return "", false
	}
	return string(v), true
}

// argVar returns the first argument named name, raw (not unescaped), as
// nginx's $arg_NAME; the name matches case-insensitively.
func argVar(q, name string) (string, bool) {
	for q != "" {
		var part string
		part, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(part, "=")
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func (r *Request) builtinVar(name string) (string, bool) {
	ctx := r.Ctx
	req := &ctx.Request
	switch name {
	case "uri", "document_uri":
		return r.uri, true
	case "request_uri":
		return string(r.RequestURI()), true
	case "args", "query_string":
		return r.Args(), true
	case "is_args":
		if r.Args() != "" {
			return "?", true
		}
		return "", true
	case "host":
		return r.hostVar(), true
	case "hostname":
		return r.Hostname, true
	case "scheme":
		if ctx.IsTLS() {
			return "https", true
		}
		return "http", true
	case "https":
		if ctx.IsTLS() {
			return "on", true
		}
		return "", true
	case "request_method":
		return string(req.Header.Method()), true
	case "request":
		return string(req.Header.Method()) + " " + string(r.RequestURI()) + " " + string(req.Header.Protocol()), true
	case "remote_addr":
		return ipOf(ctx.RemoteAddr()), true
	case "remote_port":
		return portOf(ctx.RemoteAddr()), true
	case "server_addr":
		return ipOf(ctx.LocalAddr()), true
	case "server_port":
		return portOf(ctx.LocalAddr()), true
	case "server_protocol":
		return string(req.Header.Protocol()), true
	case "content_type":
		v := req.Header.ContentType()
		return string(v), len(v) > 0
	case "content_length":
		v := req.Header.Peek("Content-Length")
		return string(v), len(v) > 0
	case "request_length":
		return strconv.Itoa(len(req.Header.RawHeaders()) + len(req.Header.RequestURI()) + len(req.Body()) + 16), true
	case "request_body":
		if !r.bodyRead {
			return "", false
		}
		return string(req.Body()), true
	case "request_time":
		return fmt.Sprintf("%.3f", r.Elapsed().Seconds()), true
	case "msec":
		return fmt.Sprintf("%.3f", float64(time.Now().UnixMilli())/1000), true
	case "status":
		return strconv.Itoa(r.status), true
	case "body_bytes_sent":
		return strconv.Itoa(r.bodyBytes), true
	case "bytes_sent":
		return strconv.Itoa(r.bodyBytes + len(ctx.Response.Header.Header())), true
	case "connection":
		return strconv.FormatUint(ctx.ConnID(), 10), true
	case "connection_requests":
		return strconv.FormatUint(ctx.ConnRequestNum(), 10), true
	case "upstream_addr":
		return r.Upstream.Addr, r.Upstream.Addr != ""
	case "upstream_status":
		if r.Upstream.Status == 0 {
			return "", r.Upstream.Addr != ""
		}
		return strconv.Itoa(r.Upstream.Status), true
	case "upstream_response_time":
		return fmt.Sprintf("%.3f", r.Upstream.ResponseTime.Seconds()), r.Upstream.Addr != ""
	}
	return "", false
}

// hostVar is nginx's $host: the Host header without port, lower-cased, or
// the server address when there is none.
func (r *Request) hostVar() string {
	h := string(r.Ctx.Request.Header.Host())
	if h == "" {
		return ipOf(r.Ctx.LocalAddr())
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(h)
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
type VarError struct{ Name, Reason string }

// Error returns OpenResty's message.
func (e *VarError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("variable %q not found for writing; maybe it is a built-in variable that is not changeable or you forgot to use \"set $%s ''\" in the config file to define it first", e.Name, e.Name)
	}
	return fmt.Sprintf("variable %q %s", e.Name, e.Reason)
}

// SetVar writes $name (ngx.var.NAME = value): a user variable the config
// declares, or $args. Other built-ins are not changeable.
func (r *Request) SetVar(name, value string) error {
	if _, ok := r.declared[name]; ok {
		if r.userVars == nil {
			r.userVars = make(map[string]string)
		}
		r.userVars[name] = value
		return nil
	}
	switch name {
	case "args", "query_string":
		r.SetArgs(value)
		return nil
	}
	if _, ok := r.builtinVar(name); ok || strings.HasPrefix(name, "http_") || strings.HasPrefix(name, "arg_") {
		return &VarError{Name: name, Reason: "not changeable"}
	}
	return &VarError{Name: name}
}
