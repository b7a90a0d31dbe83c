package lua

import (
	"strings"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host/regex"
)

// reTestLua defines show(...), which renders values (strings quoted,
// tables with sorted keys), and try(f, ...), which renders pcall's outcome
// as "ok <values>" or "error <message>" without the message's position.
const reTestLua = `
local function show1(v)
  if type(v) == "string" then return '"' .. v .. '"' end
  if type(v) ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show1(v[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end
function show(...)
  local out = {}
  for i = 1, select("#", ...) do out[i] = show1((select(i, ...))) end
  return table.concat(out, " ")
end
function try(f, ...)
  local r = {pcall(f, ...)}
  local n = table.maxn(r)
  if not r[1] then return "error " .. (tostring(r[2]):gsub("^.-:%d+: ", "")) end
  if n == 1 then return "ok" end
  return "ok " .. show(unpack(r, 2, n))
end
`

// runRe runs src, Lua that sets the global out, in phase on a one-VM
// engine whose regex cache is cache, and returns out or the error.
func runRe(t *testing.T, e *Engine, phase abi.Phase, src string) string {
	t.Helper()
	chunk, err := Compile("=test", src)
	if err != nil {
		t.Fatal(err)
	}
	vm := e.vms[0]
	if err := vm.runContext(phase, chunk); err != nil {
		return "hook error: " + err.Error()
	}
	return vm.L.GetGlobal("out").String()
}

func newReEngine(t *testing.T, cache *regex.Cache) *Engine {
	t.Helper()
	helpers, err := Compile("=helpers", reTestLua)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(Options{VMs: 1, Regex: cache}, nil, nil, helpers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func TestNgxRe(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"match captures", `out = show(ngx.re.match("hello world", "(?<w>\\w+) (\\w+)(x)?"))`,
			`{0="hello world",1="hello",2="world",3=false,w="hello"}`},
		{"match none", `out = show(ngx.re.match("abc", "x"))`, `nil`},
		{"match options", `out = show(ngx.re.match("ABC", "b", "i"), ngx.re.match("a\nb", "a.b", "s"), ngx.re.match("abc", " b # c\n c", "x"))`,
			`{0="B"} {0="a` + "\n" + `b"} {0="bc"}`},
		{"match tostring subject", `out = show(ngx.re.match(12, "\\d"), ngx.re.match(nil, "n"))`, `{0="1"} {0="n"}`},
		{"match bad regex", `out = show(ngx.re.match("a", "("))`, "nil \"failed to compile regex \"(\": missing closing ): `(`\""},
		{"match unknown flag", `out = try(ngx.re.match, "a", "a", "zi")`, `error unknown flag "z" (flags "zi")`},
		{"match regex type", `out = try(ngx.re.match, "a", nil) .. "|" .. try(ngx.re.match, "a", 5)`,
			`error attempt to get length of local 'regex' (a nil value)|error attempt to get length of local 'regex' (a number value)`},
		{"match opts type", `out = try(ngx.re.match, "a", "a", 5)`, `error attempt to get length of local 'opts' (a number value)`},
		{"match ctx type", `out = try(ngx.re.match, "a", "a", "", 5)`, `error attempt to index local 'ctx' (a number value)`},
		{"match res type", `out = try(ngx.re.match, "a", "a", nil, nil, 5)`, `error attempt to index local 'res' (a number value)`},
		{"match ctx pos", `local ctx = {pos = 2}
			local a = show(ngx.re.match("abab", "a.", nil, ctx), ctx.pos)
			out = a .. " " .. show(ngx.re.match("abab", "a.", nil, ctx), ctx.pos)`, `{0="ab"} 5 nil 5`},
		{"match ctx past end", `local ctx = {pos = 10} out = show(ngx.re.match("ab", "", nil, ctx), ctx.pos)`, `nil 10`},
		{"match ctx at end", `local ctx = {pos = 3} out = show(ngx.re.match("ab", "", nil, ctx), ctx.pos)`, `{0=""} 3`},
		{"match anchored", `local ctx = {pos = 2} out = show(ngx.re.match("abab", "b", "a"), ngx.re.match("abab", "b", "a", ctx), ctx.pos)`,
			`nil {0="b"} 3`},
		{"match res table", `local res = {9, 8, 7, 6, x = 1} local m = ngx.re.match("ab", "(a)", nil, nil, res) out = show(m == res, res)`,
			`true {0="a",1="a",2=8,3=7,4=6,x=1}`},
		{"match dup names", `out = show(ngx.re.match("ab", "(?<x>a)(?<y>b)", "D"))`, `{0="ab",1="a",2="b",x={1="a"},y={1="b"}}`},
		{"match backreference", `out = show(ngx.re.match("xabcabc", "(abc)\\1"))`, `{0="abcabc",1="abc"}`},
		{"match lookahead", `out = show(ngx.re.match("foobar", "foo(?=bar)"))`, `{0="foo"}`},
		{"match dollar", `out = show(ngx.re.match("a\n", "a$"), ngx.re.match("a\n", "a\\z"))`, `{0="a"} nil`},
		{"find", `out = show(ngx.re.find("hello world", "(o) (w)"))`, `5 7`},
		{"find nth", `out = show(ngx.re.find("hello world", "(o) (w)", nil, nil, 2))`, `7 7`},
		{"find nth out of bound", `out = show(ngx.re.find("hello world", "(o) (w)", nil, nil, 3))`, `nil nil "nth out of bound"`},
		{"find nth unmatched", `out = show(ngx.re.find("hello world", "(o) (w)(x)?", nil, nil, 3))`, `nil nil`},
		{"find negative nth", `out = show(ngx.re.find("hello world", "(o) (w)", nil, nil, -1))`, `5 7`},
		{"find empty", `out = show(ngx.re.find("hello", ""))`, `1 0`},
		{"find none", `out = show(ngx.re.find("hello", "z"))`, `nil`},
		{"find ctx", `local ctx = {pos = 2} out = show(ngx.re.find("abab", "b", "a", ctx), ctx.pos)`, `2 3`},
		{"find bad regex", `out = show(ngx.re.find("a", "(")):gsub("nil nil .*", "nil nil err")`, `nil nil err`},
		{"gmatch", `local it = ngx.re.gmatch("hello world", "(\\w)(\\w+)") local a = {}
			for m in it do a[#a + 1] = show(m) end out = table.concat(a, ";") .. " " .. show(it())`,
			`{0="hello",1="h",2="ello"};{0="world",1="w",2="orld"} nil`},
		{"gmatch empty matches", `local a = {} for m in ngx.re.gmatch("a1b22c", "\\d*") do a[#a + 1] = m[0] end out = show(a)`,
			`{1="",2="1",3="",4="22",5="",6=""}`},
		{"gmatch bad regex", `local it, err = ngx.re.gmatch("x", "(") out = show(it, err ~= nil)`, `nil true`},
		{"gsub empty", `out = show(ngx.re.gsub("abc", "", "-"))`, `"-a-b-c-" 4`},
		{"sub empty", `out = show(ngx.re.sub("abc", "", "-"))`, `"-abc" 1`},
		{"gsub star", `out = show(ngx.re.gsub("abc", "b*", "-"))`, `"-a--c-" 4`},
		{"gsub template", `out = show(ngx.re.gsub("hello world", "(o)", "[$1$$${1}$0]"))`, `"hell[o$oo] w[o$oo]rld" 2`},
		{"gsub bad template", `out = show(ngx.re.gsub("hello", "l", "${1"))`, `nil nil "failed to compile the replacement template"`},
		{"gsub function", `out = show(ngx.re.gsub("hello", "(l)", function(m) return m[1]:upper() end))`, `"heLLo" 2`},
		{"gsub function tostring", `out = show(ngx.re.gsub("hello", "(l)", function(m) return 12 end), ngx.re.gsub("hello", "l", function() return nil end))`,
			`"he1212o" "henilnilo" 2`},
		{"gsub function without result", `out = try(ngx.re.gsub, "hello", "l", function() end)`,
			`error bad argument #1 to 'tostring' (value expected)`},
		{"gsub non-string replace", `out = show(ngx.re.gsub("hello", "l", 5), ngx.re.gsub("hello", "l", true))`, `"he55o" "hetruetrueo" 2`},
		{"gsub no match", `out = show(ngx.re.gsub("hello", "z", "x"))`, `"hello" 0`},
		{"gsub options", `out = show(ngx.re.gsub("a\nb", "^", "X", "m"))`, `"Xa` + "\n" + `Xb" 2`},
		{"gsub match limit", `out = show(ngx.re.gsub(string.rep("a", 30000) .. "b", "^(a+)+\\1$", "x"))`,
			`nil nil "regex match limit exceeded"`},
		{"split", `local re = require "ngx.re" out = show(re.split("a,b,,c,,", ","))`, `{1="a",2="b",3="",4="c"}`},
		{"split captures", `out = show(require("ngx.re").split("a1b2c", "(\\d)"))`, `{1="a",2="1",3="b",4="2",5="c"}`},
		{"split max", `out = show(require("ngx.re").split("a,b,c,d", ",", nil, nil, 2))`, `{1="a",2="b,c,d"}`},
		{"split ctx", `local ctx = {pos = 3} out = show(require("ngx.re").split("a,b,c,d", ",", nil, ctx), ctx.pos)`,
			`{1="b",2="c",3="d"} 6`},
		{"split res", `local r = {"x", "y", "z", "w"} out = show(require("ngx.re").split("a,b", ",", nil, nil, nil, r))`,
			`{1="a",2="b",4="w"}`},
		{"split res type", `out = try(require("ngx.re").split, "a,b", ",", nil, nil, nil, 5)`, `error res is not a table`},
		{"split bad regex", `local r, err = require("ngx.re").split("a,b", "(") out = show(r, err ~= nil)`, `nil true`},
		{"opt", `local re = require "ngx.re" out = try(re.opt, "jit_stack_size", 1024) .. "|" .. try(re.opt, "foo", 1)`,
			`ok|error unrecognized option name`},
	}
	e := newReEngine(t, regex.NewCache(regex.Options{CacheSize: 16, MatchLimit: 10 * time.Millisecond}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runRe(t, e, abi.PhaseInitWorker, tt.src); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestNgxRePhases(t *testing.T) {
	tests := []struct {
		name  string
		phase abi.Phase
		src   string
		want  string
	}{
		{"match in init", abi.PhaseInit, `out = show(ngx.re.match("a", "a"))`, `{0="a"}`}, // as lua-resty-core's
		{"opt in init", abi.PhaseInit, `out = try(require("ngx.re").opt, "jit_stack_size", 1024) .. "|" .. try(require("ngx.re").opt, "foo", 1)`,
			"ok|error unrecognized option name"},
		{"match in timer", abi.PhaseTimer, `out = show(ngx.re.match("a", "a"))`, `{0="a"}`},
	}
	e := newReEngine(t, nil) // no cache: every call compiles
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runRe(t, e, tt.phase, tt.src); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
