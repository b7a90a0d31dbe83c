package gateway

// Integration tests of the request side of the ngx API (ngx.req.*, ngx.var
// and the proxied request). Every expected value is OpenResty's (nginx 1.22
// + lua-nginx-module 0.10.23 + lua-resty-core 0.1.25) for the same Lua and
// the same request: where that reference is installed, each case runs on
// it too, in an "openresty" subtest; a case it cannot run says why.

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moongate/moongate/host"
)

// reqCase is one route of a request-API test table and the request that
// exercises it.
type reqCase struct {
	name     string
	location string            // the route's location; "= <slug>" when empty
	hooks    map[string]string // phase -> Lua source
	proxy    string            // proxy_pass; "{up}" is the echo upstream's host:port
	method   string            // "GET" when empty
	target   string            // request target; the slug when empty
	body     string
	headers  []string // "Name: value"; "Host: x" sets the Host header
	raw      string   // a raw request to send instead; "{target}" is the target

	status int
	want   string                          // the response body; see reqServer.expand
	header map[string]string               // response headers; see reqServer.expand
	logs   []string                        // substrings the error log gets; see reqServer.expand
	check  func(t *testing.T, body string) // checks the body instead of want

	nginx string // why the reference OpenResty does not run the case; "" when it does
}

// reqLua is the Lua module "t" the cases use: t.dump(...) shows values
// (strings quoted, tables with sorted keys), t.try(f, ...) shows pcall's
// outcome as "ok <values>" or "error <message>", the message without the
// "chunk:line: " that gopher-lua and LuaJIT put in different places.
const reqLua = `
local M = {}
local function show(v)
  if type(v) == "string" then return '"' .. v .. '"' end
  if type(v) ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show(v[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end
function M.dump(...)
  local out = {}
  for i = 1, select("#", ...) do out[i] = show((select(i, ...))) end
  return table.concat(out, " ")
end
function M.try(f, ...)
  local r = {n = 0}
  local function pack(...) r.n = select("#", ...) for i = 1, r.n do r[i] = (select(i, ...)) end end
  pack(pcall(f, ...))
  if not r[1] then return "error " .. (tostring(r[2]):gsub("^.-:%d+: ", "")) end
  if r.n == 1 then return "ok" end
  return "ok " .. M.dump(unpack(r, 2, r.n))
end
return M
`

// reqVariables are the user variables of the tables' configs.
var reqVariables = map[string]string{"myvar": "dflt", "MixedCase": "mc"}

func (c *reqCase) loc() string {
	if c.location != "" {
		return c.location
	}
	return "= " + c.slug()
}

// slug is the case's default path: "/" and its name, spaces as "_".
func (c *reqCase) slug() string { return "/" + strings.ReplaceAll(c.name, " ", "_") }

func (c *reqCase) path() string {
	if c.target != "" {
		return c.target
	}
	return c.slug()
}

// reqServer is a server under test: its address, its error log and the
// echo upstream it proxies to.
type reqServer struct {
	addr string // host:port
	log  func() string
	up   string // the echo upstream's host:port
}

// expand replaces, in s, "{port}" by the server's port, "{up}" by the echo
// upstream's address, "{hostname}" by the machine's name.
func (srv reqServer) expand(s string) string {
	_, port, _ := net.SplitHostPort(srv.addr)
	hostname, _ := os.Hostname()
	return strings.NewReplacer("{port}", port, "{up}", srv.up, "{hostname}", hostname).Replace(s)
}

// echoUpstream starts an upstream that answers with what it received: the
// request line, the x-t-* headers (lower-cased, sorted), the body length
// and the body.
func echoUpstream(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var names []string
		for k := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-t-") {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		fmt.Fprintf(w, "%s %s\n", r.Method, r.RequestURI)
		for _, k := range names {
			fmt.Fprintf(w, "%s: %s\n", strings.ToLower(k), strings.Join(r.Header[k], ","))
		}
		fmt.Fprintf(w, "len=%d body=%s\n", r.ContentLength, body)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// reqRoutes renders the cases as moongate's routes, proxying to up.
func reqRoutes(cases []reqCase, up string) string {
	var b strings.Builder
	b.WriteString("variables: {")
	for k, v := range reqVariables {
		fmt.Fprintf(&b, "%s: %s, ", k, v)
	}
	b.WriteString("}\nroutes:\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "  - location: %q\n", c.loc())
		if c.proxy != "" {
			fmt.Fprintf(&b, "    proxy_pass: %s\n", strings.ReplaceAll(c.proxy, "{up}", up))
		}
		for _, phase := range respPhases {
			if src, ok := c.hooks[phase]; ok {
				fmt.Fprintf(&b, "    %s:\n      lua: |\n", phase)
				for _, line := range strings.Split(strings.TrimSpace(src), "\n") {
					b.WriteString("        " + strings.TrimSpace(line) + "\n")
				}
			}
		}
	}
	return b.String()
}

// runReqCases serves the cases from one gateway (and, when it is
// installed, from the reference OpenResty) and checks each in a subtest.
func runReqCases(t *testing.T, cases []reqCase) {
	t.Helper()
	up := echoUpstream(t)
	files := map[string]string{"lua/t.lua": reqLua}
	tg := startGateway(t, reqRoutes(cases, up), files)
	mg := reqServer{addr: tg.Addr().String(), log: tg.errorLog, up: up}
	ref := startReqNginx(t, cases, files, up)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, mg)
			if ref != nil && c.nginx == "" {
				t.Run("openresty", func(t *testing.T) { c.run(t, *ref) })
			}
		})
	}
}

// run sends the case's request to srv and checks the answer and the log.
func (c *reqCase) run(t *testing.T, srv reqServer) {
	t.Helper()
	var got response
	var err error
	if c.raw != "" {
		got, err = rawExchange(srv.addr, strings.ReplaceAll(c.raw, "{target}", c.path()))
	} else {
		got, err = c.send(srv.addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	body := nginxFooter.ReplaceAllString(got.body, "<center>"+host.ServerName+"</center>")
	if want := srv.expand(c.want); got.status != c.status || (c.check == nil && body != want) {
		t.Errorf("got %d %q\nwant %d %q", got.status, body, c.status, want)
	}
	if c.check != nil {
		c.check(t, body)
	}
	for k, want := range c.header {
		if v := strings.Join(got.header.Values(k), ","); v != srv.expand(want) {
			t.Errorf("header %s = %q, want %q", k, v, srv.expand(want))
		}
	}
	for _, s := range c.logs {
		waitForLog(t, srv.log, srv.expand(s))
	}
}

// send sends the case's request with net/http.
func (c *reqCase) send(addr string) (response, error) {
	method := c.method
	if method == "" {
		method = "GET"
	}
	req, err := http.NewRequest(method, "http://"+addr+c.path(), strings.NewReader(c.body))
	if err != nil {
		return response{}, err
	}
	for _, h := range c.headers {
		k, v, _ := strings.Cut(h, ":")
		if v = strings.TrimSpace(v); strings.EqualFold(k, "Host") {
			req.Host = v
		} else {
			req.Header.Add(k, v)
		}
	}
	resp, err := respClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

// waitForLog waits until the error log contains s: nginx runs the log
// phase after the response is sent.
func waitForLog(t *testing.T, log func() string, s string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log(), s); {
		if time.Now().After(deadline) {
			t.Errorf("error log lacks %q:\n%s", s, log())
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startReqNginx serves the cases nginx can run with the reference
// OpenResty, or returns nil when it is not installed.
func startReqNginx(t *testing.T, cases []reqCase, files map[string]string, up string) *reqServer {
	t.Helper()
	if !refNginxInstalled() {
		return nil
	}
	var srv strings.Builder
	for k, v := range reqVariables {
		fmt.Fprintf(&srv, "set $%s %s;\n", k, v)
	}
	for _, c := range cases {
		if c.nginx != "" {
			continue
		}
		fmt.Fprintf(&srv, "location %s {\n", c.loc())
		if c.proxy != "" {
			fmt.Fprintf(&srv, "proxy_pass %s;\n", strings.ReplaceAll(c.proxy, "{up}", up))
		}
		for _, phase := range respPhases {
			if src, ok := c.hooks[phase]; ok {
				fmt.Fprintf(&srv, "%s_by_lua_block {\n%s\n}\n", phase, src)
			}
		}
		srv.WriteString("}\n")
	}
	dir, port := startRefNginx(t, files, srv.String())
	logPath := filepath.Join(dir, "error.log")
	return &reqServer{
		addr: "127.0.0.1:" + strconv.Itoa(port),
		log:  func() string { b, _ := os.ReadFile(logPath); return string(b) },
		up:   up,
	}
}

// reqContent is a route's hooks with only a content hook.
func reqContent(src string) map[string]string { return map[string]string{"content": src} }

// luaOut wraps body, Lua that calls o(string) for each line of output,
// into a hook that prints those lines; t is the test module.
func luaOut(body string) string {
	return "local t = require \"t\"\nlocal out = {}\nlocal function o(s) out[#out + 1] = s end\n" +
		body + "\nngx.print(table.concat(out, \"\\n\"))"
}

func TestReqURIArgs(t *testing.T) {
	many := `local q = {} for i = 1, 101 do q[i] = "a" .. i .. "=" .. i end ngx.var.args = table.concat(q, "&")`
	runReqCases(t, []reqCase{
		{name: "shapes", target: "/shapes?x=1&y&x=2&=z&k=&a%20b=c+d&m=%zz&n=%2&&p=%41&q=1=2&r=%%41&s=%4z&u=%e4%b8%ad&v=%2B+",
			hooks:  reqContent(luaOut(`o(t.dump(ngx.req.get_uri_args()))`)),
			status: 200, want: `{a b="c d",k="",m="%zz",n="%2",p="A",q="1=2",r="%A",s="%4z",u="中",v="+ ",x={1="1",2="2"},y=true}`},
		{name: "max_args", hooks: reqContent(luaOut(`
			for _, q in ipairs({"a=1&b=2&c=3", "a=1&b=2", "a=1&&b=2", "=1&a=2&b=3", "a=1&b=2&", "a&b&c&d"}) do
			ngx.var.args = q
			o(q .. " " .. t.dump(ngx.req.get_uri_args(2)))
			end
			ngx.var.args = "a=1&b=2&c=3"
			o(t.dump(ngx.req.get_uri_args(0)) .. " " .. t.dump(ngx.req.get_uri_args(-1)))
			o(t.try(ngx.req.get_uri_args, "x"):match("^error") or "no error")`)),
			status: 200, want: `a=1&b=2&c=3 {a="1",b="2"} "truncated"
a=1&b=2 {a="1",b="2"}
a=1&&b=2 {a="1",b="2"} "truncated"
=1&a=2&b=3 {a="2",b="3"} "truncated"
a=1&b=2& {a="1",b="2"} "truncated"
a&b&c&d {a=true,b=true} "truncated"
{a="1",b="2",c="3"} {a="1",b="2",c="3"}
error`},
		{name: "default limit", hooks: reqContent(luaOut(many + `
			local args, err = ngx.req.get_uri_args()
			local n = 0 for _ in pairs(args) do n = n + 1 end
			o(t.dump(n, err, args.a100, args.a101))
			args = ngx.req.get_uri_args(0)
			n = 0 for _ in pairs(args) do n = n + 1 end
			o(t.dump(n))`)),
			status: 200, want: `100 "truncated" "100" nil` + "\n101"},
		{name: "reused table", target: "/reused_table?x=1", hooks: reqContent(luaOut(`
			local tab = {old = 1}
			local got = ngx.req.get_uri_args(nil, tab)
			o(t.dump(got == tab, tab))`)),
			status: 200, want: `true {x="1"}`},
		{name: "no query", target: "/no_query?", hooks: reqContent(luaOut(`
			o(t.dump(ngx.req.get_uri_args(), ngx.var.args, ngx.var.is_args, ngx.var.query_string, ngx.var.request_uri))`)),
			status: 200, want: `{} nil "" nil "/no_query?"`},
		{name: "set_uri_args", target: "/set_uri_args?x=1", hooks: reqContent(luaOut(`
			ngx.req.set_uri_args("b=2&c")
			o(t.dump(ngx.var.args, ngx.var.request_uri, ngx.req.get_uri_args(), ngx.req.is_internal()))
			ngx.req.set_uri_args({y = {"1", true, false, 2.5}}) o(ngx.var.args)
			ngx.req.set_uri_args({w = true}) o(ngx.var.args)
			ngx.req.set_uri_args({v = false}) o(t.dump(ngx.var.args))
			ngx.req.set_uri_args({["k y"] = 1e20}) o(ngx.var.args)
			ngx.req.set_uri_args({z = "a b!'()*~-._/?&=%é"}) o(ngx.var.args)
			ngx.req.set_uri_args({z = {x = "1"}}) o(ngx.var.args)
			ngx.req.set_uri_args(12) o(ngx.var.args)
			ngx.req.set_uri_args("a b=é&#%41\1\127") o(ngx.var.args)
			o(t.dump(ngx.req.get_uri_args()))
			ngx.req.set_uri_args("") o(t.dump(ngx.var.args, ngx.var.is_args))
			ngx.req.set_uri_args({}) o(t.dump(ngx.var.args))`)),
			status: 200, want: `"b=2&c" "/set_uri_args?x=1" {b="2",c=true} false
y=1&y&y=2.5
w
""
k%20y=1e%2B20
z=a%20b!'()*~-._%2F%3F%26%3D%25%C3%A9
z=1
12
a%20b=é&#%41%01%7F
{#A` + "\x01\x7f" + `=true,a b="é"}
"" ""
""`},
		{name: "set_uri_args errors", hooks: reqContent(luaOut(`
			o(t.try(ngx.req.set_uri_args))
			o(t.try(ngx.req.set_uri_args, "x", "y"))
			o(t.try(function() ngx.req.set_uri_args(nil) end))
			o(t.try(function() ngx.req.set_uri_args(true) end))
			o(t.try(ngx.req.set_uri_args, {[1] = "n"}))
			o(t.try(ngx.req.set_uri_args, {a = {{}}}))
			o(t.try(ngx.req.set_uri_args, {a = ngx.null}))
			o(t.try(ngx.req.set_uri_args, {a = function() end}))
			o(t.dump(ngx.var.args))`)),
			status: 200, want: `error expecting 1 argument but seen 0
error expecting 1 argument but seen 2
error bad argument #1 to 'set_uri_args' (string, number, or table expected, but got nil)
error bad argument #1 to 'set_uri_args' (string, number, or table expected, but got boolean)
error attempt to use a non-string key in the "args" option table
error attempt to use table as query arg value
error attempt to use userdata as query arg value
error attempt to use function as query arg value
nil`},
		{name: "arg vars", target: "/arg_vars?y&y=2&Z=&w&x=%41&X=2&s=a+b", hooks: reqContent(luaOut(`
			o(t.dump(ngx.var.arg_y, ngx.var.arg_z, ngx.var.arg_w, ngx.var.arg_x, ngx.var.arg_X, ngx.var.arg_s, ngx.var.arg_none))`)),
			status: 200, want: `"2" "" nil "%41" "%41" "a+b" nil`},
	})
}

func TestReqHeaders(t *testing.T) {
	rawGet := func(headers string) string {
		return "GET {target} HTTP/1.1\r\nHost: h\r\n" + headers + "\r\n"
	}
	hundred := `for i = 1, 101 do ngx.req.set_header("X-H" .. i, "v") end`
	runReqCases(t, []reqCase{
		{name: "lookups", headers: []string{"X-Foo: a", "X-Foo: b", "Cookie: c=1", "Cookie: d=2"},
			hooks: reqContent(luaOut(`
				local h, err = ngx.req.get_headers()
				o(t.dump(h["x-foo"], h.X_Foo, h["X-FOO"], h.x_foo, err, h.cookie, rawget(h, "X-Foo"), h.missing, h["user-agent"]))`)),
			status: 200, want: `{1="a",2="b"} {1="a",2="b"} {1="a",2="b"} {1="a",2="b"} nil {1="c=1",2="d=2"} nil nil "Go-http-client/1.1"`},
		{name: "raw names", raw: rawGet("X-Foo: a\r\nx-foo: b\r\nCookie: c=1\r\nCookie: d=2\r\n"),
			hooks: reqContent(luaOut(`
				local h = ngx.req.get_headers(0, true)
				o(t.dump(h, getmetatable(h), h.X_Foo))`)),
			status: 200, want: `{Cookie={1="c=1",2="d=2"},Host="h",X-Foo="a",x-foo="b"} nil nil`},
		{name: "max_headers", raw: rawGet("A: 1\r\nB: 2\r\nC: 3\r\n"),
			hooks: reqContent(luaOut(`
				o(t.dump(ngx.req.get_headers(2)))
				o(t.dump(ngx.req.get_headers(4)))
				o(t.dump(ngx.req.get_headers(3, true)))
				o(t.dump(ngx.req.get_headers(-1, true)))`)),
			status: 200, want: `{a="1",host="h"} "truncated"
{a="1",b="2",c="3",host="h"}
{A="1",B="2",Host="h"} "truncated"
{A="1",B="2",C="3",Host="h"}`},
		{name: "default max_headers", raw: rawGet(""), hooks: reqContent(luaOut(hundred + `
			local h, err = ngx.req.get_headers()
			local n = 0 for _ in pairs(h) do n = n + 1 end
			o(t.dump(n, err))
			n = 0 for _ in pairs(ngx.req.get_headers(0)) do n = n + 1 end
			o(t.dump(n))`)),
			status: 200, want: `100 "truncated"` + "\n102"},
		{name: "set_header keeps places", raw: rawGet("A: 1\r\nB: 1\r\nc: 1\r\nb: 2\r\nD: 1\r\n"),
			hooks: reqContent(luaOut(`
				ngx.req.set_header("b", "new")
				ngx.req.set_header("C", {"x", "y"})
				for i = 1, 7 do o(t.dump(ngx.req.get_headers(i, true))) end
				ngx.req.set_header("c", "z")
				o(t.dump(ngx.req.get_headers(0, true)))`)),
			status: 200, want: `{Host="h"} "truncated"
{A="1",Host="h"} "truncated"
{A="1",B="new",Host="h"} "truncated"
{A="1",B="new",Host="h",c="x"} "truncated"
{A="1",B="new",D="1",Host="h",c="x"} "truncated"
{A="1",B="new",C="y",D="1",Host="h",c="x"}
{A="1",B="new",C="y",D="1",Host="h",c="x"}
{A="1",B="new",D="1",Host="h",c="z"}`},
		{name: "set_header values", headers: []string{"X-Gone: 1", "X-Nil: 1", "X-Empty: 1"},
			hooks: reqContent(luaOut(`
				ngx.req.set_header("X-Num", 12)
				ngx.req.set_header("X-Bool", true)
				ngx.req.set_header("X-Multi", {"a", 2})
				ngx.req.set_header("X-Bad", "a\r\nb\tc\1%")
				ngx.req.set_header("a\nb:(c)", "x")
				ngx.req.set_header("Foo_Bar", "u")
				ngx.req.set_header("X-Empty", "")
				ngx.req.set_header("X-Gone", {})
				ngx.req.set_header("X-Nil", nil)
				local h = ngx.req.get_headers()
				o(t.dump(h["x-num"], h["x-bool"], h["x-multi"], h["x-bad"], h["a%0Ab%3A%28c%29"], h.foo_bar, h["x-empty"], h["x-gone"], h["x-nil"]))
				o(t.dump(ngx.var.http_foo_bar, ngx.var.http_x_multi, ngx.var["http_foo-bar"]))
				o(t.try(ngx.req.set_header, nil, "x"))
				o(t.try(ngx.req.set_header, "X-Ok"))
				o(t.dump(ngx.req.get_headers()["x-ok"]))`)),
			status: 200, want: `"12" "true" {1="a",2="2"} "a%0D%0Ab` + "\t" + `c%01%" "x" "u" nil nil nil
"u" "a" nil
error bad 'name' argument: string expected, got nil
ok
nil`},
		{name: "clear_header and host", headers: []string{"Host: New.Example:81"},
			hooks: reqContent(luaOut(`
				o(t.dump(ngx.var.host, ngx.var.http_host))
				ngx.req.set_header("Host", "Other.Example")
				o(t.dump(ngx.var.host, ngx.var.http_host))
				ngx.req.set_header("Host", "[::1]:8080")
				o(t.dump(ngx.var.host))
				ngx.req.clear_header("host")
				o(t.dump(ngx.var.host, ngx.var.http_host, ngx.req.get_headers().host))
				ngx.req.clear_header("X-Absent")`)),
			status: 200, want: `"new.example" "New.Example:81"
"other.example" "Other.Example"
"[::1]"
"" nil nil`},
		{name: "joined and cookies",
			headers: []string{"X-Forwarded-For: 1.1.1.1", "X-Forwarded-For: 2.2.2.2", "X-Y: 1", "X-Y: 2",
				`Cookie: a=1;b=2 ;  c = 3; d="q"; e=; f`, "Cookie: g=7,h=8; xa=9; a=10"},
			hooks: reqContent(luaOut(`
				o(t.dump(ngx.var.http_x_forwarded_for, ngx.var.http_x_y, ngx.var.http_cookie))
				local v = ngx.var
				o(t.dump(v.cookie_a, v.cookie_b, v.cookie_c, v.cookie_d, v.cookie_e, v.cookie_f, v.cookie_g, v.cookie_h, v.cookie_A, v.cookie_x, v.cookie_xa, v.cookie_none))
				ngx.req.set_header("Cookie", {"k=v", "l=w"})
				o(t.dump(v.cookie_k, v.cookie_l, v.cookie_a, v.http_cookie))`)),
			status: 200, want: `"1.1.1.1, 2.2.2.2" "1" "a=1;b=2 ;  c = 3; d="q"; e=; f; g=7,h=8; xa=9; a=10"
"1" "2 " "3" ""q"" "" nil "7,h=8" "8" "1" nil "9" nil
"v" "w" nil "k=v; l=w"`},
	})
}

func TestReqBody(t *testing.T) {
	lengthRaw := "POST {target} HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
	header := len("POST /request_length HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n")
	runReqCases(t, []reqCase{
		{name: "read and set", method: "POST", body: "a=1&b=2&a=3&c", hooks: reqContent(luaOut(`
			o(t.dump(ngx.req.get_body_data(), ngx.var.request_body))
			o(t.try(ngx.req.get_post_args))
			o(t.try(ngx.req.set_body_data, "x"))
			ngx.req.read_body()
			o(t.dump(ngx.req.get_body_data(), ngx.var.request_body))
			o(t.dump(ngx.req.get_post_args()))
			o(t.dump(ngx.req.get_post_args(1)))
			ngx.req.set_body_data("q=9")
			o(t.dump(ngx.req.get_body_data(), ngx.var.content_length, ngx.req.get_headers()["content-length"], ngx.var.request_body))
			o(t.dump(ngx.req.get_post_args()))
			ngx.req.discard_body()
			o(t.dump(ngx.req.get_body_data()))
			ngx.req.set_body_data(12)
			o(t.dump(ngx.req.get_body_data()))
			ngx.req.set_body_data("")
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_headers()["content-length"], ngx.req.get_post_args()))`)),
			// nginx caches $content_length once read: the tables read it once.
			status: 200, want: `nil nil
error no request body found; maybe you should turn on lua_need_request_body?
error request body not read yet
"a=1&b=2&a=3&c" "a=1&b=2&a=3&c"
{a={1="1",2="3"},b="2",c=true}
{a="1"} "truncated"
"q=9" "3" "3" "q=9"
{q="9"}
"q=9"
"12"
nil "0" {}`},
		{name: "discard first", method: "POST", body: "a=1", hooks: reqContent(luaOut(`
			ngx.req.discard_body()
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_headers()["content-length"]))
			o(t.try(ngx.req.get_post_args))
			o(t.try(ngx.req.set_body_data, "x"))
			ngx.req.read_body()
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_post_args()))
			o(t.try(ngx.req.set_body_data, "xy"))
			o(t.dump(ngx.req.get_body_data(), ngx.var.content_length))`)),
			status: 200, want: `nil "3"
error no request body found; maybe you should turn on lua_need_request_body?
error request body not read yet
nil {}
ok
"xy" "2"`},
		{name: "no body", hooks: reqContent(luaOut(`
			ngx.req.read_body()
			ngx.req.read_body()
			o(t.dump(ngx.req.get_body_data(), ngx.req.get_post_args(), ngx.var.content_length, ngx.var.content_type, ngx.var.request_body))`)),
			status: 200, want: `nil {} nil nil nil`},
		{name: "bad arguments", method: "POST", body: "x", hooks: reqContent(luaOut(`
			o(t.try(ngx.req.read_body, 1))
			o(t.try(ngx.req.discard_body, 1))
			ngx.req.read_body()
			o(t.try(function() ngx.req.set_body_data(nil) end))
			o(t.try(function() ngx.req.set_body_data({}) end))
			o(t.try(ngx.req.set_body_data))
			o(t.try(ngx.req.get_post_args, 1, 2))`)),
			status: 200, want: `error expecting 0 arguments but seen 1
error expecting 0 arguments but seen 1
error bad argument #1 to 'set_body_data' (string expected, got nil)
error bad argument #1 to 'set_body_data' (string expected, got table)
error expecting 1 arguments but seen 0
error expecting 0 or 1 arguments but seen 2`},
		{name: "get_body_data max_bytes", method: "POST", body: "abcdef", nginx: "lua-nginx-module 0.10.23 predates max_bytes",
			hooks:  reqContent(luaOut(`ngx.req.read_body() o(t.dump(ngx.req.get_body_data(3), ngx.req.get_body_data(0), ngx.req.get_body_data(9)))`)),
			status: 200, want: `"abc" "abcdef" "abcdef"`},
		{name: "in rewrite and access", method: "POST", body: "a=1", hooks: map[string]string{
			"rewrite": `ngx.req.read_body() ngx.ctx.rw = ngx.req.get_body_data() ngx.req.set_body_data("b=2")`,
			"access":  `ngx.ctx.ac = ngx.req.get_post_args().b`,
			"content": `ngx.say(ngx.ctx.rw, " ", ngx.ctx.ac, " ", ngx.req.get_body_data())`,
		}, status: 200, want: "a=1 2 b=2\n"},
		{name: "request_length", raw: lengthRaw, hooks: reqContent(`
			ngx.say(ngx.var.request_length) ngx.req.read_body() ngx.say(ngx.var.request_length)`),
			status: 200, want: fmt.Sprintf("%d\n%d\n", header, header+5)},
	})
}

func TestReqURI(t *testing.T) {
	runReqCases(t, []reqCase{
		{name: "set_uri", target: "/set_uri?x=1", hooks: reqContent(luaOut(`
			o(t.dump(ngx.req.is_internal()))
			o(t.try(ngx.req.set_uri, "/c d?e"))
			o(t.dump(ngx.var.uri, ngx.var.request_uri, ngx.var.args, ngx.var.document_uri, ngx.req.is_internal()))
			o(t.try(ngx.req.set_uri, ""))
			o(t.try(ngx.req.set_uri, "/x", true))
			o(t.try(ngx.req.set_uri))
			o(t.try(ngx.req.set_uri, "/y", false, false, 1))
			o(t.try(ngx.req.set_uri, 5))
			o(t.dump(ngx.var.uri))
			o(t.try(function() ngx.req.set_uri("/x", 1) end))
			o(t.try(function() ngx.req.set_uri(nil) end))
			o(t.try(ngx.req.set_uri, "/a\nb"))
			o(t.try(ngx.req.set_uri, "/a b\tc\1"))
			o(t.try(ngx.req.set_uri, "/a\127b", false, false))
			o(t.try(ngx.req.set_uri, "/a\nb", false, true))
			o(t.dump(ngx.var.uri))`)),
			status: 200, want: `false
ok
"/c d?e" "/set_uri?x=1" "x=1" "/c d?e" true
error attempt to use zero-length uri
error API disabled in the context of content_by_lua*
error expecting 1, 2 or 3 arguments but seen 0
error expecting 1, 2 or 3 arguments but seen 4
ok
"5"
error bad argument #2 to 'set_uri' (boolean expected, got number)
error bad argument #1 to 'set_uri' (string expected, got nil)
error unsafe byte "0x0a" in uri "/a\x0Ab" (maybe you want to set the 'binary' argument?)
error unsafe byte "0x01" in uri "/a b\x09c\x01" (maybe you want to set the 'binary' argument?)
error unsafe byte "0x7f" in uri "/a\x7Fb" (maybe you want to set the 'binary' argument?)
ok
"/a
b"`},
		{name: "without jump", hooks: map[string]string{
			"rewrite": `ngx.req.set_uri("/elsewhere")`,
			"content": `ngx.say(ngx.var.uri, " ", tostring(ngx.req.is_internal()))`,
		}, status: 200, want: "/elsewhere true\n"},
		{name: "jump", location: "/jump/", target: "/jump/start?q=1", hooks: map[string]string{
			"rewrite": `
				ngx.ctx.seen = "jump"
				ngx.req.set_uri("/jumped/" .. ngx.var.uri:sub(7), true)
				ngx.ctx.seen = "not reached"`,
			"content": `ngx.say("no jump")`,
		}, status: 200, want: "/jumped/start q=1 true jumped-rewrite;\n"},
		{name: "jumped", location: "/jumped/", target: "/jumped/direct", hooks: map[string]string{
			"rewrite": `ngx.ctx.seen = (ngx.ctx.seen or "") .. "jumped-rewrite;"`,
			"content": `ngx.say(ngx.var.uri, " ", tostring(ngx.var.args), " ", tostring(ngx.req.is_internal()), " ", ngx.ctx.seen)`,
		}, status: 200, want: "/jumped/direct nil false jumped-rewrite;\n"},
		{name: "jump cycle", hooks: map[string]string{"rewrite": `ngx.req.set_uri("/jump_cycle", true)`},
			status: 500, want: page(500), logs: []string{`rewrite or internal redirection cycle while processing "/jump_cycle"`}},
		{name: "jump outside rewrite", hooks: map[string]string{
			"access":        `local t = require "t" ngx.ctx.access = t.try(ngx.req.set_uri, "/x", true)`,
			"content":       `ngx.say(ngx.ctx.access, " ", ngx.var.uri)`,
			"header_filter": `local t = require "t" ngx.header["X-J"] = t.try(ngx.req.set_uri, "/x", true)`,
		}, status: 200, want: "error API disabled in the context of access_by_lua* /jump_outside_rewrite\n",
			header: map[string]string{"X-J": "error API disabled in the context of header_filter_by_lua*"}},
	})
}

func TestReqMethodVersionAndMore(t *testing.T) {
	methods := `{"GET", "HEAD", "POST", "PUT", "DELETE", "MKCOL", "COPY", "MOVE", "OPTIONS", "PROPFIND",
		"PROPPATCH", "LOCK", "UNLOCK", "PATCH", "TRACE"}`
	before := time.Now()
	runReqCases(t, []reqCase{
		{name: "method", method: "POST", hooks: reqContent(luaOut(`
			o(t.dump(ngx.req.get_method(), ngx.var.request_method))
			ngx.req.set_method(ngx.HTTP_PUT)
			o(t.dump(ngx.req.get_method(), ngx.var.request_method, ngx.var.request))
			local names = {}
			for _, m in ipairs(` + methods + `) do
			ngx.req.set_method(ngx["HTTP_" .. m])
			names[#names + 1] = ngx.req.get_method()
			end
			ngx.req.set_method(ngx.HTTP_GET)
			o(table.concat(names, " "))
			o(t.try(ngx.req.set_method, 3))
			o(t.try(ngx.req.set_method, "GET"))
			o(t.try(ngx.req.set_method))`)),
			status: 200, want: `"POST" "POST"
"PUT" "PUT" "POST /method HTTP/1.1"
GET HEAD POST PUT DELETE MKCOL COPY MOVE OPTIONS PROPFIND PROPPATCH LOCK UNLOCK PATCH TRACE
error unsupported HTTP method: 3
error bad method number
error bad method number`},
		{name: "http 1.1", hooks: reqContent(luaOut(`o(t.dump(ngx.req.http_version(), ngx.var.server_protocol))`)),
			status: 200, want: `1.1 "HTTP/1.1"`},
		{name: "http 1.0", raw: "GET {target}?a=1 HTTP/1.0\r\nX-A:  v1\r\nx-a:v2\r\n\r\n", hooks: reqContent(luaOut(`
			o(t.dump(ngx.req.http_version(), ngx.var.server_protocol, ngx.var.host, ngx.req.get_headers(), ngx.var.request))
			o(ngx.req.raw_header())`)),
			status: 200, want: `1 "HTTP/1.0" "" {x-a={1="v1",2="v2"}} "GET /http_1.0?a=1 HTTP/1.0"` + "\n" +
				"GET /http_1.0?a=1 HTTP/1.0\r\nX-A:  v1\r\nx-a:v2\r\n\r\n"},
		{name: "raw_header", raw: "POST {target}?q=1 HTTP/1.1\r\nHost: h\r\nX-Foo: a\r\nx-foo: b\r\nContent-Length: 0\r\n\r\n",
			hooks: reqContent(`
				ngx.req.set_method(ngx.HTTP_PUT)
				ngx.req.set_header("X-New", "1")
				ngx.req.clear_header("X-Foo")
				ngx.print(ngx.req.raw_header(), "|", ngx.req.raw_header(true))`),
			status: 200, want: "POST /raw_header?q=1 HTTP/1.1\r\nHost: h\r\nX-Foo: a\r\nx-foo: b\r\nContent-Length: 0\r\n\r\n|" +
				"Host: h\r\nX-Foo: a\r\nx-foo: b\r\nContent-Length: 0\r\n\r\n"},
		{name: "start_time", hooks: map[string]string{
			"rewrite": `ngx.ctx.start = ngx.req.start_time()`,
			"content": `
				local st = ngx.req.start_time()
				ngx.say(type(st), " ", tostring(st == ngx.ctx.start), " ", string.format("%.3f", st))`,
		}, status: 200, check: func(t *testing.T, body string) {
			after := time.Now()
			f := strings.Fields(body)
			if len(f) != 3 || f[0] != "number" || f[1] != "true" {
				t.Fatalf("got %q", body)
			}
			st, err := strconv.ParseFloat(f[2], 64)
			if err != nil || st < float64(before.UnixMilli()-1000)/1000 || st > float64(after.UnixMilli())/1000 {
				t.Errorf("start_time %q not within [%v, %v]", f[2], before, after)
			}
		}},
		{name: "is_internal", hooks: map[string]string{
			"rewrite": `ngx.ctx.rw = ngx.req.is_internal()`,
			"content": `ngx.say(tostring(ngx.ctx.rw), " ", tostring(ngx.req.is_internal()))`,
		}, status: 200, want: "false false\n"},
	})
}

func TestReqVar(t *testing.T) {
	write := `local function w(name, val) o(name .. ": " .. t.try(function() ngx.var[name] = val end)) end`
	notFound := func(name string) string {
		return name + `: error variable "` + name + `" not found for writing; maybe it is a built-in variable that is not changeable or you forgot to use "set $` + name + ` '';" in the config file to define it first`
	}
	runReqCases(t, []reqCase{
		{name: "builtins", location: "/builtins/", method: "POST", target: "/builtins/a%20b?x=1&X=2&y=%41", body: "hello",
			headers: []string{"Host: ExAmple.COM:8080", "Content-Type: text/x"}, hooks: reqContent(luaOut(`
				local v = ngx.var
				o(t.dump(v.uri, v.document_uri, v.request_uri, v.args, v.query_string, v.is_args, v.host, v.http_host))
				o(t.dump(v.scheme, v.https, v.request_method, v.remote_addr, v.server_addr, v.server_port, v.server_protocol))
				o(t.dump(v.content_type, v.content_length, v.status, v.body_bytes_sent, v.request_body, v.hostname))
				o(t.dump(v.upstream_addr, v.upstream_status, v.upstream_response_time, v.nonexistent, v.http_none, v.cookie_none, v.arg_none))
				o(t.dump(type(v.remote_port), v.remote_port == tostring(tonumber(v.remote_port)), v.request_time:match("^%d+%.%d%d%d$") ~= nil))
				o(t.dump(v.URI, v.Request_Method, v.HTTP_HOST, v[1], v[""]))
				o(t.try(function() return v[true] end))`)),
			status: 200, want: `"/builtins/a b" "/builtins/a b" "/builtins/a%20b?x=1&X=2&y=%41" "x=1&X=2&y=%41" "x=1&X=2&y=%41" "?" "example.com" "ExAmple.COM:8080"
"http" "" "POST" "127.0.0.1" "127.0.0.1" "{port}" "HTTP/1.1"
"text/x" "5" "000" "0" nil "{hostname}"
nil nil nil nil nil nil nil
"string" true true
"/builtins/a b" "POST" "ExAmple.COM:8080" nil nil
error bad variable name`},
		{name: "status in log", hooks: map[string]string{
			"content": `ngx.status = 201 ngx.header.content_length = 4 ngx.say(ngx.var.status)`,
			"log": `ngx.log(ngx.ERR, "vars-log ", ngx.var.status, " ", ngx.var.body_bytes_sent, " ", tostring(ngx.var.upstream_addr),
				" ", ngx.var.request_time:match("^%d+%.%d%d%d$") and "time-ok" or "time-bad")`,
		}, status: 201, want: "201\n", logs: []string{"vars-log 201 4 nil time-ok"}},
		{name: "user variables", hooks: reqContent(luaOut(write + `
			o(t.dump(ngx.var.myvar, ngx.var.MYVAR, ngx.var.mixedcase, ngx.var.MixedCase))
			ngx.var.myvar = "v1" o(t.dump(ngx.var.myvar))
			ngx.var.MyVar = 12 o(t.dump(ngx.var.myvar))
			ngx.var.myvar = true o(t.dump(ngx.var.myvar))
			ngx.var.myvar = nil o(t.dump(ngx.var.myvar))
			ngx.var.mixedcase = "m2" o(t.dump(ngx.var.MIXEDCASE))`)),
			status: 200, want: `"dflt" "dflt" "mc" "mc"
"v1"
"12"
"true"
nil
"m2"`},
		{name: "fresh per request", hooks: reqContent(`ngx.say(ngx.var.myvar) ngx.var.myvar = "changed"`),
			status: 200, want: "dflt\n"},
		{name: "not writable", hooks: reqContent(luaOut(write + `
			w("uri", "/x") w("URI", "/x") w("request_uri", "1") w("query_string", "q") w("status", "1")
			w("upstream_addr", "1") w("host", "h") w("remote_addr", "1")
			w("nope", "1") w("http_foo", "1") w("arg_x", "1") w("cookie_a", "1")
			o(t.try(function() ngx.var[1] = 2 end))`)),
			status: 200, want: `uri: error variable "uri" not changeable
URI: error variable "uri" not changeable
request_uri: error variable "request_uri" not changeable
query_string: error variable "query_string" not changeable
status: error variable "status" not changeable
upstream_addr: error variable "upstream_addr" not changeable
host: error variable "host" not changeable
remote_addr: error variable "remote_addr" not changeable
` + notFound("nope") + "\n" + notFound("http_foo") + "\n" + notFound("arg_x") + "\n" + notFound("cookie_a") + `
error bad variable name`},
		{name: "args", target: "/args?x=1", hooks: reqContent(luaOut(`
			ngx.var.args = "k=v"
			o(t.dump(ngx.var.args, ngx.var.arg_k, ngx.var.arg_x, ngx.req.get_uri_args(), ngx.var.query_string, ngx.var.request_uri, ngx.var.is_args))
			ngx.var.args = nil
			o(t.dump(ngx.var.args, ngx.var.is_args, ngx.req.get_uri_args()))
			ngx.var.args = "a b&c=%41"
			o(t.dump(ngx.var.args, ngx.req.get_uri_args()))`)),
			status: 200, want: `"k=v" "v" nil {k="v"} "k=v" "/args?x=1" "?"
nil "" {}
"a b&c=%41" {a b=true,c="A"}`},
	})
}

// TestReqProxy checks that what rewrite and access change reaches the
// upstream, with nginx's rules for the URI sent: proxy_pass with a URI
// part replaces the location's prefix unless a script changed $uri, then
// the whole $uri goes; without one, the client's URI goes as it came
// unless a script changed $uri or $args.
func TestReqProxy(t *testing.T) {
	base, bare := "http://{up}/base/", "http://{up}"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String() // an address nothing listens on
	ln.Close()
	upvars := func(tag string) map[string]string {
		return map[string]string{
			"header_filter": `ngx.header["X-Up"] = tostring(ngx.var.upstream_addr) .. " " .. tostring(ngx.var.upstream_status)`,
			"log": `ngx.log(ngx.ERR, "` + tag + ` ", ngx.var.upstream_addr, " ", ngx.var.upstream_status, " ",
				ngx.var.upstream_response_time:match("^%d+%.%d%d%d$") and "time-ok" or "time-bad", " ", ngx.var.status)`,
		}
	}
	runReqCases(t, []reqCase{
		{name: "path plain", location: "/path_plain/", proxy: base, target: "/path_plain/x%20y/z?q=1",
			status: 200, want: "GET /base/x%20y/z?q=1\nlen=0 body=\n"},
		{name: "path args", location: "/path_args/", proxy: base, target: "/path_args/x%20y/z?q=1",
			hooks:  map[string]string{"rewrite": `ngx.req.set_uri_args("a=b")`},
			status: 200, want: "GET /base/x%20y/z?a=b\nlen=0 body=\n"},
		{name: "path var args", location: "/path_var_args/", proxy: base, target: "/path_var_args/x?q=1",
			hooks:  map[string]string{"access": `ngx.var.args = "v=1"`},
			status: 200, want: "GET /base/x?v=1\nlen=0 body=\n"},
		{name: "path set_uri", location: "/path_set_uri/", proxy: base, target: "/path_set_uri/x?q=1",
			hooks:  map[string]string{"rewrite": `ngx.req.set_uri("/path_set_uri/new path")`},
			status: 200, want: "GET /path_set_uri/new%20path?q=1\nlen=0 body=\n"},
		{name: "path set_uri in access", location: "/path_set_uri_in_access/", proxy: base, target: "/path_set_uri_in_access/x?q=1",
			hooks:  map[string]string{"access": `ngx.req.set_uri("/other/p")`},
			status: 200, want: "GET /other/p?q=1\nlen=0 body=\n"},
		{name: "changed request", location: "/changed_request/", proxy: base, target: "/changed_request/x?q=1",
			method: "POST", body: "old", headers: []string{"X-T-Drop: 1", "X-T-Keep: k"},
			hooks: map[string]string{"access": `
				ngx.req.set_header("X-T-Added", "yes")
				ngx.req.set_header("X-T-Multi", {"1", "2"})
				ngx.req.clear_header("X-T-Drop")
				ngx.req.set_method(ngx.HTTP_PUT)
				ngx.req.read_body()
				ngx.req.set_body_data("new body")`},
			status: 200, want: "PUT /base/x?q=1\nx-t-added: yes\nx-t-keep: k\nx-t-multi: 1,2\nlen=8 body=new body\n"},
		{name: "discarded body", location: "/discarded_body/", proxy: base, target: "/discarded_body/d", method: "POST", body: "abc",
			hooks:  map[string]string{"access": `ngx.req.discard_body()`},
			status: 200, want: "POST /base/d\nlen=0 body=\n"},
		{name: "bare plain", location: "/bare_plain/", proxy: bare, target: "/bare_plain/a%2Fb/../x%20y?q=%41",
			status: 200, want: "GET /bare_plain/a%2Fb/../x%20y?q=%41\nlen=0 body=\n"},
		{name: "bare args", location: "/bare_args/", proxy: bare, target: "/bare_args/x%20y?q=1",
			hooks:  map[string]string{"rewrite": `ngx.req.set_uri_args("a=b")`},
			status: 200, want: "GET /bare_args/x%20y?a=b\nlen=0 body=\n"},
		{name: "bare set_uri", location: "/bare_set_uri/", proxy: bare, target: "/bare_set_uri/x?q=1",
			hooks:  map[string]string{"rewrite": `ngx.req.set_uri("/bare_set_uri/new path?x")`},
			status: 200, want: "GET /bare_set_uri/new%20path%3Fx?q=1\nlen=0 body=\n"},
		{name: "jump to path", target: "/jump_to_path?q=1",
			hooks:  map[string]string{"rewrite": `ngx.req.set_uri("/jpath/j k", true)`},
			status: 200, want: "GET /base/j%20k?q=1\nlen=0 body=\n"},
		{name: "jpath", location: "/jpath/", proxy: base, target: "/jpath/direct",
			status: 200, want: "GET /base/direct\nlen=0 body=\n"},
		{name: "jump to bare", target: "/jump_to_bare?q=1",
			hooks:  map[string]string{"rewrite": `ngx.req.set_uri("/jbare/j k", true)`},
			status: 200, want: "GET /jbare/j%20k?q=1\nlen=0 body=\n"},
		{name: "jbare", location: "/jbare/", proxy: bare, target: "/jbare/direct?z=%41",
			status: 200, want: "GET /jbare/direct?z=%41\nlen=0 body=\n"},
		{name: "upstream vars", location: "/upstream_vars/", proxy: base, target: "/upstream_vars/v", hooks: upvars("upvars-ok"),
			status: 200, want: "GET /base/v\nlen=0 body=\n", header: map[string]string{"X-Up": "{up} 200"},
			logs: []string{"upvars-ok {up} 200 time-ok 200"}},
		{name: "dead upstream", location: "/dead_upstream/", proxy: "http://" + dead, target: "/dead_upstream/x", hooks: upvars("upvars-dead"),
			status: 502, want: page(502), header: map[string]string{"X-Up": dead + " 502"},
			logs: []string{"upvars-dead " + dead + " 502 time-ok 502"}},
	})
}

// TestReqWrongPhase checks the request APIs that OpenResty refuses in
// some request phases: reading the body outside rewrite, access and
// content, and set_uri's jump outside rewrite (see TestReqURI). moongate
// also refuses, as lua-nginx-module's README documents, the request
// changes in the log phase, which OpenResty 0.10.23 lets through unchecked.
func TestReqWrongPhase(t *testing.T) {
	try := `local t = require "t" `
	runReqCases(t, []reqCase{
		{name: "read_body", hooks: map[string]string{
			"content":       `ngx.say("ok")`,
			"header_filter": try + `ngx.header["X-RB"] = t.try(ngx.req.read_body) ngx.header.content_length = nil`,
			"body_filter":   try + `if ngx.arg[2] then ngx.arg[1] = (ngx.arg[1] or "") .. t.try(ngx.req.read_body) end`,
			"log":           try + `ngx.log(ngx.ERR, "wrong-log ", t.try(ngx.req.read_body))`,
		}, status: 200, want: "ok\nerror API disabled in the context of body_filter_by_lua*",
			header: map[string]string{"X-RB": "error API disabled in the context of header_filter_by_lua*"},
			logs:   []string{"wrong-log error API disabled in the context of log_by_lua*"}},
		{name: "reads in log", hooks: map[string]string{
			"content": `ngx.say("ok")`,
			"log": try + `ngx.log(ngx.ERR, "reads-log ", t.dump(ngx.req.http_version(), ngx.req.raw_header(true) ~= "",
				ngx.req.get_method(), ngx.req.get_uri_args(), ngx.req.get_headers().host ~= nil, ngx.req.is_internal(),
				type(ngx.req.start_time()), ngx.req.get_body_data(), ngx.var.uri))`,
		}, status: 200, want: "ok\n", logs: []string{`reads-log 1.1 true "GET" {} true false "number" nil "/reads_in_log"`}},
		{name: "changes in log", nginx: "OpenResty 0.10.23 does not check these APIs' context", hooks: map[string]string{
			"content": `ngx.say("ok")`,
			"log": try + `ngx.log(ngx.ERR, "changes-log ", table.concat({t.try(ngx.req.set_header, "a", "b"),
				t.try(ngx.req.clear_header, "a"), t.try(ngx.req.set_method, ngx.HTTP_POST), t.try(ngx.req.set_uri, "/x"),
				t.try(ngx.req.set_uri_args, "a=1"), t.try(ngx.req.discard_body)}, "; "))`,
		}, status: 200, want: "ok\n", logs: []string{"changes-log " + strings.TrimSuffix(strings.Repeat(
			"error API disabled in the context of log_by_lua*; ", 6), "; ")}},
	})
}
