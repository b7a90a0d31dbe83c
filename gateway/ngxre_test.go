package gateway

// Differential tests of ngx.re.* and `require "ngx.re"`: each snippet runs
// in a content hook on moongate and, where it is installed, on the
// reference OpenResty (runReqCases), and must print the same lines. Where
// the engines' error texts differ (moongate's "failed to compile regex"
// for PCRE's "pcre_compile() failed"), the snippets print only the error's
// type.

import "testing"

// reSnippets are Lua bodies for luaOut and the output OpenResty gives.
var reSnippets = []struct{ name, lua, want string }{
	{name: `match captures`, lua: `o(t.dump(ngx.re.match("hello world", "(?<w>\\w+) (\\w+)(x)?")))`,
		want: `{0="hello world",1="hello",2="world",3=false,w="hello"}`},
	{name: `match none`, lua: `o(t.dump(ngx.re.match("abc", "x")))`,
		want: `nil`},
	{name: `match caseless`, lua: `o(t.dump(ngx.re.match("ABC", "b", "i")))`,
		want: `{0="B"}`},
	{name: `match dotall`, lua: `o(t.dump(ngx.re.match("a\nb", "a.b", "s"), ngx.re.match("a\nb", "a.b")))`,
		want: `{0="a
b"} nil`},
	{name: `match multiline`, lua: `o(t.dump(ngx.re.match("a\nb", "^b", "m"), ngx.re.match("a\nb", "^b")))`,
		want: `{0="b"} nil`},
	{name: `match extended`, lua: `o(t.dump(ngx.re.match("abc", " b # comment\n c", "x"), ngx.re.match("a b", "[ ]b", "x")))`,
		want: `{0="bc"} {0=" b"}`},
	{name: `match accepted flags`, lua: `o(t.dump(ngx.re.match("a", "a", "ojdJuU")))`,
		want: `{0="a"}`},
	{name: `match unknown flag`, lua: `o(t.try(ngx.re.match, "a", "a", "zi"))`,
		want: `error unknown flag "z" (flags "zi")`},
	{name: `match compile error`, lua: `local m, err = ngx.re.match("a", "(") o(t.dump(m, type(err)))`,
		want: `nil "string"`},
	{name: `match regex type`, lua: `o(t.try(ngx.re.match, "a", nil)) o(t.try(ngx.re.match, "a", 5))`,
		want: `error attempt to get length of local 'regex' (a nil value)
error attempt to get length of local 'regex' (a number value)`},
	{name: `match opts type`, lua: `o(t.try(ngx.re.match, "a", "a", 5))`,
		want: `error attempt to get length of local 'opts' (a number value)`},
	{name: `match ctx type`, lua: `o(t.try(ngx.re.match, "a", "a", "", 5))`,
		want: `error attempt to index local 'ctx' (a number value)`},
	{name: `match res type`, lua: `o(t.try(ngx.re.match, "a", "a", nil, nil, 5))`,
		want: `error attempt to index local 'res' (a number value)`},
	{name: `match subject tostring`, lua: `o(t.dump(ngx.re.match(12, "\\d"), ngx.re.match(nil, "n"), ngx.re.match(true, "u")))`,
		want: `{0="1"} {0="n"} {0="u"}`},
	{name: `match ctx pos`, lua: `local ctx = {pos = 2} o(t.dump(ngx.re.match("abab", "a.", nil, ctx), ctx.pos)) o(t.dump(ngx.re.match("abab", "a.", nil, ctx), ctx.pos))`,
		want: `{0="ab"} 5
nil 5`},
	{name: `match ctx bounds`, lua: `local c1, c2, c3 = {pos = 10}, {pos = 3}, {pos = -5} o(t.dump(ngx.re.match("ab", "", nil, c1), c1.pos, ngx.re.match("ab", "", nil, c2), c2.pos, ngx.re.match("ab", "a", nil, c3), c3.pos))`,
		want: `nil 10 {0=""} 3 {0="a"} 2`},
	{name: `match ctx pos type`, lua: `o(t.try(ngx.re.match, "a", "a", nil, {pos = "x"}))`,
		want: `error attempt to compare string with number`},
	{name: `match anchored`, lua: `local ctx = {pos = 2} o(t.dump(ngx.re.match("abab", "b", "a"), ngx.re.match("abab", "b", "a", ctx), ctx.pos))`,
		want: `nil {0="b"} 3`},
	{name: `match caret after pos`, lua: `local ctx = {pos = 2} o(t.dump(ngx.re.match("ab", "^b", nil, ctx), ngx.re.match("a\nb", "^b", "m", {pos = 2})))`,
		want: `nil {0="b"}`},
	{name: `match word boundary after pos`, lua: `o(t.dump(ngx.re.match("ab b", "\\bb", nil, {pos = 2}), ngx.re.match("ab", "\\Bb", nil, {pos = 2})))`,
		want: `{0="b"} {0="b"}`},
	{name: `match res table`, lua: `local res = {9, 8, 7, 6, x = 1} local m = ngx.re.match("ab", "(a)", nil, nil, res) o(t.dump(m == res, res))`,
		want: `true {0="a",1="a",2=8,3=7,4=6,x=1}`},
	{name: `match dup names`, lua: `o(t.dump(ngx.re.match("ab", "(?<x>a)(?<y>b)", "D")))`,
		want: `{0="ab",1="a",2="b",x={1="a"},y={1="b"}}`},
	{name: `match backreference`, lua: `o(t.dump(ngx.re.match("xabcabc", "(abc)\\1")))`,
		want: `{0="abcabc",1="abc"}`},
	{name: `match lookaround`, lua: `o(t.dump(ngx.re.match("foobar", "foo(?=bar)"), ngx.re.match("foobar", "(?<=foo)bar"), ngx.re.match("foobaz", "foo(?!bar)")))`,
		want: `{0="foo"} {0="bar"} {0="foo"}`},
	{name: `match possessive atomic`, lua: `o(t.dump(ngx.re.match("aab", "a++b"), ngx.re.match("aab", "(?>a+)b"), ngx.re.match("aaa", "a++a")))`,
		want: `{0="aab"} {0="aab"} nil`},
	{name: `match dollar`, lua: `o(t.dump(ngx.re.match("a\n", "a$"), ngx.re.match("a\n", "a\\z"), ngx.re.match("a\nb", "a$")))`,
		want: `{0="a"} nil nil`},
	{name: `match utf8 flag`, lua: `o(t.dump(ngx.re.match("中文", ".", "u")))`,
		want: `{0="中"}`},
	{name: `match posix class`, lua: `o(t.dump(ngx.re.match("ab1", "[[:digit:]]"), ngx.re.match("ab", "\\p{L}+")))`,
		want: `{0="1"} {0="ab"}`},
	{name: `match inline flags`, lua: `o(t.dump(ngx.re.match("aB", "(?i)A(?-i)B"), ngx.re.match("ab", "(?i)A(?-i)B")))`,
		want: `{0="aB"} nil`},
	{name: `find`, lua: `o(t.dump(ngx.re.find("hello world", "(o) (w)")))`,
		want: `5 7`},
	{name: `find nth`, lua: `local a, b = ngx.re.find("hello world", "(o) (w)", nil, nil, 2) o(t.dump(a, b)) o(t.dump(ngx.re.find("hello world", "(o) (w)", nil, nil, 3)))`,
		want: `7 7
nil nil "nth out of bound"`},
	{name: `find nth unmatched`, lua: `local a, b = ngx.re.find("hello world", "(o) (w)(x)?", nil, nil, 3) o(t.dump(a, b)) local c, d = ngx.re.find("hello world", "(o) (w)", nil, nil, -1) o(t.dump(c, d))`,
		want: `nil nil
5 7`},
	{name: `find nth compared as a number`, lua: `o(t.dump(ngx.re.find("abc", "b", nil, nil, 1e300))) o(t.dump(ngx.re.find("abc", "c", nil, nil, 0.5)))`,
		want: `nil nil "nth out of bound"
nil nil "nth out of bound"`},
	{name: `find empty and none`, lua: `local a, b = ngx.re.find("hello", "") o(t.dump(a, b, ngx.re.find("hello", "z")))`,
		want: `1 0 nil`},
	{name: `find ctx`, lua: `local ctx = {pos = 2} local a, b = ngx.re.find("abab", "b", "a", ctx) o(t.dump(a, b, ctx.pos))`,
		want: `2 2 3`},
	{name: `gmatch`, lua: `local it = ngx.re.gmatch("hello world", "(\\w)(\\w+)") local a = {} for m in it do a[#a + 1] = t.dump(m) end o(table.concat(a, ";")) o(t.dump(it()))`,
		want: `{0="hello",1="h",2="ello"};{0="world",1="w",2="orld"}
nil`},
	{name: `gmatch empty matches`, lua: `local a = {} for m in ngx.re.gmatch("a1b22c", "\\d*") do a[#a + 1] = m[0] end o(t.dump(a)) a = {} for m in ngx.re.gmatch("abc", "") do a[#a + 1] = m[0] end o(t.dump(a))`,
		want: `{1="",2="1",3="",4="22",5="",6=""}
{1="",2="",3="",4=""}`},
	{name: `gmatch named`, lua: `local a = {} for m in ngx.re.gmatch("k1=v1, k2=v2", "(?<k>\\w+)=(?<v>\\w+)") do a[#a + 1] = m.k .. ":" .. m.v end o(t.dump(a))`,
		want: `{1="k1:v1",2="k2:v2"}`},
	{name: `gmatch compile error`, lua: `local it, err = ngx.re.gmatch("x", "(") o(t.dump(it, type(err)))`,
		want: `nil "string"`},
	{name: `gsub empty`, lua: `o(t.dump(ngx.re.gsub("abc", "", "-"))) o(t.dump(ngx.re.sub("abc", "", "-"))) o(t.dump(ngx.re.gsub("abc", "b*", "-")))`,
		want: `"-a-b-c-" 4
"-abc" 1
"-a--c-" 4`},
	{name: `gsub template`, lua: `o(t.dump(ngx.re.gsub("hello world", "(o)", "[$1$$${1}$0]"))) o(t.dump(ngx.re.gsub("hello", "l", "$2"))) o(t.dump(ngx.re.gsub("hello", "l", "$10"))) o(t.dump(ngx.re.gsub("hello", "(l)", "$1a")))`,
		want: `"hell[o$oo] w[o$oo]rld" 2
"heo" 2
"heo" 2
"helalao" 2`},
	{name: `gsub bad templates`, lua: `for _, tpl in ipairs({"$", "x$", "${1", "${}", "${a}", "$a"}) do o(tpl .. " " .. t.dump(ngx.re.gsub("hello", "(?<a>l)", tpl))) end`,
		want: `$ nil nil "failed to compile the replacement template"
x$ nil nil "failed to compile the replacement template"
${1 nil nil "failed to compile the replacement template"
${} nil nil "failed to compile the replacement template"
${a} nil nil "failed to compile the replacement template"
$a nil nil "failed to compile the replacement template"`},
	{name: `gsub function`, lua: `o(t.dump(ngx.re.gsub("hello big world", "(\\w)(\\w*)", function(m) return m[1]:upper() .. m[2] end)))`,
		want: `"Hello Big World" 3`},
	{name: `gsub function results`, lua: `local a, n = ngx.re.gsub("hello", "(l)", function(m) return 12 end) local b = ngx.re.gsub("hello", "l", function() return nil end) local c = ngx.re.gsub("hello", "l", function() return true, 1 end) o(t.dump(a, n, b, c)) o(t.try(ngx.re.gsub, "hello", "l", function() end))`,
		want: `"he1212o" 2 "henilnilo" "hetruetrueo"
error bad argument #1 to 'tostring' (value expected)`},
	{name: `gsub function that waits`, lua: `o(t.dump(ngx.re.gsub("abc", "[ac]", function(m) ngx.sleep(0.001) return m[0]:upper() end)))`,
		want: `"AbC" 2`},
	{name: `gsub non-string replace`, lua: `local a = ngx.re.gsub("hello", "l", 5) local b = ngx.re.gsub("hello", "l", true) local c = ngx.re.gsub("hello", "l") o(t.dump(a, b, c))`,
		want: `"he55o" "hetruetrueo" "henilnilo"`},
	{name: `gsub no match`, lua: `o(t.dump(ngx.re.gsub("hello", "z", "x")))`,
		want: `"hello" 0`},
	{name: `gsub options`, lua: `o(t.dump(ngx.re.gsub("a\nb", "^", "X", "m"))) o(t.dump(ngx.re.gsub("a\nb\n", "$", "X"))) o(t.dump(ngx.re.gsub("a\nb\n", "$", "X", "m"))) o(t.dump(ngx.re.gsub("aab", "a", "x", "a")))`,
		want: `"Xa
Xb" 2
"a
bX
X" 2
"aX
bX
X" 3
"xxb" 2`},
	{name: `gsub errors`, lua: `o(t.try(ngx.re.gsub, "x", nil, "b")) o(t.try(ngx.re.gsub, "x", "x", "b", 5)) o(t.try(ngx.re.gsub, "x", "x", "b", "q")) local s, n, err = ngx.re.gsub("x", "(", "y") o(t.dump(s, n, type(err)))`,
		want: `error attempt to get length of local 'regex' (a nil value)
error attempt to get length of local 'opts' (a number value)
error unknown flag "q" (flags "q")
nil nil "string"`},
	{name: `sub backreference`, lua: `o(t.dump(ngx.re.sub("xaax", "(a)\\1", "<$1>"))) o(t.dump(ngx.re.gsub("aaaaa", "(a)\\1", "b")))`,
		want: `"x<a>x" 1
"bba" 2`},
	{name: `split`, lua: `local re = require "ngx.re" o(t.dump(re.split("a,b,,c", ","))) o(t.dump(re.split("a,b,,c,,", ","))) o(t.dump(re.split(",a,b", ",")))`,
		want: `{1="a",2="b",3="",4="c"}
{1="a",2="b",3="",4="c"}
{1="",2="a",3="b"}`},
	{name: `split empty pattern`, lua: `local re = require "ngx.re" o(t.dump(re.split("abc", ""))) o(t.dump(re.split("a1b", "\\d*"))) o(t.dump(re.split("abc", "b*")))`,
		want: `{1="a",2="b",3="c"}
{1="a",2="a1",3="b"}
{1="a",2="ab",3="c"}`},
	{name: `split captures`, lua: `o(t.dump(require("ngx.re").split("a1b2c", "(\\d)")))`,
		want: `{1="a",2="1",3="b",4="2",5="c"}`},
	{name: `split max`, lua: `local re = require "ngx.re" o(t.dump(re.split("a,b,c,d", ",", nil, nil, 2))) o(t.dump(re.split("a,b,c,d", ",", nil, nil, 1))) o(t.dump(re.split("a,b,c,,", ",", nil, nil, 10)))`,
		want: `{1="a",2="b,c,d"}
{1="a,b,c,d"}
{1="a",2="b",3="c",4="",5=""}`},
	{name: `split ctx`, lua: `local re = require "ngx.re" local ctx = {pos = 3} o(t.dump(re.split("a,b,c,d", ",", nil, ctx), ctx.pos)) ctx = {} o(t.dump(re.split("a,b", ",", nil, ctx), ctx.pos))`,
		want: `{1="b",2="c",3="d"} 6
{1="a",2="b"} 2`},
	{name: `split misc`, lua: `local re = require "ngx.re" o(t.dump(re.split("a, b ,c", "\\s*,\\s*"), re.split("", ","), re.split("abc", "x")))`,
		want: `{1="a",2="b",3="c"} {} {1="abc"}`},
	{name: `split res`, lua: `local r = {"x", "y", "z", "w"} o(t.dump(require("ngx.re").split("a,b", ",", nil, nil, nil, r)))`,
		want: `{1="a",2="b",4="w"}`},
	{name: `split errors`, lua: `local re = require "ngx.re" o(t.try(re.split, "a,b", ",", nil, nil, nil, 5)) o(t.try(re.split, "a,b", nil)) o(t.try(re.split, "a,b", ",", 5)) local r, err = re.split("a,b", "(") o(t.dump(r, type(err)))`,
		want: `error res is not a table
error attempt to get length of local 'regex' (a nil value)
error attempt to get length of local 'opts' (a number value)
nil "string"`},
}

func TestNgxRe(t *testing.T) {
	cases := make([]reqCase, len(reSnippets))
	for i, s := range reSnippets {
		cases[i] = reqCase{name: "re " + s.name, hooks: reqContent(luaOut(s.lua)), status: 200, want: s.want}
	}
	runReqCases(t, cases)
}
