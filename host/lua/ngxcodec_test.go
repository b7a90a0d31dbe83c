package lua

import (
	"strings"
	"testing"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// codecCase is a hook run in the timer context and the value of the global
// "out" it leaves.
type codecCase struct {
	name, src, want string
}

// codecTryLua defines try(f, ...): pcall's outcome as "ok <values>" or "error
// <message>", values shown as %q for strings, the message without its
// "chunk:line: ".
const codecTryLua = `
local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end
function try(f, ...)
  local r = {pcall(f, ...)}
  local n = table.maxn(r)
  if not r[1] then return "error " .. (tostring(r[2]):gsub("^.-:%d+: ", "")) end
  local out = {"ok"}
  for i = 2, n do out[#out + 1] = show(r[i]) end
  return table.concat(out, " ")
end
`

// runCodecCases runs every case on one VM, each as a hook of its own, and
// checks out.
func runCodecCases(t *testing.T, tests []codecCase) {
	t.Helper()
	chunks := make([]*Chunk, len(tests))
	for i, tt := range tests {
		c, err := Compile("="+tt.name, codecTryLua+tt.src)
		if err != nil {
			t.Fatal(err)
		}
		chunks[i] = c
	}
	e, err := NewEngine(Options{VMs: 1}, chunks, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := e.Begin(host.NewContext(abi.PhaseTimer, nil))
			defer s.End()
			if err := s.Run(Hook(i)); err != nil {
				t.Fatal(err)
			}
			if got := s.vm.L.GetGlobal("out").String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// outLines joins Lua expressions as out = e1 .. "\n" .. e2 ...
func outLines(exprs ...string) string {
	return "out = table.concat({" + strings.Join(exprs, ",\n") + "}, \"\\n\")"
}

func TestNgxCodec(t *testing.T) {
	runCodecCases(t, []codecCase{
		{name: "escape_uri", src: outLines(
			`try(ngx.escape_uri, "a b/é")`,
			`try(ngx.escape_uri, " /?#%é", 0)`,
			`try(ngx.escape_uri, "a+b", 1)`,
			`try(ngx.escape_uri, "a b", 2.5)`,
			`try(ngx.escape_uri, nil)`,
			`try(ngx.escape_uri, false)`,
			`try(ngx.escape_uri, 1.5)`,
			`try(ngx.escape_uri, "a b", "2")`,
			`try(ngx.escape_uri, "a b", 7)`,
			`try(ngx.escape_uri, "a b", 6.5)`,
			`try(ngx.escape_uri, "a b", -1)`,
			`try(ngx.escape_uri, "a b", 0/0)`),
			want: `ok "a%20b%2F%C3%A9"
ok "%20/%3F%23%25%C3%A9"
ok "a%2Bb"
ok "a%20b"
ok ""
ok ""
ok "1.5"
error "type" is not a number
error "type" 7 out of range
error "type" 6.5 out of range
error "type" -1 out of range
error "type" -nan out of range`},
		{name: "unescape_uri", src: outLines(
			`try(ngx.unescape_uri, "a+b%20c%zz%4%41")`,
			`try(ngx.unescape_uri, nil)`,
			`try(ngx.unescape_uri, 12)`),
			want: `ok "a b c%zz%4A"
ok ""
ok "12"`},
		{name: "encode_args", src: outLines(
			`try(ngx.encode_args, {a = {1, true, false, "x y"}})`,
			`try(ngx.encode_args, {b = "c&d", a = true, c = false})`,
			`try(ngx.encode_args, {})`,
			`try(ngx.encode_args, nil)`,
			`try(ngx.encode_args)`,
			`try(ngx.encode_args, {}, 1)`,
			`try(ngx.encode_args, {[1] = "x"})`,
			`try(ngx.encode_args, {a = {{}}})`,
			`try(ngx.encode_args, {a = print})`),
			want: `ok "a=1&a&a=x%20y"
ok "a&b=c%26d"
ok ""
error bad argument #1 to '?' (table expected, got nil)
error expecting 1 argument but seen 0
error expecting 1 argument but seen 2
error attempt to use a non-string key in the "args" option table
error attempt to use table as query arg value
error attempt to use function as query arg value`},
		{name: "decode_args", src: `
			local function show(t, err)
				local keys = {}
				for k in pairs(t) do keys[#keys + 1] = k end
				table.sort(keys)
				local parts = {}
				for _, k in ipairs(keys) do
					local v = t[k]
					if type(v) == "table" then v = "{" .. table.concat(v, ",") .. "}" end
					parts[#parts + 1] = k .. "=" .. tostring(v)
				end
				return table.concat(parts, " ") .. (err and " " .. err or "")
			end
			local q = {} for i = 1, 101 do q[i] = "a" .. i end
			local t, err = ngx.decode_args(table.concat(q, "&"))
			local n = 0 for _ in pairs(t) do n = n + 1 end
			` + outLines(
			`show(ngx.decode_args("a=1&b&c=&a=2&=x&d=%41+b"))`,
			`show(ngx.decode_args("a=1&b=2&c=3", 2))`,
			`show(ngx.decode_args("a=1&b=2", 2))`,
			`show(ngx.decode_args("a=1&&b=2", 2))`,
			`show(ngx.decode_args("a=1&b=2&c=3", 0))`,
			`show(ngx.decode_args("a=1&b=2&c=3", -1))`,
			`show(ngx.decode_args("a=1&b=2&c=3", "2"))`,
			`show(ngx.decode_args("a=1&b=2&c=3", 1.7))`,
			`show(ngx.decode_args(12))`,
			`n .. " " .. err`,
			`try(ngx.decode_args, "a", "x")`,
			`try(ngx.decode_args, "a", nil)`,
			`try(ngx.decode_args, nil)`,
			`try(ngx.decode_args)`),
			want: `a={1,2} b=true c= d=A b
a=1 b=2 truncated
a=1 b=2
a=1 truncated
a=1 b=2 c=3
a=1 b=2 c=3
a=1 b=2 truncated
a=1 truncated
12=true
100 truncated
error bad argument #2 to '?' (number expected, got string)
error bad argument #2 to '?' (number expected, got nil)
error bad argument #1 to '?' (string expected, got nil)
error expecting 1 or 2 arguments but seen 0`},
		{name: "base64", src: outLines(
			`try(ngx.encode_base64, "ab")`,
			`try(ngx.encode_base64, "ab", true)`,
			`try(ngx.encode_base64, "ab", false)`,
			`try(ngx.encode_base64, nil)`,
			`try(ngx.encode_base64, 3.5)`,
			`try(ngx.encode_base64, "ab", 1)`,
			`try(ngx.decode_base64, "YWI")`,
			`try(ngx.decode_base64, "YWJ=j")`,
			`try(ngx.decode_base64, "YW Jj")`,
			`try(ngx.decode_base64, "Y")`,
			`try(ngx.decode_base64, 12)`,
			`try(ngx.decode_base64mime, "YW\nJj")`,
			`try(ngx.decode_base64mime, nil)`),
			want: `ok "YWI="
ok "YWI"
ok "YWI="
ok ""
ok "My41"
error bad no_padding: boolean expected, got number
ok "ab"
ok "ab"
ok
ok
error string argument only
ok "abc"
error string argument only`},
		{name: "ngx.base64", src: `local b64 = require "ngx.base64"
			` + outLines(
			`try(b64.encode_base64url, "\255\239\254")`,
			`try(b64.encode_base64url, 12)`,
			`tostring(b64.decode_base64url("_-8") == "\255\239")`,
			`try(b64.decode_base64url, "/+8")`,
			`try(b64.decode_base64url, nil)`),
			want: `ok "_-_-"
ok nil "must provide a string"
true
ok nil "invalid input"
ok nil "must provide a string"`},
		{name: "digests", src: outLines(
			`try(ngx.md5, "hello")`,
			`try(ngx.md5, nil)`,
			`tostring(ngx.md5(false) == ngx.md5(""))`,
			`tostring(ngx.md5(12) == ngx.md5("12") and ngx.md5(-0) == ngx.md5("-0") and ngx.md5(2^53) == ngx.md5("9.007199254741e+15"))`,
			`tostring(ngx.md5(true) == ngx.md5("true"))`,
			`ngx.encode_base64(ngx.md5_bin("abc")) .. " " .. ngx.encode_base64(ngx.sha1_bin("abc"))`,
			`ngx.encode_base64(ngx.hmac_sha1("key", "The quick brown fox jumps over the lazy dog"))`,
			`try(ngx.hmac_sha1, "k")`,
			`try(ngx.hmac_sha1, nil, "x")`,
			`try(ngx.crc32_short, "hello")`,
			`try(ngx.crc32_long, nil)`),
			want: `ok "5d41402abc4b2a76b9719d911017c592"
ok "d41d8cd98f00b204e9800998ecf8427e"
true
true
true
kAFQmDzST7DWlj99KOF/cg== qZk+NkcGgWq6PiVxeFDCbJzQ2J0=
3nybhbi3iqa8ino29wqQcBydtNk=
error expecting 2 arguments, but got 1
error bad argument #1 to '?' (string expected, got nil)
ok 907060870
ok 0`},
		{name: "quote_sql_str", src: outLines(
			`try(ngx.quote_sql_str, "a'b\"c\\d\0e\n\r\t\26\8z")`,
			`try(ngx.quote_sql_str, 12)`,
			`try(ngx.quote_sql_str)`,
			`try(ngx.quote_sql_str, true)`),
			want: `ok "'a\\'b\\\"c\\\\d\\0e\\n\\r\\t\\Z\\bz'"
ok "'12'"
error expecting one argument
error bad argument #1 to '?' (string expected, got boolean)`},
	})
}

func TestNgxTime(t *testing.T) {
	runCodecCases(t, []codecCase{
		{name: "formats", src: outLines(
			`try(ngx.http_time, 1290079655)`,
			`try(ngx.cookie_time, 1290079655)`,
			`try(ngx.cookie_time, 2^31)`,
			`try(ngx.http_time, 1.9)`,
			`try(ngx.http_time, -1.5)`,
			`try(ngx.http_time, 1e12)`,
			`try(ngx.http_time, 1/0)`,
			`try(ngx.http_time, "12")`,
			`try(ngx.cookie_time)`,
			`try(ngx.parse_http_time, "Thu, 18 Nov 2010 11:27:35 GMT")`,
			`try(ngx.parse_http_time, "Thursday, 18-Nov-10 11:27:35 GMT")`,
			`try(ngx.parse_http_time, "Thu Nov 18 11:27:35 2010")`,
			`try(ngx.parse_http_time, "garbage")`,
			`try(ngx.parse_http_time, 12)`),
			want: `ok "Thu, 18 Nov 2010 11:27:35 GMT"
ok "Thu, 18-Nov-10 11:27:35 GMT"
ok "Tue, 19-Jan-2038 03:14:08 GMT"
ok "Thu, 01 Jan 1970 00:00:01 GMT"
ok "Thu, 01 Jan 1970 00:00:00 GMT"
ok "Fri, 31 Dec 9999 23:59:59 GMT"
ok "Thu, 01 Jan 1970 00:00:00 GMT"
error number argument only
error number argument only
ok 1290079655
ok 1290079655
ok 1290079655
ok
error string argument only`},
		{name: "clock shapes", src: outLines(
			`tostring(ngx.today():match("^%d%d%d%d%-%d%d%-%d%d$") ~= nil)`,
			`tostring(ngx.localtime():match("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d$") ~= nil)`,
			`tostring(ngx.utctime():match("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d$") ~= nil)`,
			`tostring(ngx.localtime():sub(1, 10) == ngx.today())`,
			`type(ngx.now()) .. " " .. type(ngx.time())`,
			`tostring(ngx.time() == math.floor(ngx.now()))`,
			`tostring(ngx.now() * 1000 == math.floor(ngx.now() * 1000 + 0.5))`,
			`tostring(ngx.parse_http_time(ngx.http_time(ngx.time())) == ngx.time())`,
			`tostring(ngx.update_time() == nil)`),
			want: "true\ntrue\ntrue\ntrue\nnumber number\ntrue\ntrue\ntrue\ntrue"},
		{name: "cached", src: `
			local a = ngx.now()
			local s = 0
			for i = 1, 20000 do s = s + i end
			local same = ngx.now() == a
			repeat ngx.update_time() until ngx.now() > a
			local b = ngx.now()
			ngx.sleep(0)
			out = tostring(same) .. " " .. tostring(ngx.now() >= b)`,
			want: "true true"},
	})
}

// TestNgxTimeInit checks the phase guard: the time API and the codec
// work in init, as lua-resty-core's do (Debian's nginx + lua allows them
// in init_by_lua).
func TestNgxTimeInit(t *testing.T) {
	init, err := Compile("=init", "assert(ngx.now() > 0 and ngx.md5('a') == '0cc175b9c0f1b6a831c399e269772661')")
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(Options{VMs: 1}, nil, init, nil)
	if err != nil {
		t.Fatalf("init refused the time or codec API: %v", err)
	}
	e.Close()
}
