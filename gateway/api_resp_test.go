package gateway

// Integration tests of the response side of the ngx API (ngx.say, ngx.print,
// ngx.flush, ngx.eof, ngx.status, ngx.header, ngx.resp, ngx.exit,
// ngx.redirect, ngx.ctx, ngx.arg, ngx.log, ngx.config, ngx.worker, the
// constants, cjson, the init hooks and the sandbox). Every expected value
// is OpenResty's (nginx 1.22 + lua-nginx-module 0.10.23 + lua-resty-core
// 0.1.25) for the same Lua: where that reference is installed, the tests
// check it too; a case it cannot run says why.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moongate/moongate/host"
)

// respCase is one route of an API test table and the request that
// exercises it. The route's location is "= /<name>" (spaces as "_").
type respCase struct {
	name    string
	hooks   map[string]string // phase -> Lua source
	proxy   string            // proxy_pass, instead of a content hook
	headers []string          // request headers, "Name: value"
	repeat  int               // times the request is sent (1 when 0)

	closed bool              // the connection must close without a response
	status int               // expected status
	body   string            // expected body, exactly; "{dir}" stands for the config directory
	header map[string]string // expected response headers; "" means absent
	logs   []string          // substrings moongate's error log must contain
	nolog  []string          // substrings it must not contain

	nginx string // why the reference OpenResty does not run the case; "" when it does
}

func (c *respCase) path() string { return "/" + strings.ReplaceAll(c.name, " ", "_") }

// respPhases are the hook keys of a route, in config order.
var respPhases = []string{"rewrite", "access", "content", "header_filter", "body_filter", "log"}

// respRoutes renders the cases as the routes section of a config.
func respRoutes(cases []respCase) string {
	var b strings.Builder
	b.WriteString("routes:\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "  - location: = %s\n", c.path())
		if c.proxy != "" {
			fmt.Fprintf(&b, "    proxy_pass: %s\n", c.proxy)
		}
		for _, phase := range respPhases {
			src, ok := c.hooks[phase]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "    %s:\n      lua: |\n", phase)
			for _, line := range strings.Split(strings.TrimSpace(src), "\n") {
				b.WriteString("        " + strings.TrimSpace(line) + "\n")
			}
		}
	}
	return b.String()
}

// respClient does not follow redirects, so that tests see them.
var respClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// sendTo sends one request to the server at base and returns the
// response, or the transport error.
func sendTo(base, method, path string, headers ...string) (response, error) {
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		return response{}, err
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := respClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

// runRespCases serves the cases' routes (after the config lines in
// prelude, with files in the config directory) from one gateway and checks
// each case in a subtest. When the reference OpenResty is installed, the
// cases it can run are checked against it too, in an "openresty" subtest:
// the expectations are OpenResty's behaviour.
func runRespCases(t *testing.T, prelude string, files map[string]string, cases []respCase) *testGateway {
	t.Helper()
	tg := startGateway(t, prelude+respRoutes(cases), files)
	ref := startNginx(t, cases, files)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, tg.base, tg.dir)
			log := tg.errorLog()
			for _, s := range c.logs {
				if !strings.Contains(log, s) {
					t.Errorf("error log lacks %q:\n%s", s, log)
				}
			}
			for _, s := range c.nolog {
				if strings.Contains(log, s) {
					t.Errorf("error log has %q:\n%s", s, log)
				}
			}
			if ref != nil && c.nginx == "" {
				t.Run("openresty", func(t *testing.T) { c.check(t, ref.base, ref.dir) })
			}
		})
	}
	return tg
}

// check sends the case's request to the server at base, whose config
// directory is dir, and checks the response.
func (c *respCase) check(t *testing.T, base, dir string) {
	t.Helper()
	for i := 0; i < max(c.repeat, 1); i++ {
		got, err := sendTo(base, "GET", c.path(), c.headers...)
		if c.closed {
			if err == nil {
				t.Fatalf("got %d %q, want the connection closed without a response", got.status, got.body)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		body := nginxFooter.ReplaceAllString(got.body, "<center>"+host.ServerName+"</center>")
		if want := strings.ReplaceAll(c.body, "{dir}", dir); got.status != c.status || body != want {
			t.Errorf("got %d %q\nwant %d %q", got.status, body, c.status, want)
		}
		for k, want := range c.header {
			if v := strings.Join(got.header.Values(k), ","); v != want {
				t.Errorf("header %s = %q, want %q", k, v, want)
			}
		}
	}
}

// respContent is a route's hooks with only a content hook.
func respContent(src string) map[string]string { return map[string]string{"content": src} }

// page is nginx's special response body for status.
func page(status int) string { return string(host.ErrorPage(status)) }

// luaTry is Lua defining try(f, ...): pcall's results as one string,
// "true <values>" or "false <message>", the message without the
// "chunk:line: " position gopher-lua and LuaJIT put in different places.
const luaTry = `
local function try(f, ...)
local r = {pcall(f, ...)}
for i = 1, #r do r[i] = tostring(r[i]) end
return (table.concat(r, " "):gsub("^(%a+ )[^ ]-:%d+: ", "%1"))
end
`

func TestRespSayPrint(t *testing.T) {
	runRespCases(t, "", nil, []respCase{
		{name: "say types", hooks: respContent(`ngx.say("s", 1, " ", 1.5, " ", true, false, nil, ngx.null, {"a", {"b", 2}})`),
			status: 200, body: "s1 1.5 truefalsenilnullab2\n", header: map[string]string{"Content-Type": "text/plain"}},
		{name: "print no newline", hooks: respContent(`ngx.print("a") ngx.print("b", 2)`), status: 200, body: "ab2"},
		{name: "numbers as LuaJIT", hooks: respContent(`
			local z = 0
			ngx.say(1e20, "|", 0.1, "|", 1/3, "|", -z, "|", 2^53, "|", 1e300, "|", 1/0, "|", -1/0, "|", 123456789012, "|",
			3.14159265358979, "|", 1e15, "|", 100000000000000, "|", -5, "|", 2^31, "|", 1e-5, "|", 12345.678)`),
			status: 200, body: "1e+20|0.1|0.33333333333333|0|9.007199254741e+15|1e+300|inf|-inf|123456789012|" +
				"3.1415926535898|1e+15|1e+14|-5|2147483648|1e-05|12345.678\n"},
		{name: "return values", hooks: respContent(`
			local a, b = ngx.say("x")
			local c, d = ngx.print("y")
			ngx.say(" ", type(a), a, tostring(b), type(c), c, tostring(d), " ", select("#", ngx.print()))`),
			status: 200, body: "x\ny number1nilnumber1nil 1\n"},
		{name: "array tables", hooks: respContent(`
			ngx.say({"a", 1, true, false, ngx.null, {"n", {"m"}}})
			ngx.say({})
			ngx.say({[1] = "a", [4] = "d"})
			ngx.say({[2] = "b"})
			ngx.say({{{{{{"deep"}}}}}})`),
			status: 200, body: "a1truefalsenullnm\n\nanilnild\nnilb\ndeep\n"},
		{name: "bad arguments", hooks: respContent(luaTry + `
			local out = {
			try(ngx.say, {a = 1}),
			try(ngx.say, function() end),
			try(ngx.say, coroutine.create(function() end)),
			try(ngx.say, {1, {b = 2}}),
			try(ngx.say, 1, 2, {x = 1}),
			try(ngx.say, {function() end}),
			try(ngx.say, {[0] = "z", "a"}),
			try(ngx.say, {[1.5] = "z"}),
			}
			ngx.print(table.concat(out, "\n"))`),
			status: 200, body: "false bad argument #1 to '?' (non-array table found)\n" +
				"false bad argument #1 to '?' (string, number, boolean, nil, ngx.null, or array table expected, but got function)\n" +
				"false bad argument #1 to '?' (string, number, boolean, nil, ngx.null, or array table expected, but got thread)\n" +
				"false bad argument #1 to '?' (non-array table found)\n" +
				"false bad argument #3 to '?' (non-array table found)\n" +
				"false bad argument #1 to '?' (bad data type function found)\n" +
				"false bad argument #1 to '?' (non-array table found)\n" +
				"false bad argument #1 to '?' (non-array table found)"},
		{name: "bad argument fails the hook", hooks: respContent(`ngx.say("a", {b = 1})`),
			status: 500, body: page(500), logs: []string{"bad argument #2 to 'say' (non-array table found)"}},
	})
}

// TestRespEOFAndSendHeaders runs one VM: ngx.eof sends the response at
// once, so the lines its hook logs after ngx.eof are complete only when the
// hook ends, which the answer to a second request (repeat: 2) waiting for
// the VM proves.
func TestRespEOFAndSendHeaders(t *testing.T) {
	runRespCases(t, "lua: {vms: 1}\n", nil, []respCase{
		{name: "eof", repeat: 2, hooks: map[string]string{
			"content": `
				ngx.say("before")
				local r = {}
				local function add(a, b) r[#r + 1] = tostring(a) .. " " .. tostring(b) end
				add(ngx.eof())
				add(ngx.say("after"))
				add(ngx.eof())
				add(ngx.flush())
				add(ngx.print("z"))
				add(ngx.send_headers())
				ngx.log(ngx.ERR, "eof-results: ", table.concat(r, " | "), " | ", tostring(ngx.headers_sent))`,
			"body_filter": `if ngx.arg[2] then ngx.log(ngx.ERR, "eof-bf-last [", ngx.arg[1], "]") end`,
		},
			status: 200, body: "before\n",
			logs: []string{"eof-results: 1 nil | nil seen eof | nil seen eof | nil seen eof | nil seen eof | 1 nil | true", "eof-bf-last []"}},
		{name: "send_headers", hooks: map[string]string{"content": `
			local s0 = ngx.headers_sent
			local a, b = ngx.send_headers()
			local c, d = ngx.send_headers()
			ngx.say(tostring(s0), " ", tostring(a), " ", tostring(b), " ", tostring(c), " ", tostring(d), " ", tostring(ngx.headers_sent))`},
			status: 200, body: "false 1 nil 1 nil true\n"},
		{name: "nothing to flush", hooks: map[string]string{"content": `
			local a, b = ngx.flush()
			ngx.say(tostring(a), " ", tostring(b), " ", tostring(ngx.headers_sent))`},
			status: 200, body: "nil nothing to flush false\n"},
		{name: "send_headers then exit", hooks: map[string]string{"content": `ngx.send_headers() ngx.exit(404)`},
			status: 200, body: "",
			logs: []string{"attempt to set status 404 via ngx.exit after sending out the response status 200"}},
		{name: "eof then exit", hooks: map[string]string{"content": `ngx.say("a") ngx.eof() ngx.exit(404)`},
			status: 200, body: "a\n"},
	})
}

func TestRespStatus(t *testing.T) {
	runRespCases(t, "", nil, []respCase{
		{name: "get and set", hooks: map[string]string{
			"content": `
				local s0 = ngx.status
				ngx.status = 201
				local s1 = ngx.status
				ngx.say(s0, " ", s1)
				ngx.status = 202
				ngx.say(ngx.status)`,
			"header_filter": `ngx.header["X-HF-Status"] = ngx.status`,
			"log":           `ngx.log(ngx.ERR, "get-and-set log status ", ngx.status)`,
		},
			status: 201, body: "0 201\n201\n", header: map[string]string{"X-HF-Status": "201"},
			logs: []string{
				`attempt to set ngx.status after sending out response headers, client: 127.0.0.1, server: , request: "GET /get_and_set HTTP/1.1"`,
				"get-and-set log status 201 while logging request, client: 127.0.0.1",
			}},
		{name: "conversions", hooks: map[string]string{"content": luaTry + `
			local out = {}
			for _, v in ipairs({"203", "abc", 99, 1000, 200.7, true}) do
			out[#out + 1] = tostring(v) .. " " .. try(function() ngx.status = v end):match("^%a+") .. " " .. ngx.status
			end
			out[#out + 1] = "nil " .. try(function() ngx.status = nil end):match("^%a+") .. " " .. ngx.status
			ngx.say(table.concat(out, ", "))`},
			status: 200, body: "203 true 203, abc false 203, 99 true 99, 1000 true 1000, 200.7 true 200, true false 200, nil false 200\n"},
		{name: "types", hooks: map[string]string{"content": `ngx.say(type(ngx.status), " ", type(ngx.headers_sent), " ", tostring(ngx.headers_sent))`},
			status: 200, body: "number boolean false\n"},
		{name: "404 with body", hooks: map[string]string{"content": `ngx.status = 404 ngx.say("x")`}, status: 404, body: "x\n"},
		{name: "404 without body", hooks: map[string]string{"content": `ngx.status = 404`}, status: 404, body: ""},
		{name: "299", hooks: map[string]string{"content": `ngx.status = 299 ngx.say("x")`}, status: 299, body: "x\n"},
		{name: "then exit 200", hooks: map[string]string{"content": `ngx.status = 503 ngx.exit(200)`}, status: 503, body: ""},
		{name: "then exit OK", hooks: map[string]string{"content": `ngx.status = 503 ngx.exit(ngx.OK)`}, status: 503, body: ""},
		{name: "then say then exit 200", hooks: map[string]string{"content": `ngx.status = 201 ngx.say("x") ngx.exit(ngx.HTTP_OK)`},
			status: 201, body: "x\n"},
		{name: "set in header_filter", hooks: map[string]string{
			"content":       `ngx.say("body")`,
			"header_filter": `ngx.status = 201`,
		}, status: 201, body: "body\n"},
	})
}

func TestRespHeader(t *testing.T) {
	runRespCases(t, "", nil, []respCase{
		{name: "get and set", hooks: map[string]string{"content": `
			local out = {}
			local function p(...)
			local t = {}
			for i = 1, select("#", ...) do
			local v = select(i, ...)
			if type(v) == "table" then v = "{" .. table.concat(v, ",") .. "}" end
			t[#t + 1] = tostring(v)
			end
			out[#out + 1] = table.concat(t, " ")
			end
			p("unset", ngx.header.X_Foo)
			ngx.header.X_Foo = "bar"
			p("get", ngx.header.X_Foo, ngx.header["x-foo"], ngx.header["X-FOO"], ngx.header.x_foo)
			ngx.header["X-Multi"] = {"a", "b", "c"}
			p("multi", ngx.header["x-multi"])
			ngx.header["X-Num"] = 1.5
			p("num", ngx.header.x_num, type(ngx.header.x_num))
			ngx.header["X-Third"] = 1/3
			ngx.header["X-Bool"] = true
			ngx.header["X-Mixed"] = {true, false, 2}
			ngx.header["X-Gone"] = "x"
			ngx.header["X-Gone"] = nil
			p("gone", ngx.header["X-Gone"])
			ngx.header["X-Empty"] = "x"
			ngx.header["X-Empty"] = {}
			p("empty", ngx.header["X-Empty"])
			ngx.header["X-Single"] = {"only"}
			p("single", ngx.header["X-Single"], type(ngx.header["X-Single"]))
			p("ct before", ngx.header.content_type)
			ngx.header.content_type = "application/json"
			p("ct", ngx.header.content_type, ngx.header["Content-Type"])
			ngx.header["X-CRLF"] = "a\r\nInjected: yes"
			ngx.header["X-Ctl"] = "tab\there\127"
			ngx.header["X Sp:"] = "1"
			ngx.header.Location = "/relative"
			ngx.header["Cache-Control"] = {"no-cache", "no-store"}
			ngx.say(table.concat(out, "\n"))`},
			status: 200,
			body: "unset nil\nget bar bar bar bar\nmulti {a,b,c}\nnum 1.5 string\ngone nil\nempty nil\n" +
				"single only string\nct before nil\nct application/json application/json\n",
			header: map[string]string{
				"X-Foo": "bar", "X-Multi": "a,b,c", "X-Num": "1.5", "X-Third": "0.33333333333333",
				"X-Bool": "true", "X-Mixed": "true,false,2", "X-Gone": "", "X-Empty": "", "X-Single": "only",
				"Content-Type": "application/json", "X-CRLF": "a%0D%0AInjected: yes", "Injected": "",
				"X-Ctl": "tab\there%7F", "X%20sp%3a": "1", "Location": "/relative", "Cache-Control": "no-cache,no-store",
			}},
		{name: "set after headers sent", hooks: map[string]string{"content": `
			ngx.say("x")
			ngx.header["X-Late"] = "late"
			ngx.say(tostring(ngx.header["X-Late"]))`},
			status: 200, body: "x\nnil\n", header: map[string]string{"X-Late": ""},
			logs: []string{`attempt to set ngx.header.HEADER after sending out response headers, client: 127.0.0.1, server: , request: "GET /set_after_headers_sent HTTP/1.1"`}},
		{name: "in filters and log", hooks: map[string]string{
			"content":       `ngx.header["X-C"] = "c" ngx.say("body")`,
			"header_filter": `ngx.header["X-HF"] = "hf" ngx.header["X-C"] = nil`,
			"body_filter":   `ngx.header["X-BF"] = "bf" ngx.log(ngx.ERR, "filters-bf read ", ngx.header["X-HF"])`,
			"log":           `ngx.header["X-LOG"] = "l" ngx.log(ngx.ERR, "filters-log read ", ngx.header["X-HF"], " ", ngx.header.content_type)`,
		},
			status: 200, body: "body\n", header: map[string]string{"X-HF": "hf", "X-C": "", "X-BF": ""},
			logs: []string{
				"filters-bf read hf",
				"filters-log read hf text/plain while logging request",
				`attempt to set ngx.header.HEADER after sending out response headers while logging request, client: 127.0.0.1, server: , request: "GET /in_filters_and_log HTTP/1.1"`,
			}},
		{name: "get_headers", hooks: map[string]string{"content": luaTry + `
			ngx.header["A"] = "1" ngx.header["B"] = {"2", "3"} ngx.header["C-D"] = "4"
			local function keys(h)
			local s = {}
			for k, v in pairs(h) do s[#s + 1] = k .. "=" .. (type(v) == "table" and table.concat(v, ",") or v) end
			table.sort(s)
			return table.concat(s, ";")
			end
			local h2, err2 = ngx.resp.get_headers(2)
			local h4, err4 = ngx.resp.get_headers(4)
			local h5, err5 = ngx.resp.get_headers(5)
			local h, err = ngx.resp.get_headers()
			local raw, errraw = ngx.resp.get_headers(0, true)
			ngx.say("2: ", keys(h2), " ", tostring(err2))
			ngx.say("4: ", keys(h4), " ", tostring(err4))
			ngx.say("5: ", keys(h5), " ", tostring(err5))
			ngx.say("all: ", keys(h), " ", tostring(err), " ", h.C_D, " ", h["C-D"], " ", h.c_d)
			ngx.say("raw: ", keys(raw), " ", tostring(errraw), " ", tostring(raw["c-d"]), " ", tostring(raw.C_D), " ", raw["C-D"])
			ngx.say(try(function() local h = ngx.resp.get_headers("x") return h end))`},
			status: 200, body: "2: a=1;connection=keep-alive truncated\n" +
				"4: a=1;b=2,3;connection=keep-alive truncated\n" +
				"5: a=1;b=2,3;c-d=4;connection=keep-alive nil\n" +
				"all: a=1;b=2,3;c-d=4;connection=keep-alive nil 4 4 4\n" +
				"raw: A=1;B=2,3;C-D=4;connection=keep-alive nil nil nil 4\n" +
				"false bad argument #1 to 'get_headers' (number expected, got string)\n"},
		{name: "get_headers connection close", headers: []string{"Connection: close"}, hooks: map[string]string{"content": `
			ngx.say(ngx.resp.get_headers().connection)`},
			status: 200, body: "close\n"},
		{name: "add_header", hooks: map[string]string{"content": luaTry + `
			local resp = require "ngx.resp"
			ngx.header["X-A"] = "1"
			resp.add_header("X-A", "2")
			resp.add_header("X_B", "3")
			resp.add_header("X-C", {"4", "5"})
			resp.add_header("X-N", 6)
			resp.add_header("Content-Type", "text/x")
			resp.add_header("Content-Type", "text/y")
			local d, e = try(resp.add_header, "X-D"), try(resp.add_header, "X-E", {})
			local n = select("#", resp.add_header("X-G", "g"))
			ngx.say(d, "\n", e, "\n", n, " ", ngx.header["X-A"][2], " ", ngx.header.content_type)`},
			status: 200, body: "false invalid header value\ntrue\n0 2 text/y\n",
			header: map[string]string{"X-A": "1,2", "X-B": "3", "X-C": "4,5", "X-N": "6", "X-D": "", "X-E": "", "X-G": "g", "Content-Type": "text/y"}},
		{name: "add_header after headers sent", hooks: map[string]string{"content": `ngx.say("x") require("ngx.resp").add_header("X-Late", "1")`},
			status: 200, body: "x\n", header: map[string]string{"X-Late": ""},
			logs: []string{`attempt to set ngx.header.HEADER after sending out response headers, client: 127.0.0.1, server: , request: "GET /add_header_after_headers_sent HTTP/1.1"`}},
	})
}

func TestRespExit(t *testing.T) {
	runRespCases(t, "", nil, []respCase{
		{name: "OK continues", hooks: map[string]string{
			"rewrite": `ngx.header["X-RW"] = "1" ngx.exit(ngx.OK) ngx.log(ngx.ERR, "ok-continues rewrite after exit")`,
			"access":  `ngx.header["X-AC"] = "1" ngx.exit(ngx.OK)`,
			"content": `ngx.say("content")`,
		}, status: 200, body: "content\n", header: map[string]string{"X-RW": "1", "X-AC": "1"},
			nolog: []string{"ok-continues rewrite after exit"}},
		{name: "403 in rewrite", hooks: map[string]string{
			"rewrite": `ngx.exit(403)`,
			"content": `ngx.say("content")`,
			"log":     `ngx.log(ngx.ERR, "rewrite-403 log ran ", ngx.status)`,
		}, status: 403, body: page(403), header: map[string]string{"Content-Type": "text/html"},
			logs: []string{"rewrite-403 log ran 403"}},
		{name: "201 in access", hooks: map[string]string{"access": `ngx.exit(201)`, "content": `ngx.say("content")`},
			status: 201, body: "", header: map[string]string{"Content-Type": "text/plain"}},
		{name: "200 in access", hooks: map[string]string{"access": `ngx.exit(200)`, "content": `ngx.say("content")`},
			status: 200, body: ""},
		{name: "400 in access", hooks: map[string]string{
			"access": `ngx.exit(400)`,
			"log":    `ngx.log(ngx.ERR, "exit400 connection ", ngx.resp.get_headers().connection)`,
		}, status: 400, body: page(400), logs: []string{"exit400 connection close"}},
		{name: "pcall in access", hooks: map[string]string{
			"access":  `pcall(ngx.exit, 0) ngx.log(ngx.ERR, "pcall-access after exit")`,
			"content": `ngx.say("body")`,
		}, status: 200, body: "body\n", nolog: []string{"pcall-access after exit"}},
		{name: "200", hooks: respContent(`ngx.exit(200)`), status: 200, body: "", header: map[string]string{"Content-Type": "text/plain"}},
		{name: "202", hooks: respContent(`ngx.exit(202)`), status: 202, body: ""},
		{name: "204", hooks: respContent(`ngx.header["X-A"] = "a" ngx.exit(204)`),
			status: 204, body: "", header: map[string]string{"X-A": "a", "Content-Type": ""}},
		{name: "302", hooks: respContent(`ngx.exit(302)`), status: 302, body: page(302), header: map[string]string{"Content-Type": "text/html"}},
		{name: "418", hooks: respContent(`ngx.exit(418)`), status: 418, body: "", header: map[string]string{"Content-Type": ""}},
		{name: "500", hooks: map[string]string{
			"content": `ngx.exit(500)`,
			"log":     `ngx.log(ngx.ERR, "exit500 connection ", ngx.resp.get_headers().connection)`,
		}, status: 500, body: page(500), logs: []string{"exit500 connection close"}},
		{name: "503 keeps headers", hooks: respContent(`ngx.header["X-A"] = "a" ngx.exit(503)`),
			status: 503, body: page(503), header: map[string]string{"X-A": "a", "Content-Type": "text/html"}},
		{name: "OK after say", hooks: respContent(`ngx.say("a") ngx.exit(ngx.OK) ngx.say("b")`), status: 200, body: "a\n"},
		{name: "404 after say", hooks: respContent(`ngx.say("a") ngx.exit(404) ngx.say("b")`), status: 200, body: "a\n",
			logs: []string{"attempt to set status 404 via ngx.exit after sending out the response status 200"}},
		{name: "pcall", hooks: respContent(`local ok, err = pcall(ngx.exit, 403) ngx.log(ngx.ERR, "exit-pcall after") ngx.say("after")`),
			status: 403, body: page(403), nolog: []string{"exit-pcall after"}},
		{name: "pcall closure", hooks: respContent(`pcall(function() ngx.exit(403) end) ngx.log(ngx.ERR, "exit-pcall2 after") ngx.say("after")`),
			status: 403, body: page(403), nolog: []string{"exit-pcall2 after"}},
		{name: "444", hooks: respContent(`ngx.say("x") ngx.exit(444)`), closed: true},
		{name: "ERROR in content", hooks: respContent(`ngx.exit(ngx.ERROR)`), closed: true},
		{name: "ERROR in rewrite", hooks: map[string]string{"rewrite": `ngx.exit(ngx.ERROR)`, "content": `ngx.say("x")`}, closed: true},
		{name: "ERROR in access", hooks: map[string]string{"access": `ngx.exit(ngx.ERROR)`, "content": `ngx.say("x")`}, closed: true},
		{name: "bad status", hooks: respContent(luaTry + `ngx.say(try(ngx.exit, "abc"):match("^%a+"), " ", try(ngx.exit):match("^%a+"))`),
			status: 200, body: "false false\n"},
		{name: "header_filter 403", hooks: map[string]string{
			"content":       `ngx.header["X-Content"] = "c" ngx.header.content_type = "application/json" ngx.say("body")`,
			"header_filter": `if ngx.status == 200 then ngx.header["X-HF1"] = "1" ngx.exit(403) ngx.log(ngx.ERR, "hf403 after exit") end`,
			"body_filter":   `if ngx.arg[1] ~= "" then ngx.log(ngx.ERR, "hf403 bf chunk [", ngx.arg[1]:sub(1, 12), "]") end`,
			"log":           `ngx.log(ngx.ERR, "hf403 log status ", ngx.status)`,
		}, status: 403, body: page(403),
			header: map[string]string{"Content-Type": "text/html", "X-Content": "", "X-HF1": ""},
			logs:   []string{"hf403 after exit", "hf403 bf chunk [<html>\r\n<hea]", "hf403 log status 403"}},
		{name: "header_filter runs again", hooks: map[string]string{
			"content":       `ngx.say("body")`,
			"header_filter": `ngx.exit(403) ngx.header["X-After"] = ngx.status`,
		}, status: 403, body: page(403), header: map[string]string{"X-After": "403"}},
		{name: "header_filter 200", hooks: map[string]string{
			"content":       `ngx.say("body")`,
			"header_filter": `ngx.exit(200)`,
		}, status: 200, body: "", header: map[string]string{"Content-Type": ""}},
		{name: "header_filter OK", hooks: map[string]string{
			"content":       `ngx.say("body")`,
			"header_filter": `ngx.header["X-H"] = "1" ngx.exit(ngx.OK) ngx.header["X-H2"] = "2"`,
		}, status: 200, body: "body\n", header: map[string]string{"X-H": "1", "X-H2": "2"}},
		{name: "header_filter exit fails the output", hooks: map[string]string{
			"content": `
				local a, b = ngx.say("body")
				ngx.log(ngx.ERR, "hf-say returned ", tostring(a), " ", tostring(b))`,
			"header_filter": `ngx.exit(403)`,
		}, status: 403, body: page(403), logs: []string{"hf-say returned nil nginx output filter error"}},
		{name: "in body_filter", hooks: map[string]string{
			"content":     `ngx.say("body")`,
			"body_filter": luaTry + `if ngx.arg[2] then ngx.log(ngx.ERR, "bf-exit ", try(ngx.exit, 200)) end`,
		}, status: 200, body: "body\n", logs: []string{"bf-exit false API disabled in the context of body_filter_by_lua*"}},
		{name: "in log", hooks: map[string]string{
			"content": `ngx.say("body")`,
			"log":     luaTry + `ngx.log(ngx.ERR, "log-exit ", try(ngx.exit, 200))`,
		}, status: 200, body: "body\n", logs: []string{"log-exit false API disabled in the context of log_by_lua*"}},
	})
}

func TestRespRedirect(t *testing.T) {
	var cases []respCase
	for _, code := range []int{301, 302, 303, 307, 308} {
		cases = append(cases, respCase{
			name: fmt.Sprintf("code %d", code), hooks: respContent(fmt.Sprintf(`ngx.redirect("http://example.com/", %d)`, code)),
			status: code, body: page(code),
			header: map[string]string{"Location": "http://example.com/", "Content-Type": "text/html"},
		})
	}
	cases = append(cases,
		respCase{name: "default 302", hooks: respContent(`ngx.redirect("/target?a=1")`),
			status: 302, body: page(302), header: map[string]string{"Location": "/target?a=1"}},
		respCase{name: "status as string", hooks: respContent(`ngx.redirect("/s", "301")`),
			status: 301, body: page(301), header: map[string]string{"Location": "/s"}},
		respCase{name: "bad arguments", hooks: respContent(luaTry + `
			local out = {
			try(ngx.redirect, "/x", 200),
			try(ngx.redirect, "/x", 404),
			try(ngx.redirect),
			try(ngx.redirect, "/x", 301, 1),
			try(ngx.redirect, nil),
			try(ngx.redirect, "/a\r\nX-Injected: 1"),
			try(ngx.redirect, "/a\0b"),
			try(ngx.redirect, "/a\127b"),
			}
			ngx.status = 200
			ngx.header.location = nil
			ngx.print(table.concat(out, "\n"))`),
			status: 200, body: "false only ngx.HTTP_MOVED_TEMPORARILY, ngx.HTTP_MOVED_PERMANENTLY, ngx.HTTP_PERMANENT_REDIRECT, ngx.HTTP_SEE_OTHER, and ngx.HTTP_TEMPORARY_REDIRECT are allowed\n" +
				"false only ngx.HTTP_MOVED_TEMPORARILY, ngx.HTTP_MOVED_PERMANENTLY, ngx.HTTP_PERMANENT_REDIRECT, ngx.HTTP_SEE_OTHER, and ngx.HTTP_TEMPORARY_REDIRECT are allowed\n" +
				"false expecting one or two arguments\n" +
				"false expecting one or two arguments\n" +
				"false bad argument #1 to '?' (string expected, got nil)\n" +
				`false unsafe byte "0x0d" in redirect uri "/a\x0D\x0AX-Injected: 1"` + "\n" +
				`false unsafe byte "0x00" in redirect uri "/a\x00b"` + "\n" +
				`false unsafe byte "0x7f" in redirect uri "/a\x7Fb"`},
		respCase{name: "tab and 8-bit bytes are safe", hooks: map[string]string{
			"content":       `ngx.redirect("/a\tb\128")`,
			"header_filter": `ngx.header["X-Location-Length"] = #ngx.header.location ngx.header.location = nil`,
		}, status: 302, body: page(302), header: map[string]string{"X-Location-Length": "5"}},
		respCase{name: "after headers sent", hooks: respContent(luaTry + `ngx.say("x") ngx.say(try(ngx.redirect, "/y"))`),
			status: 200, body: "x\nfalse attempt to call ngx.redirect after sending out the headers\n"},
		respCase{name: "in rewrite", hooks: map[string]string{"rewrite": `ngx.header["X-A"] = "a" ngx.redirect("/rw", ngx.HTTP_MOVED_PERMANENTLY)`},
			status: 301, body: page(301), header: map[string]string{"Location": "/rw", "X-A": "a"}},
		respCase{name: "pcall in access", hooks: map[string]string{"access": `pcall(ngx.redirect, "/ac", 307) ngx.log(ngx.ERR, "redirect-access after")`},
			status: 307, body: page(307), header: map[string]string{"Location": "/ac"}, nolog: []string{"redirect-access after"}},
		respCase{name: "in header_filter", hooks: map[string]string{
			"content":       `ngx.say("x")`,
			"header_filter": luaTry + `ngx.header["X-R"] = try(ngx.redirect, "/hf")`,
		}, status: 200, body: "x\n", header: map[string]string{"X-R": "false API disabled in the context of header_filter_by_lua*"}},
		respCase{name: "in log", hooks: map[string]string{
			"content": `ngx.say("x")`,
			"log":     luaTry + `ngx.log(ngx.ERR, "log-redirect ", try(ngx.redirect, "/log"))`,
		}, status: 200, body: "x\n", logs: []string{"log-redirect false API disabled in the context of log_by_lua*"}},
	)
	runRespCases(t, "", nil, cases)
}

func TestRespCtxAndPhase(t *testing.T) {
	runRespCases(t, "", nil, []respCase{
		{name: "across phases", hooks: map[string]string{
			"rewrite":       `ngx.ctx.p = {ngx.get_phase()}`,
			"access":        `table.insert(ngx.ctx.p, ngx.get_phase())`,
			"content":       `table.insert(ngx.ctx.p, ngx.get_phase()) ngx.say(table.concat(ngx.ctx.p, ","))`,
			"header_filter": `table.insert(ngx.ctx.p, ngx.get_phase())`,
			"body_filter":   `if ngx.arg[2] then table.insert(ngx.ctx.p, ngx.get_phase()) end`,
			"log":           `table.insert(ngx.ctx.p, ngx.get_phase()) ngx.log(ngx.ERR, "ctx-phases: ", table.concat(ngx.ctx.p, ","))`,
		}, status: 200, body: "rewrite,access,content\n",
			logs: []string{"ctx-phases: rewrite,access,content,header_filter,body_filter,log while logging request"}},
		{name: "fresh per request", repeat: 3, hooks: map[string]string{"content": `
			ngx.ctx.n = (ngx.ctx.n or 0) + 1
			ngx.say(ngx.ctx.n, " ", ngx.ctx == ngx.ctx)`},
			status: 200, body: "1 true\n"},
		{name: "assignable", hooks: map[string]string{
			"rewrite": `ngx.ctx = {a = 1}`,
			"content": luaTry + `ngx.say(ngx.ctx.a, " ", try(function() ngx.ctx = 5 end))`,
		}, status: 200, body: "1 false ctx should be a table while getting a number\n"},
	})
}

func TestRespBodyFilterArg(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/streamed" {
			io.WriteString(w, "streamed ")
			w.(http.Flusher).Flush()
		}
		io.WriteString(w, "hello upstream")
	}))
	defer upstream.Close()
	upper := map[string]string{"body_filter": `ngx.arg[1] = string.upper(ngx.arg[1])`}
	forbid := map[string]string{"header_filter": `ngx.exit(403)`}
	runRespCases(t, "", nil, []respCase{
		{name: "upper", hooks: map[string]string{
			"content":     `ngx.say("hello") ngx.say("world")`,
			"body_filter": `ngx.log(ngx.ERR, "upper chunk=[", ngx.arg[1], "] eof=", tostring(ngx.arg[2]), " ", type(ngx.arg[1]), type(ngx.arg[2])) ngx.arg[1] = string.upper(ngx.arg[1])`,
		}, status: 200, body: "HELLO\nWORLD\n",
			logs: []string{"upper chunk=[hello\n] eof=false stringboolean", "upper chunk=[world\n] eof=false stringboolean", "upper chunk=[] eof=true stringboolean"}},
		{name: "truncate", hooks: map[string]string{
			"content":     `ngx.say("one") ngx.say("two") ngx.say("three")`,
			"body_filter": `if ngx.arg[1]:find("two") then ngx.arg[1] = "TWO\n" ngx.arg[2] = true end`,
		}, status: 200, body: "one\nTWO\n"},
		{name: "drop chunk", hooks: map[string]string{
			"content":     `ngx.say("one") ngx.say("two")`,
			"body_filter": `if ngx.arg[1] == "one\n" then ngx.arg[1] = nil end`,
		}, status: 200, body: "two\n"},
		{name: "table and number", hooks: map[string]string{
			"content":     `ngx.say("one") ngx.say("two")`,
			"body_filter": `if ngx.arg[1] == "one\n" then ngx.arg[1] = {"a", 1, {"b"}} elseif ngx.arg[1] == "two\n" then ngx.arg[1] = 1.5 end`,
		}, status: 200, body: "a1b1.5"},
		{name: "bad assignments", hooks: map[string]string{
			"content": `ngx.say("one")`,
			"body_filter": luaTry + `
				if ngx.arg[2] then
				ngx.log(ngx.ERR, "bad-arg ", table.concat({
				try(function() ngx.arg[1] = true end),
				try(function() ngx.arg[3] = 1 end),
				try(function() ngx.arg[1] = {a = 1} end),
				try(function() ngx.arg[2] = "x" end), tostring(ngx.arg[2]),
				tostring(ngx.arg[3]), tostring(ngx.arg[0]), tostring(ngx.arg.foo),
				}, " | "))
				end`,
		}, status: 200, body: "one\n",
			logs: []string{"bad-arg false bad chunk data type: boolean | false bad index: 3 | false bad argument #3 to '__newindex' (non-array table found) | true | true | nil | nil | nil"}},
		{name: "not in content", nginx: "reading ngx.arg says \"API disabled in the current context\" there", hooks: map[string]string{"content": luaTry + `
			ngx.say(try(function() return ngx.arg[1] end))
			ngx.say(try(function() ngx.arg[1] = "x" end))`},
			status: 200, body: "false API disabled in the context of content_by_lua*\nfalse API disabled in the context of content_by_lua*\n"},
		{name: "proxied", proxy: upstream.URL, hooks: upper, status: 200, body: "HELLO UPSTREAM"},
		{name: "streamed", proxy: upstream.URL, hooks: upper, status: 200, body: "STREAMED HELLO UPSTREAM"},
		{name: "proxied header_filter exit", proxy: upstream.URL, hooks: forbid, status: 403, body: page(403)},
		{name: "streamed header_filter exit", proxy: upstream.URL + "/streamed", hooks: forbid, status: 403, body: page(403)},
	})
}

func TestRespLog(t *testing.T) {
	tg := runRespCases(t, "", nil, []respCase{
		{name: "levels", hooks: map[string]string{"content": `
			ngx.log(ngx.ERR, "levels-err ", 1, " ", 1.5, " ", 1/3, " ", true, " ", nil, " ", ngx.null)
			ngx.log(ngx.WARN, "levels-warn")
			ngx.log(ngx.NOTICE, "levels-notice")
			ngx.log(ngx.INFO, "levels-info")
			ngx.log(ngx.DEBUG, "levels-debug")
			ngx.log(ngx.STDERR, "levels-stderr")
			ngx.log(ngx.EMERG, "levels-emerg")
			ngx.log(ngx.ALERT, "levels-alert")
			ngx.log(ngx.CRIT, "levels-crit")
			print("levels-print ", 42, " ", nil, " ", true)
			local function helper() ngx.log(ngx.ERR, "levels-in-function") end
			helper()
			ngx.log(ngx.ERR, setmetatable({}, {__tostring = function() return "levels-tostring" end}))
			pcall(ngx.log, ngx.ERR, "levels-pcall")
			ngx.say(select("#", ngx.log(ngx.ERR, "levels-r")))`},
			status: 200, body: "0\n",
			logs: []string{
				`[error] `, `: [lua] `,
				`.content:1: levels-err 1 1.5 0.33333333333333 true nil null, client: 127.0.0.1, server: , request: "GET /levels HTTP/1.1", host: "127.0.0.1:`,
				"[warn] ", ".content:2: levels-warn, client",
				"[notice] ", ".content:3: levels-notice, client",
				"[info] ", ".content:4: levels-info, client",
				".content:6: levels-stderr, client",
				"[emerg] ", ".content:7: levels-emerg, client",
				"[alert] ", ".content:8: levels-alert, client",
				"[crit] ", ".content:9: levels-crit, client",
				".content:10: levels-print 42 nil true, client",
				".content:11: helper(): levels-in-function, client",
				".content:13: levels-tostring, client",
				"[lua] [C]:-1: levels-pcall, client",
			},
			nolog: []string{"levels-debug"}},
		{name: "bad arguments", hooks: map[string]string{"content": luaTry + `
			ngx.print(table.concat({
			try(ngx.log, 99, "x"),
			try(ngx.log, "x", "y"),
			try(ngx.log, ngx.ERR, {}),
			try(ngx.log, ngx.ERR, function() end),
			try(ngx.log),
			try(print, "a", {}),
			}, "\n"))`},
			status: 200, body: "false bad argument #1 to '?' (bad log level: 99)\n" +
				"false bad argument #1 to '?' (number expected, got string)\n" +
				"false bad argument #1 to '?' (expected table to have __tostring metamethod)\n" +
				"false bad argument #1 to '?' (string, number, boolean, or nil expected, got function)\n" +
				"false bad argument #1 to '?' (number expected, got no value)\n" +
				"false bad argument #2 to '?' (expected table to have __tostring metamethod)"},
	})
	// The line of a notice message is the level name, then the pid.
	if log := tg.errorLog(); !strings.Contains(log, "[notice] "+strconv.Itoa(os.Getpid())+"#0: ") {
		t.Errorf("error log lacks nginx's line format:\n%s", log)
	}
}

func TestRespConfigWorkerConstants(t *testing.T) {
	runRespCases(t, "lua: {vms: 3}\n", nil, []respCase{
		{name: "config", nginx: "its prefix is elsewhere and its debug build says true", hooks: map[string]string{"content": `
			ngx.say(ngx.config.subsystem, " ", tostring(ngx.config.debug), " ", type(ngx.config.nginx_version), " ",
			type(ngx.config.ngx_lua_version), " ", type(ngx.config.nginx_configure()), " ", ngx.config.prefix())`},
			status: 200, body: "http false number number string {dir}/\n"},
		{name: "worker", nginx: "it has 1 worker", repeat: 4, hooks: map[string]string{"content": `
			local id = ngx.worker.id()
			ngx.say(id >= 0 and id < ngx.worker.count(), " ", ngx.worker.count(), " ", ngx.worker.pid(), " ",
			tostring(ngx.worker.exiting()), " ", type(ngx.worker.pids()), " ", ngx.worker.pids()[1] == ngx.worker.pid())`},
			status: 200, body: fmt.Sprintf("true 3 %d false table true\n", os.Getpid())},
		{name: "constants", hooks: map[string]string{"content": `
			local all = {}
			for k, v in pairs(ngx) do if type(v) == "number" then all[#all + 1] = k .. "=" .. v end end
			table.sort(all)
			ngx.say(table.concat(all, " "))`},
			status: 200, body: "AGAIN=-2 ALERT=2 CRIT=3 DEBUG=8 DECLINED=-5 DONE=-4 EMERG=1 ERR=4 ERROR=-1 HTTP_ACCEPTED=202 " +
				"HTTP_BAD_GATEWAY=502 HTTP_BAD_REQUEST=400 HTTP_CLOSE=444 HTTP_CONFLICT=409 HTTP_CONTINUE=100 HTTP_COPY=128 " +
				"HTTP_CREATED=201 HTTP_DELETE=32 HTTP_FORBIDDEN=403 HTTP_GATEWAY_TIMEOUT=504 HTTP_GET=2 HTTP_GONE=410 " +
				"HTTP_HEAD=4 HTTP_ILLEGAL=451 HTTP_INSUFFICIENT_STORAGE=507 HTTP_INTERNAL_SERVER_ERROR=500 HTTP_LOCK=4096 " +
				"HTTP_METHOD_NOT_IMPLEMENTED=501 HTTP_MKCOL=64 HTTP_MOVE=256 HTTP_MOVED_PERMANENTLY=301 " +
				"HTTP_MOVED_TEMPORARILY=302 HTTP_NOT_ACCEPTABLE=406 HTTP_NOT_ALLOWED=405 HTTP_NOT_FOUND=404 " +
				"HTTP_NOT_IMPLEMENTED=501 HTTP_NOT_MODIFIED=304 HTTP_NO_CONTENT=204 HTTP_OK=200 HTTP_OPTIONS=512 " +
				"HTTP_PARTIAL_CONTENT=206 HTTP_PATCH=16384 HTTP_PAYMENT_REQUIRED=402 HTTP_PERMANENT_REDIRECT=308 " +
				"HTTP_POST=8 HTTP_PROPFIND=1024 HTTP_PROPPATCH=2048 HTTP_PUT=16 HTTP_REQUEST_TIMEOUT=408 " +
				"HTTP_SEE_OTHER=303 HTTP_SERVICE_UNAVAILABLE=503 HTTP_SPECIAL_RESPONSE=300 " +
				"HTTP_SWITCHING_PROTOCOLS=101 HTTP_TEMPORARY_REDIRECT=307 HTTP_TOO_MANY_REQUESTS=429 HTTP_TRACE=32768 " +
				"HTTP_UNAUTHORIZED=401 HTTP_UNLOCK=8192 HTTP_UPGRADE_REQUIRED=426 HTTP_VERSION_NOT_SUPPORTED=505 " +
				"INFO=7 NOTICE=6 OK=0 STDERR=0 WARN=5\n"},
		{name: "null", hooks: map[string]string{"content": `
			ngx.say(type(ngx.null), " ", tostring(ngx.null == require("cjson").null), " ", tostring(ngx.null == nil), " ", tostring(not ngx.null))`},
			status: 200, body: "userdata true false false\n"},
		{name: "cjson", hooks: map[string]string{"content": `
			local cjson = require "cjson"
			local safe = require "cjson.safe"
			ngx.say(cjson.encode({a = {1, 2, cjson.null}}))
			local t = cjson.decode('{"x":[true,null]}')
			ngx.say(tostring(t.x[1]), " ", tostring(t.x[2] == ngx.null))
			local v, err = safe.decode("{bad")
			ngx.say(tostring(v), " ", tostring(err ~= nil), " ", tostring(pcall(cjson.decode, "{bad")))`},
			status: 200, body: `{"a":[1,2,null]}` + "\ntrue true\nnil true false\n"},
	})
}

func TestRespWrongPhase(t *testing.T) {
	disabled := func(phase string, n int) string {
		return strings.TrimSuffix(strings.Repeat("false API disabled in the context of "+phase+"_by_lua* ; ", n), " ; ")
	}
	runRespCases(t, "", nil, []respCase{{
		name: "filters and log",
		hooks: map[string]string{
			"content": `ngx.say("body")`,
			"header_filter": luaTry + `
				ngx.header["X-HF"] = table.concat({
				try(ngx.say, "x"), try(ngx.print, "x"), try(ngx.flush), try(ngx.eof), try(ngx.send_headers),
				try(ngx.redirect, "/x"), try(ngx.req.read_body),
				try(function() return ngx.headers_sent end),
				try(function() return ngx.status end),
				try(function() ngx.status = 201 end),
				try(function() return ngx.resp.get_headers()["content-type"] end),
				try(function() return type(ngx.worker.id()) end),
				}, " ; ")`,
			"body_filter": luaTry + `
				if ngx.arg[2] then
				ngx.log(ngx.ERR, "wrong-bf ", table.concat({
				try(ngx.say, "x"), try(ngx.flush), try(ngx.send_headers), try(ngx.exit, 200), try(ngx.req.read_body),
				try(function() return ngx.headers_sent end),
				try(function() return ngx.status end),
				try(function() ngx.status = 202 end),
				try(function() return ngx.header["X-HF"] ~= nil end),
				try(function() ngx.header["X-BF"] = 1 end),
				try(function() return ngx.resp.get_headers()["x-hf"] ~= nil end),
				}, " ; "))
				end`,
			"log": luaTry + `
				ngx.log(ngx.ERR, "wrong-log ", table.concat({
				try(ngx.say, "x"), try(ngx.flush), try(ngx.send_headers), try(ngx.exit, 200), try(ngx.redirect, "/x"),
				try(ngx.req.read_body),
				try(function() return ngx.headers_sent end),
				try(function() return ngx.status end),
				try(function() ngx.status = 202 end),
				try(function() return ngx.header["X-HF"] ~= nil end),
				try(function() ngx.header["X-LOG"] = 1 end),
				try(function() return ngx.resp.get_headers()["x-hf"] ~= nil end),
				try(function() return type(ngx.ctx) end),
				try(function() return type(ngx.worker.pids()) end),
				try(function() return ngx.arg[1] end):match("^%a+ API disabled"),
				}, " ; "))`,
		},
		status: 201, body: "body\n",
		header: map[string]string{"X-HF": disabled("header_filter", 7) +
			" ; true false ; true 200 ; true ; true text/plain ; true number"},
		logs: []string{
			"wrong-bf " + disabled("body_filter", 5) + " ; true true ; true 201 ; true ; true true ; true ; true true, client",
			"wrong-log " + disabled("log", 6) + " ; true true ; true 201 ; true ; true true ; true ; true true ; true table ; true table ; false API disabled while logging request",
			"attempt to set ngx.status after sending out response headers, client",
			"attempt to set ngx.status after sending out response headers while logging request, client",
		},
	}})
}

func TestRespInitHooksAndSandbox(t *testing.T) {
	prelude := "lua: {vms: 2}\n" + `init:
  lua: |
    ` + strings.ReplaceAll(strings.TrimSpace(luaTry), "\n", "\n    ") + `
    INIT_PHASE = ngx.get_phase()
    INIT_RES = table.concat({try(ngx.worker.count), try(ngx.say, "x"), try(function() return ngx.ctx end),
      try(function() return ngx.config.subsystem end)}, " ; ")
init_worker:
  lua: |
    ` + strings.ReplaceAll(strings.TrimSpace(luaTry), "\n", "\n    ") + `
    IW_PHASE = ngx.get_phase()
    IW_ID = ngx.worker.id()
    IW_RES = table.concat({try(function() return type(ngx.ctx) end), try(ngx.exit, 200), try(ngx.say, "x")}, " ; ")
`
	files := map[string]string{"lua/counter.lua": `
		LOADS = (LOADS or 0) + 1
		local M = {}
		function M.loads() return LOADS end
		return M`}
	runRespCases(t, prelude, files, []respCase{
		{name: "init", nginx: "its config has no init hook; its messages there are \"no request found\"", hooks: map[string]string{"content": `ngx.say(INIT_PHASE, " ", INIT_RES)`},
			status: 200, body: "init true 2 ; false API disabled in the context of init_by_lua* ; " +
				"false API disabled in the context of init_by_lua* ; true http\n"},
		{name: "init_worker", nginx: "its config has no init_worker hook", repeat: 4, hooks: map[string]string{"content": `ngx.say(IW_PHASE, " ", tostring(IW_ID == ngx.worker.id()), " ", IW_RES)`},
			status: 200, body: "init_worker true true table ; false API disabled in the context of init_worker_by_lua* ; " +
				"false API disabled in the context of init_worker_by_lua*\n"},
		{name: "removed functions", nginx: "OpenResty has no sandbox", hooks: map[string]string{"content": `
			ngx.say(type(os.execute), " ", type(io), " ", type(loadfile), " ", type(dofile), " ", type(os.getenv), " ",
			type(os.exit), " ", type(os.time), " ", type(package.loadlib), " ", type(debug.getinfo), " ", type(debug.traceback))`},
			status: 200, body: "nil nil nil nil nil nil function nil nil function\n"},
		{name: "unpack", nginx: "LuaJIT has no table.unpack", hooks: map[string]string{"content": `
			ngx.say(table.concat({unpack({1, 2, 3})}), " ", table.concat({table.unpack({4, 5})}), " ", tostring(table.unpack == unpack))`},
			status: 200, body: "123 45 true\n"},
		{name: "require caches per VM", repeat: 6, hooks: map[string]string{"content": `
			local a = require "counter"
			local b = require "counter"
			ngx.say(tostring(a == b), " ", a.loads(), " ", tostring(package.loaded.counter == a), " ", tostring(pcall(require, "nope")))`},
			status: 200, body: "true 1 true false\n"},
		{name: "bit", hooks: map[string]string{"content": `
			ngx.say(bit.band(0xff, 0x0f), " ", bit.bor(1, 2), " ", bit.bxor(3, 1), " ", bit.lshift(1, 31), " ",
			bit.rshift(-1, 28), " ", bit.arshift(-16, 2), " ", bit.tohex(255), " ", bit.tohex(-1, -4), " ",
			bit.bnot(0), " ", bit.tobit(2^32 + 5), " ", bit.rol(0x12345678, 8), " ", bit.ror(0x12345678, 8), " ",
			bit.bswap(0x12345678), " ", bit.band(1, 3, 7), " ", bit.tohex(0x1234, 2), " ", bit.tobit(0xffffffff), " ",
			tostring(require("bit") == bit))`},
			status: 200, body: "15 3 2 -2147483648 15 -4 000000ff FFFF -1 5 878082066 2014458966 2018915346 1 34 -1 true\n"},
	})
}

// signal creates the Lua module name in the gateway's lua/ directory: a
// hook waiting with `while not pcall(require, name) do end` goes on.
func (tg *testGateway) signal(t *testing.T, name string) {
	t.Helper()
	dir := filepath.Join(tg.dir, "lua")
	tmp := filepath.Join(dir, name+".tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte("return true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name+".lua")); err != nil {
		t.Fatal(err)
	}
}

// TestRespFlushAndEOFReachTheClientAtOnce checks that ngx.flush and ngx.eof
// send the response while the hook still runs: the hook waits until the
// test, having read what it sent, lets it go on.
func TestRespFlushAndEOFReachTheClientAtOnce(t *testing.T) {
	tg := startGateway(t, "lua: {cpu_limit: 60s}\n"+respRoutes([]respCase{
		{name: "flush", hooks: map[string]string{"content": `
			ngx.say("first")
			local ok, err = ngx.flush(true)
			while not pcall(require, "flush_go") do end
			ngx.say("second ", tostring(ok), " ", tostring(err))`}},
		{name: "eof", hooks: map[string]string{"content": `
			ngx.say("done")
			ngx.eof()
			while not pcall(require, "eof_go") do end
			ngx.log(ngx.ERR, "eof hook went on")`}},
	}), nil)
	// A failed subtest must not leave its hook spinning.
	t.Cleanup(func() { tg.signal(t, "flush_go"); tg.signal(t, "eof_go") })

	t.Run("flush", func(t *testing.T) {
		conn, err := net.Dial("tcp", tg.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(conn, "GET /flush HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		var got []byte
		buf := make([]byte, 4096)
		for !strings.Contains(string(got), "first\n") {
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatalf("reading the flushed part: %v (got %q)", err, got)
			}
			got = append(got, buf[:n]...)
		}
		if strings.Contains(string(got), "second") {
			t.Fatalf("got the rest before the hook went on: %q", got)
		}
		tg.signal(t, "flush_go")
		rest, err := io.ReadAll(conn)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(got)+string(rest))), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || string(body) != "first\nsecond 1 nil\n" || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("got %d %v %q", resp.StatusCode, resp.TransferEncoding, body)
		}
	})

	t.Run("eof", func(t *testing.T) {
		got, err := sendTo(tg.base, "GET", "/eof")
		if err != nil {
			t.Fatal(err)
		}
		tg.signal(t, "eof_go")
		if got.status != 200 || got.body != "done\n" {
			t.Errorf("got %d %q", got.status, got.body)
		}
	})
}

// nginxRef is a reference OpenResty: Debian's nginx with
// libnginx-mod-http-lua and lua-resty-core, serving the cases of a table
// from a temp dir on a loopback port.
type nginxRef struct {
	dir  string
	base string
}

// nginx modules of Debian's libnginx-mod-http-lua.
const (
	ndkModule = "/usr/lib/nginx/modules/ndk_http_module.so"
	luaModule = "/usr/lib/nginx/modules/ngx_http_lua_module.so"
)

// startNginx serves the cases that nginx can run with the reference
// OpenResty, with files in its prefix directory, or returns nil when it is
// not installed. nginx daemonises
// once its listening socket is open, so it accepts requests when the
// command returns.
func startNginx(t *testing.T, cases []respCase, files map[string]string) *nginxRef {
	t.Helper()
	if !refNginxInstalled() {
		return nil
	}
	runnable := false
	for _, c := range cases {
		runnable = runnable || c.nginx == ""
	}
	if !runnable {
		return nil
	}
	var locs strings.Builder
	for _, c := range cases {
		if c.nginx != "" {
			continue
		}
		fmt.Fprintf(&locs, "location = %s {\n", c.path())
		if c.proxy != "" {
			fmt.Fprintf(&locs, "proxy_pass %s;\n", c.proxy)
		}
		for _, phase := range respPhases {
			if src, ok := c.hooks[phase]; ok {
				fmt.Fprintf(&locs, "%s_by_lua_block {\n%s\n}\n", phase, src)
			}
		}
		locs.WriteString("}\n")
	}
	dir, port := startRefNginx(t, files, locs.String())
	return &nginxRef{dir: dir, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
}

// stopNginx stops the nginx whose pid file is in dir: the pid file is
// written before nginx serves, so it exists once a request was answered.
func stopNginx(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "nginx.pid"))
	if err != nil {
		t.Errorf("stopping the reference nginx: %v", err)
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Errorf("stopping the reference nginx: %v", err)
		return
	}
	if p, err := os.FindProcess(pid); err == nil {
		p.Signal(syscall.SIGTERM)
	}
}

// writeFiles writes files (name -> content) into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// freePort returns a loopback port between 20000 and 29999 that is free
// now.
func freePort(t *testing.T) int {
	for i := 0; i < 10000; i++ {
		port := 20000 + (os.Getpid()+i*7919)%10000
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port between 20000 and 29999")
	return 0
}

// nginxFooter is the server line of nginx's own error pages, which
// moongate's name replaces.
var nginxFooter = regexp.MustCompile(`<center>nginx/[0-9.]+</center>`)
