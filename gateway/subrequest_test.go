package gateway

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dumpLua is a test module: t.dump(res) writes a capture's response on one
// line, headers sorted.
const dumpLua = `local _M = {}
function _M.dump(res)
  local keys = {}
  for k in pairs(res.header) do keys[#keys + 1] = k end
  table.sort(keys)
  local hs = {}
  for _, k in ipairs(keys) do
    local v = res.header[k]
    if type(v) == "table" then v = "[" .. table.concat(v, ",") .. "]" end
    hs[#hs + 1] = k .. "=" .. v
  end
  return "status=" .. tostring(res.status) .. " truncated=" .. tostring(res.truncated) ..
    " headers=" .. table.concat(hs, ";") .. " body=" .. (res.body:gsub("\n", "|"))
end
return _M
`

// luaRoute is a route of both the gateway's and the reference nginx's
// configs: a location with Lua hooks by phase.
type luaRoute struct {
	loc      string // "= /sub", "/target"
	internal bool
	hooks    map[string]string // phase -> Lua
}

// subRoutes are the routes the subrequests and redirects of the tests
// reach.
var subRoutes = []luaRoute{
	{loc: "= /sub", hooks: reqContent(`ngx.req.read_body() ngx.say("sub ", ngx.req.get_method(), " uri=", ngx.var.uri, " args=", tostring(ngx.var.args), " body=", tostring(ngx.req.get_body_data()), " cl=", tostring(ngx.var.http_content_length), " hx=", tostring(ngx.var.http_x_h), " internal=", tostring(ngx.req.is_internal()), " sub=", tostring(ngx.is_subrequest), " request_uri=", ngx.var.request_uri)`)},
	{loc: "= /multi", hooks: reqContent(`ngx.header["X-A"] = {"1", "2"} ngx.header["X-B"] = "3" ngx.print("m")`)},
	{loc: "= /err", hooks: reqContent(`error("boom")`)},
	{loc: "= /err2", hooks: reqContent(`ngx.say("partial") ngx.flush() error("boom")`)},
	{loc: "= /exit403", hooks: reqContent(`ngx.say("pre") ngx.exit(403)`)},
	{loc: "= /exit201", hooks: reqContent(`ngx.exit(201)`)},
	{loc: "= /redir", hooks: reqContent(`ngx.redirect("/x")`)},
	{loc: "= /intern", internal: true, hooks: reqContent(`ngx.say("internal ok")`)},
	{loc: "= /flushy", hooks: reqContent(`ngx.say("a") ngx.flush(true) ngx.say("b") ngx.eof() ngx.say("c")`)},
	{loc: "= /logged", hooks: map[string]string{"content": `ngx.say("l")`, "log": `ngx.log(ngx.ERR, "SUBLOG ", tostring(ngx.is_subrequest))`}},
	{loc: "= /empty", hooks: reqContent(`local x = 1`)},
	{loc: "= /status", hooks: reqContent(`ngx.status = 418 ngx.say("tea")`)},
	{loc: "= /exec", hooks: reqContent(`ngx.exec("/sub", "e=1")`)},
	{loc: "= /vsub", hooks: reqContent(`ngx.say("myvar=", ngx.var.myvar, " args=", tostring(ngx.var.args)) ngx.var.myvar = "child"`)},
	{loc: "= /ctxsub", hooks: reqContent(`ngx.say("k=", tostring(ngx.ctx.k)) ngx.ctx.set = "yes"`)},
	{loc: "= /nest", hooks: reqContent(`local d = tonumber(ngx.var.arg_d) if d == 3 then ngx.print("bottom") return end local res = ngx.location.capture("/nest?d=" .. (d + 1)) ngx.print(d, "(", res.body, ")")`)},
	{loc: "= /deep", hooks: reqContent(`local d = tonumber(ngx.var.arg_d) local ok, res = pcall(ngx.location.capture, "/deep?d=" .. (d + 1)) if not ok then ngx.print("d=", d, " err=", (tostring(res):gsub("^.*:%d+: ", ""))) return end ngx.print(res.status, "/", res.body)`)},
	{loc: "= /filtered", hooks: map[string]string{"content": `ngx.say("body")`, "header_filter": `ngx.header["X-F"] = "hf"`,
		"body_filter": `if ngx.arg[1] ~= "" then ngx.arg[1] = string.upper(ngx.arg[1]) end`}},
	{loc: "= /target", hooks: reqContent(`ngx.req.read_body() ngx.say("target uri=", ngx.var.uri, " args=", tostring(ngx.var.args), " internal=", tostring(ngx.req.is_internal()), " ctx=", tostring(ngx.ctx.foo), " method=", ngx.req.get_method(), " request_uri=", ngx.var.request_uri, " body=", tostring(ngx.req.get_body_data()))`)},
	{loc: "= /itarget", internal: true, hooks: reqContent(`ngx.say("internal ", ngx.var.uri, " ", tostring(ngx.req.is_internal()))`)},
	{loc: "= /chain", hooks: reqContent(`local n = tonumber(ngx.var.arg_n) if n == 0 then ngx.say("done") else ngx.exec("/chain", {n = n - 1}) end`)},
	{loc: "= /cycle", hooks: reqContent(`ngx.exec("/cycle")`)},
	{loc: "= /waiter", hooks: reqContent(`ngx.say("waited ", tostring(ngx.ctx.sema:wait(5)))`)},
	{loc: "= /poster", hooks: reqContent(`ngx.ctx.sema:post(1) ngx.say("posted")`)},
}

// subCase is a request to the test configs, by default to its own route
// /caseN with the given hooks, POSTing "hello" with X-H: hv; the answer
// must be status (200 when 0) and, for a 200, want.
type subCase struct {
	name   string
	hooks  map[string]string // the case route's hooks; Lua with t, the dump module
	path   string            // instead of /caseN?q=9
	status int
	want   string
	log    string // in the error log, when set
	// ngxDiffers says why nginx answers otherwise, when it does; the case
	// then runs on the gateway only.
	ngxDiffers string
}

// runSubCases serves cases and subRoutes from the gateway and, when it is
// installed, the reference nginx, and checks each case's answer on both.
// It returns the gateway.
func runSubCases(t *testing.T, cases []subCase) *testGateway {
	t.Helper()
	routes := slices.Clone(subRoutes)
	for i, c := range cases {
		routes = append(routes, luaRoute{loc: fmt.Sprintf("= /case%d", i), hooks: c.hooks})
	}
	files := map[string]string{"lua/t.lua": dumpLua}
	var cfg, srv strings.Builder
	cfg.WriteString("variables: {myvar: def}\nlua: {package_path: \"lua/?.lua\"}\nroutes:\n")
	srv.WriteString("set $myvar def;\n")
	for i, rt := range routes {
		fmt.Fprintf(&cfg, "  - location: %s\n", rt.loc)
		fmt.Fprintf(&srv, "location %s {\n", rt.loc)
		if rt.internal {
			cfg.WriteString("    internal: true\n")
			srv.WriteString("internal;\n")
		}
		for _, phase := range respPhases {
			src, ok := rt.hooks[phase]
			if !ok {
				continue
			}
			src = "local t = require \"t\"\n" + src
			name := fmt.Sprintf("r%d_%s.lua", i, phase)
			files[name] = src
			fmt.Fprintf(&cfg, "    %s: {lua_file: %s}\n", phase, name)
			fmt.Fprintf(&srv, "%s_by_lua_block {\n%s\n}\n", phase, src)
		}
		srv.WriteString("}\n")
	}
	tg := startGateway(t, cfg.String(), files)
	var ngx *reqServer
	if refNginxInstalled() {
		dir, port := startRefNginx(t, files, srv.String())
		ngx = &reqServer{addr: "127.0.0.1:" + strconv.Itoa(port),
			log: func() string { b, _ := os.ReadFile(filepath.Join(dir, "error.log")); return string(b) }}
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.path
			if path == "" {
				path = fmt.Sprintf("/case%d?q=9", i)
			}
			status := c.status
			if status == 0 {
				status = 200
			}
			check := func(server string, got response, log func(string) string) {
				t.Helper()
				if got.status != status || got.body != c.want && status == 200 {
					t.Errorf("%s: got %d\n%s\nwant %d\n%s", server, got.status, got.body, status, c.want)
				}
				if l := log(c.log); c.log != "" && !strings.Contains(l, c.log) {
					t.Errorf("%s: error log lacks %q:\n%s", server, c.log, l)
				}
			}
			check("moongate", tg.do("POST", path, "hello", "X-H: hv"), tg.waitLog)
			if ngx == nil || c.ngxDiffers != "" {
				return
			}
			raw := "POST " + path + " HTTP/1.1\r\nHost: x\r\nX-H: hv\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
			got, err := rawExchange(ngx.addr, raw)
			if err != nil {
				t.Fatalf("nginx: %v", err)
			}
			check("nginx", got, func(want string) string {
				for range 100 {
					if l := ngx.log(); strings.Contains(l, want) {
						return l
					}
					time.Sleep(10 * time.Millisecond)
				}
				return ngx.log()
			})
		})
	}
	return tg
}

func TestCapture(t *testing.T) {
	const sub = "sub GET uri=/sub args=nil body=nil cl=nil hx=hv internal=true sub=true request_uri=/case%d?q=9|"
	dump := func(status int, truncated bool, headers, body string) string {
		return fmt.Sprintf("status=%d truncated=%t headers=%s body=%s\n", status, truncated, headers, body)
	}
	ok := func(body string) string { return dump(200, false, "Content-Type=text/plain", body) }
	tg := runSubCases(t, []subCase{
		{name: "uri args joined", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/sub?x=1", {args = "y=2"})))`),
			want: ok(strings.Replace(fmt.Sprintf(sub, 0), "args=nil", "args=x=1&y=2", 1))},
		{name: "table args, method and body", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/sub", {args = {a = "b c"}, method = ngx.HTTP_POST, body = "BODY"})))`),
			want: ok("sub POST uri=/sub args=a=b%20c body=BODY cl=4 hx=hv internal=true sub=true request_uri=/case1?q=9|")},
		{name: "PUT forwards the read body", hooks: reqContent(`ngx.req.read_body() ngx.say(t.dump(ngx.location.capture("/sub", {method = ngx.HTTP_PUT})))`),
			want: ok("sub PUT uri=/sub args=nil body=hello cl=5 hx=hv internal=true sub=true request_uri=/case2?q=9|")},
		{name: "GET takes no body", hooks: reqContent(`ngx.req.read_body() ngx.say(t.dump(ngx.location.capture("/sub")))`),
			want: ok(fmt.Sprintf(sub, 3))},
		{name: "always_forward_body", hooks: reqContent(`ngx.req.read_body() ngx.say(t.dump(ngx.location.capture("/sub", {method = ngx.HTTP_DELETE, always_forward_body = true})))`),
			want: ok("sub DELETE uri=/sub args=nil body=hello cl=5 hx=hv internal=true sub=true request_uri=/case4?q=9|")},
		{name: "multi-valued headers", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/multi")))`),
			want: dump(200, false, "Content-Type=text/plain;X-A=[1,2];X-B=3", "m")},
		{name: "error", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/err")))`),
			want: dump(500, true, "Content-Type=text/plain", ""), log: "boom"},
		{name: "error after output", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/err2")))`),
			want: dump(200, true, "Content-Type=text/plain", "partial|")},
		{name: "exit after output", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/exit403")))`),
			want: ok("pre|"), log: "attempt to set status 403 via ngx.exit after sending out the response status 200"},
		{name: "exit 201", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/exit201")))`),
			want: dump(201, false, "Content-Type=text/plain", "")},
		{name: "redirect", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/redir")))`),
			want: dump(302, true, "Content-Type=text/plain;Location=/x", "")},
		{name: "no route", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/nonexist")))`),
			want: dump(404, true, "Content-Type=text/plain", "")},
		{name: "internal route", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/intern")))`),
			want: ok("internal ok|")},
		{name: "flush and eof do not stream", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/flushy")))`),
			want: ok("a|b|")},
		{name: "empty", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/empty")))`),
			want: ok("")},
		{name: "status", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/status")))`),
			want: dump(418, false, "Content-Type=text/plain", "tea|")},
		{name: "exec in a subrequest", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/exec")))`),
			want: ok(strings.Replace(fmt.Sprintf(sub, 16), "args=nil", "args=e=1", 1))},
		{name: "filters", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/filtered")))`),
			want: dump(200, false, "Content-Type=text/plain;X-F=hf", "BODY|")},
		{name: "parent unchanged", hooks: reqContent(`ngx.location.capture("/status") ngx.location.capture("/multi") ngx.say(ngx.status, " ", tostring(ngx.is_subrequest), " ", tostring(ngx.header["X-A"]))`),
			want: "0 false nil\n"},
		{name: "nested", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/nest?d=0")))`),
			want: ok("0(1(2(bottom)))")},
		{name: "depth limit", hooks: reqContent(`local res = ngx.location.capture("/deep?d=0") ngx.say(res.body:sub(-47))`),
			// /deep?d=0 is at depth 1: d=50, at 51, may not issue one (nginx: a
			// client request to /deep?d=0 gets "d=51 err=...").
			want: "200/200/d=50 err=failed to issue subrequest: -1\n", log: `lua subrequests cycle while processing "/deep"`},
		{name: "vars", hooks: reqContent(`ngx.var.myvar = "parent"
			ngx.say(t.dump(ngx.location.capture("/vsub", {vars = {myvar = "given", args = "a=1"}})))
			ngx.say(t.dump(ngx.location.capture("/vsub")))
			ngx.say(t.dump(ngx.location.capture("/vsub", {copy_all_vars = true}))) ngx.say("after copy ", ngx.var.myvar)
			ngx.say(t.dump(ngx.location.capture("/vsub", {share_all_vars = true}))) ngx.say("after share ", ngx.var.myvar)`),
			want: ok("myvar=given args=a=1|") + ok("myvar=def args=nil|") + ok("myvar=parent args=nil|") + "after copy parent\n" +
				ok("myvar=parent args=nil|") + "after share child\n",
			ngxDiffers: "the server's `set $myvar def` runs again in each subrequest, resetting what vars, copy_all_vars and share_all_vars gave"},
		{name: "ctx", hooks: reqContent(`local c = {k = "v"}
			ngx.say(t.dump(ngx.location.capture("/ctxsub", {ctx = c}))) ngx.say("ctx after ", tostring(c.set))
			ngx.say(t.dump(ngx.location.capture("/ctxsub", {ctx = ngx.ctx}))) ngx.say("ngx.ctx after ", tostring(ngx.ctx.set))
			ngx.say(t.dump(ngx.location.capture("/ctxsub"))) ngx.say("c after ", tostring(c.k))`),
			want: ok("k=v|") + "ctx after yes\n" + ok("k=nil|") + "ngx.ctx after yes\n" + ok("k=nil|") + "c after v\n"},
		{name: "capture_multi", hooks: reqContent(`local r1, r2 = ngx.location.capture_multi{{"/vsub", {args = "i=1"}}, {"/vsub?i=2"}} ngx.say(t.dump(r1), " | ", t.dump(r2))`),
			want: strings.TrimSuffix(ok("myvar=def args=i=1|"), "\n") + " | " + ok("myvar=def args=i=2|")},
		{name: "from rewrite and access", hooks: map[string]string{
			"rewrite": `ngx.ctx.r = ngx.location.capture("/status").body`,
			"access":  `ngx.ctx.a = ngx.location.capture("/multi").body`,
			"content": `ngx.say(ngx.ctx.r, ngx.ctx.a)`}, want: "tea\nm\n"},
		{name: "from a light thread", hooks: reqContent(`local th = ngx.thread.spawn(function() return ngx.location.capture("/status").body end) local ok, body = ngx.thread.wait(th) ngx.say(tostring(ok), " ", body)`),
			want: "true tea\n\n"},
		{name: "no log phase", hooks: reqContent(`ngx.say(t.dump(ngx.location.capture("/logged")))`), want: ok("l|")},
	})
	if strings.Contains(tg.errorLog(), "SUBLOG") {
		t.Errorf("a subrequest ran the log phase:\n%s", tg.errorLog())
	}
}

func TestCaptureErrors(t *testing.T) {
	tests := []struct{ call, want string }{
		{`ngx.location.capture, "/vsub", {vars = {nosuch = "x"}}`, "failed to adjust the subrequest: -1"},
		{`ngx.location.capture, "/vsub", {vars = {uri = "x"}}`, "failed to adjust the subrequest: 500"},
		{`ngx.location.capture, "/vsub", {vars = "x"}`, "Bad vars option value"},
		{`ngx.location.capture, "/vsub", {method = 12345}`, "failed to adjust the subrequest: -1"},
		{`ngx.location.capture, "/vsub", {method = "GET"}`, "Bad http request method"},
		{`ngx.location.capture, "/vsub", {args = true}`, "Bad args option value"},
		{`ngx.location.capture, "/vsub", {ctx = "x"}`, "Bad ctx option value type string, expected a Lua table"},
		{`ngx.location.capture, "/vsub", "x"`, "expecting table as the 2nd argument for subrequest 0, but got string"},
		{`ngx.location.capture, ""`, "unsafe uri in argument #1: "},
		{`ngx.location.capture`, "expecting one or two arguments"},
		{`ngx.location.capture_multi, {}`, "at least one subrequest should be specified"},
		{`ngx.location.capture_multi, {"x"}`, "the query argument 0 is not a table, but a string"},
		{`ngx.location.capture_multi, {{}}`, "query argument 0 expecting one or two arguments"},
	}
	// gopher-lua prefixes errors raised by Go functions with the caller's
	// position, which OpenResty does not: the tests strip it.
	cases := make([]subCase, len(tests))
	for i, tt := range tests {
		cases[i] = subCase{name: tt.call, hooks: reqContent("local ok, err = pcall(" + tt.call + ") ngx.say(tostring(ok), ' ', (tostring(err):gsub('^[^:]*:%d+: ', '')))"),
			want: "false " + tt.want + "\n"}
	}
	runSubCases(t, cases)
}

func TestExec(t *testing.T) {
	target := func(args, extra string) string {
		return fmt.Sprintf("target uri=/target args=%s internal=true ctx=nil method=POST request_uri=/case%s body=hello\n", args, extra)
	}
	pcall := func(call string) map[string]string {
		return reqContent("local ok, err = pcall(" + call + ") ngx.say(tostring(ok), ' ', (tostring(err):gsub('^[^:]*:%d+: ', '')))")
	}
	runSubCases(t, []subCase{
		{name: "rewrite, string args", hooks: map[string]string{"rewrite": `ngx.exec("/target", "a=1&b=2")`}, want: target("a=1&b=2", "0?q=9")},
		{name: "access, table args after the uri's", hooks: map[string]string{"access": `ngx.exec("/target?x=1", {b = 2})`}, want: target("x=1&b=2", "1?q=9")},
		{name: "content, fresh ctx, no args", hooks: reqContent(`ngx.ctx.foo = 1 ngx.exec("/target")`), want: target("nil", "2?q=9")},
		{name: "string args after the uri's", hooks: reqContent(`ngx.exec("/target?x=1", "y=2")`), want: target("x=1&y=2", "3?q=9")},
		{name: "after the headers", hooks: reqContent(`ngx.send_headers() local ok, err = pcall(ngx.exec, "/target") ngx.say(tostring(ok), " ", (err:gsub("^[^:]*:%d+: ", "")))`),
			want: "false attempt to call ngx.exec after sending out response headers\n"},
		{name: "internal route", hooks: reqContent(`ngx.exec("/itarget")`), want: "internal /itarget true\n"},
		{name: "internal route from outside", path: "/itarget", status: 404},
		{name: "ten redirects", path: "/chain?n=10", want: "done\n"},
		{name: "eleven redirects", path: "/chain?n=11", status: 500, log: `rewrite or internal redirection cycle while internally redirecting to "/chain"`},
		{name: "cycle", path: "/cycle", status: 500, log: `rewrite or internal redirection cycle while internally redirecting to "/cycle"`},
		{name: "empty uri", hooks: pcall(`ngx.exec, ""`), want: "false The uri argument is empty\n"},
		{name: "three arguments", hooks: pcall(`ngx.exec, "/t", "a", "b"`), want: "false expecting one or two arguments, but got 3\n"},
		{name: "bad args", hooks: pcall(`ngx.exec, "/t", true`),
			want: "false bad argument #2 to '?' (string, number, or table expected, but got boolean)\n"},
		{name: "named location", hooks: reqContent(`ngx.exec("@named")`), status: 500, log: `named location "@named" is not supported`,
			ngxDiffers: "moongate has no named locations"},
	})
}

func TestCaptureProxy(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Up", "yes")
		fmt.Fprintf(w, "%s %s body=%s x-h=%s", r.Method, r.URL.RequestURI(), body, r.Header.Get("X-H"))
	}))
	defer up.Close()
	// broken answers a chunked body that breaks off after "hello".
	broken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer broken.Close()
	go func() {
		for {
			c, err := broken.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				c.Read(buf)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
			}()
		}
	}()
	tg := startGateway(t, `
routes:
  - location: /up/
    internal: true
    proxy_pass: `+up.URL+`
  - location: = /broken
    proxy_pass: http://`+broken.Addr().String()+`
  - location: = /c
    content: {lua: "local r1, r2 = ngx.location.capture_multi{{'/up/a', {args = {k = 'v'}, method = ngx.HTTP_POST, body = 'B'}}, {'/broken'}} ngx.say(r1.status, ' ', tostring(r1.truncated), ' ', r1.header['X-Up'], ' ', r1.header['Content-Length'], ' ', r1.body) ngx.say(r2.status, ' ', tostring(r2.truncated), ' ', r2.body)"}
`, nil)
	got := tg.get("/c", "X-H: hv")
	want := "200 false yes 28 POST /up/a?k=v body=B x-h=hv\n200 true hello\n"
	if got.status != 200 || got.body != want {
		t.Errorf("got %d %q, want %q\n%s", got.status, got.body, want, tg.errorLog())
	}
	if r := tg.get("/up/a"); r.status != 404 {
		t.Errorf("internal proxied route from outside: %d, want 404", r.status)
	}
}

func TestCaptureMultiRunsAtOnce(t *testing.T) {
	// The first subrequest waits on a semaphore that only the second
	// posts: one after the other, the first would time out.
	runSubCases(t, []subCase{
		{name: "semaphore", hooks: reqContent(`local sema = require("ngx.semaphore").new()
			local c = {sema = sema}
			local r1, r2 = ngx.location.capture_multi{{"/waiter", {ctx = c}}, {"/poster", {ctx = c}}}
			ngx.say(r1.body, r2.body)`), want: "waited true\nposted\n\n"},
	})
}
