package gateway

// Integration tests of the encoding, hashing and time helpers of the ngx
// API, run (see runReqCases) on moongate and, where it is installed, on
// the reference OpenResty, which must give the same body.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/moongate/moongate/host"
)

// escapeTable is the expected output of the "escape tables" case: for
// each escape type, the bytes (in hex) ngx.escape_uri escapes.
func escapeTable() string {
	var lines []string
	for typ := host.EscapeTypeURI; typ <= host.EscapeTypeMailAuth; typ++ {
		var esc []string
		for c := 0; c < 256; c++ {
			if s := string([]byte{byte(c)}); host.EscapeURI(s, typ) != s {
				esc = append(esc, fmt.Sprintf("%02x", c))
			}
		}
		lines = append(lines, fmt.Sprintf("%d: %s", typ, strings.Join(esc, ",")))
	}
	return strings.Join(lines, "\n")
}

func TestCodecAPI(t *testing.T) {
	runReqCases(t, []reqCase{
		{name: "escape tables", hooks: reqContent(luaOut(`
			for typ = 0, 6 do
			local esc = {}
			for c = 0, 255 do
			local s = string.char(c)
			if ngx.escape_uri(s, typ) ~= s then esc[#esc + 1] = string.format("%02x", c) end
			end
			o(typ .. ": " .. table.concat(esc, ","))
			end`)),
			status: 200, want: escapeTable()},
		{name: "escape_uri", hooks: reqContent(luaOut(`
			o(t.try(ngx.escape_uri, "a b/?&=+:@!$'()*,;~é-_.#%[]"))
			o(t.try(ngx.escape_uri, "a b/?&=+:@!$'()*,;~é-_.#%[]", 0))
			o(t.try(ngx.escape_uri, "a b", 2.5))
			o(t.try(ngx.escape_uri, nil))
			o(t.try(ngx.escape_uri, false))
			o(t.try(ngx.escape_uri, 1.5))
			o(t.try(ngx.escape_uri, "a b", nil))
			o(t.try(ngx.escape_uri, "a b", "2"))
			o(t.try(ngx.escape_uri, "a b", 7))
			o(t.try(ngx.escape_uri, "a b", 6.5))
			o(t.try(ngx.escape_uri, "a b", -1))
			o(t.try(ngx.escape_uri, "a b", -0.5))`)),
			status: 200, want: `ok "a%20b%2F%3F%26%3D%2B%3A%40!%24'()*%2C%3B~%C3%A9-_.%23%25%5B%5D"
ok "a%20b/%3F&=+:@!$'()*,;~%C3%A9-_.%23%25[]"
ok "a%20b"
ok ""
ok ""
ok "1.5"
ok "a%20b"
error "type" is not a number
error "type" 7 out of range
error "type" 6.5 out of range
error "type" -1 out of range
error "type" -0.5 out of range`},
		{name: "unescape_uri", hooks: reqContent(luaOut(`
			for _, s in ipairs({"a+b", "a%20b", "%zz", "%2", "%", "%41%42", "%e4%b8%ad", "%%41", "%4z", "%2B", "a%2"}) do
			o(s .. " " .. t.try(ngx.unescape_uri, s))
			end
			o(t.try(ngx.unescape_uri, nil))
			o(t.try(ngx.unescape_uri, 1.5))
			o(t.try(ngx.unescape_uri))`)),
			status: 200, want: `a+b ok "a b"
a%20b ok "a b"
%zz ok "%zz"
%2 ok "%2"
% ok "%"
%41%42 ok "AB"
%e4%b8%ad ok "中"
%%41 ok "%A"
%4z ok "%4z"
%2B ok "+"
a%2 ok "a%2"
ok ""
ok "1.5"
ok ""`},
		{name: "encode_args", hooks: reqContent(luaOut(`
			o(t.try(ngx.encode_args, {a = 1}))
			o(t.try(ngx.encode_args, {a = true}))
			o(t.try(ngx.encode_args, {a = false}))
			o(t.try(ngx.encode_args, {a = {1, true, false, "x y"}}))
			o(t.try(ngx.encode_args, {a = {}}))
			o(t.try(ngx.encode_args, {["a b"] = "c&d=e"}))
			o(t.try(ngx.encode_args, {a = "é!'()*~-._/?"}))
			o(t.try(ngx.encode_args, {}))
			o(t.try(ngx.encode_args, {a = 1e20}))
			o(t.try(ngx.encode_args, {a = 0.1}))
			o(t.try(ngx.encode_args, {a = {x = 1}}))
			o(t.try(ngx.encode_args, nil))
			o(t.try(ngx.encode_args, "x"))
			o(t.try(ngx.encode_args))
			o(t.try(ngx.encode_args, {}, 1))
			o(t.try(ngx.encode_args, {[1] = "x"}))
			o(t.try(ngx.encode_args, {[true] = "x"}))
			o(t.try(ngx.encode_args, {a = {{}}}))
			o(t.try(ngx.encode_args, {a = ngx.null}))
			o(t.try(ngx.encode_args, {a = print}))
			o(t.try(ngx.encode_args, {a = {print}}))`)),
			status: 200, want: `ok "a=1"
ok "a"
ok ""
ok "a=1&a&a=x%20y"
ok ""
ok "a%20b=c%26d%3De"
ok "a=%C3%A9!'()*~-._%2F%3F"
ok ""
ok "a=1e%2B20"
ok "a=0.1"
ok "a=1"
error bad argument #1 to '?' (table expected, got nil)
error bad argument #1 to '?' (table expected, got string)
error expecting 1 argument but seen 0
error expecting 1 argument but seen 2
error attempt to use a non-string key in the "args" option table
error attempt to use a non-string key in the "args" option table
error attempt to use table as query arg value
error attempt to use userdata as query arg value
error attempt to use function as query arg value
error attempt to use function as query arg value`},
		{name: "decode_args", hooks: reqContent(luaOut(`
			o(t.try(ngx.decode_args, "a=1&b&c=&a=2&=x&d=%41+b&e=%zz"))
			o(t.try(ngx.decode_args, "a=1&b=2&c=3", 2))
			o(t.try(ngx.decode_args, "a=1&b=2", 2))
			o(t.try(ngx.decode_args, "a=1&&b=2", 2))
			o(t.try(ngx.decode_args, "a=1&b=2&c=3", 0))
			o(t.try(ngx.decode_args, "a=1&b=2&c=3", -1))
			o(t.try(ngx.decode_args, "a=1&b=2&c=3", "2"))
			o(t.try(ngx.decode_args, "a=1&b=2&c=3", 1.7))
			o(t.try(ngx.decode_args, ""))
			o(t.try(ngx.decode_args, 12))
			o(t.try(ngx.decode_args, "a=1", "x"))
			o(t.try(ngx.decode_args, "a=1", nil))
			o(t.try(ngx.decode_args, nil))
			o(t.try(ngx.decode_args, {}))
			o(t.try(ngx.decode_args))
			o(t.try(ngx.decode_args, "a", 1, 2))
			for _, q in ipairs({"a=1&b=2&", "=1&a=2&b=3", "a&b&c&d", "&&&", "a=1&b=2&c", "&a"}) do
			o(q .. " | " .. t.try(ngx.decode_args, q, 2) .. " | " .. t.try(ngx.decode_args, q, 3) .. " | " .. t.try(ngx.decode_args, q, 1))
			end
			local q = {} for i = 1, 101 do q[i] = "a" .. i .. "=" .. i end
			local args, err = ngx.decode_args(table.concat(q, "&"))
			local n = 0 for _ in pairs(args) do n = n + 1 end
			o(t.dump(n, err, args.a100, args.a101))
			args, err = ngx.decode_args(table.concat(q, "&"), 0)
			n = 0 for _ in pairs(args) do n = n + 1 end
			o(t.dump(n, err))`)),
			status: 200, want: `ok {a={1="1",2="2"},b=true,c="",d="A b",e="%zz"}
ok {a="1",b="2"} "truncated"
ok {a="1",b="2"}
ok {a="1"} "truncated"
ok {a="1",b="2",c="3"}
ok {a="1",b="2",c="3"}
ok {a="1",b="2"} "truncated"
ok {a="1"} "truncated"
ok {}
ok {12=true}
error bad argument #2 to '?' (number expected, got string)
error bad argument #2 to '?' (number expected, got nil)
error bad argument #1 to '?' (string expected, got nil)
error bad argument #1 to '?' (string expected, got table)
error expecting 1 or 2 arguments but seen 0
error expecting 1 or 2 arguments but seen 3
a=1&b=2& | ok {a="1",b="2"} "truncated" | ok {a="1",b="2"} | ok {a="1"} "truncated"
=1&a=2&b=3 | ok {a="2"} "truncated" | ok {a="2",b="3"} | ok {} "truncated"
a&b&c&d | ok {a=true,b=true} "truncated" | ok {a=true,b=true,c=true} "truncated" | ok {a=true} "truncated"
&&& | ok {} "truncated" | ok {} "truncated" | ok {} "truncated"
a=1&b=2&c | ok {a="1",b="2"} "truncated" | ok {a="1",b="2",c=true} | ok {a="1"} "truncated"
&a | ok {a=true} | ok {a=true} | ok {} "truncated"
100 "truncated" "100" nil
101 nil`},
		{name: "base64", hooks: reqContent(luaOut(`
			for _, s in ipairs({"", "a", "ab", "abc", "abcd", "\255\239\254"}) do
			o(t.dump(ngx.encode_base64(s), ngx.encode_base64(s, true), ngx.encode_base64(s, false)))
			end
			o(t.try(ngx.encode_base64, nil))
			o(t.try(ngx.encode_base64, false))
			o(t.try(ngx.encode_base64, 3.5))
			o(t.try(ngx.encode_base64, "ab", 1))
			o(t.try(ngx.encode_base64, "ab", "yes"))
			for _, s in ipairs({"", "YWJj", "YWI", "YWI=", "YW==", "YQ=", "YQ===", "YQ=a", "YR==", "====", "YWI=YWI=",
			"YWJjZA", "YWJjZA=", "Y", "Y===", "YWJjZ", "YWJ=j", "YW Jj", "YWJj\n", "_-8=", "/+8="}) do
			o(t.dump(s, ngx.decode_base64(s)))
			end
			o(t.try(ngx.decode_base64, nil))
			o(t.try(ngx.decode_base64, 12))`)),
			status: 200, want: `"" "" ""
"YQ==" "YQ" "YQ=="
"YWI=" "YWI" "YWI="
"YWJj" "YWJj" "YWJj"
"YWJjZA==" "YWJjZA" "YWJjZA=="
"/+/+" "/+/+" "/+/+"
ok ""
ok ""
ok "My41"
error bad no_padding: boolean expected, got number
error bad no_padding: boolean expected, got string
"" ""
"YWJj" "abc"
"YWI" "ab"
"YWI=" "ab"
"YW==" "a"
"YQ=" "a"
"YQ===" "a"
"YQ=a" "a"
"YR==" "a"
"====" ""
"YWI=YWI=" "ab"
"YWJjZA" "abcd"
"YWJjZA=" "abcd"
"Y" nil
"Y===" nil
"YWJjZ" nil
"YWJ=j" "ab"
"YW Jj" nil
"YWJj
" nil
"_-8=" nil
"/+8=" "` + "\xff\xef" + `"
error string argument only
error string argument only`},
		{name: "base64mime", hooks: reqContent(luaOut(`
			o(t.try(ngx.decode_base64mime, "YW\nJj"))
			o(t.try(ngx.decode_base64mime, "!Y#W@J\rj"))
			o(t.try(ngx.decode_base64mime, "zaaLg=="))
			o(t.try(ngx.decode_base64mime, "^&$"))
			o(t.try(ngx.decode_base64mime, nil))`)),
			status: 200, want: `ok "abc"
ok "abc"
ok nil
ok ""
error string argument only`,
			nginx: "ngx.decode_base64mime is newer (lua-nginx-module 0.10.28) than the reference"},
		{name: "ngx.base64", hooks: reqContent(luaOut(`
			local b64 = require "ngx.base64"
			for _, s in ipairs({"", "a", "ab", "abc", "\255\239\254", "\255\239"}) do
			o(t.dump(b64.encode_base64url(s)))
			end
			o(t.dump(b64.encode_base64url(nil)))
			o(t.dump(b64.encode_base64url(12)))
			for _, s in ipairs({"", "_-8", "_-8=", "/+8", "Y", "YQ", "YR", "YWJ", "YWK", "     ", "YQ==x"}) do
			o(t.dump(s, b64.decode_base64url(s)))
			end
			o(t.dump(b64.decode_base64url(nil)))
			o(t.dump(b64.decode_base64url(12)))`)),
			status: 200, want: `""
"YQ"
"YWI"
"YWJj"
"_-_-"
"_-8"
nil "must provide a string"
nil "must provide a string"
"" ""
"_-8" "` + "\xff\xef" + `"
"_-8=" "` + "\xff\xef" + `"
"/+8" nil "invalid input"
"Y" nil "invalid input"
"YQ" "a"
"YR" "a"
"YWJ" "ab"
"YWK" "ab"
"     " nil "invalid input"
"YQ==x" "a"
nil "must provide a string"
nil "must provide a string"`},
		{name: "digests", hooks: reqContent(luaOut(`
			for _, s in ipairs({"", "hello", "The quick brown fox jumps over the lazy dog"}) do
			o(t.dump(ngx.md5(s), ngx.encode_base64(ngx.md5_bin(s)), ngx.encode_base64(ngx.sha1_bin(s)),
			ngx.encode_base64(ngx.hmac_sha1("key", s)), ngx.crc32_short(s), ngx.crc32_long(s)))
			end
			o(t.dump(ngx.crc32_long(string.rep("abcdefgh", 100)), ngx.crc32_short(string.rep("abcdefgh", 100))))
			o(t.try(ngx.md5, nil))
			o(t.try(ngx.md5))
			o(t.dump(ngx.md5(false) == ngx.md5(""), ngx.md5(true) == ngx.md5("true"), ngx.md5(12) == ngx.md5("12")))
			o(t.dump(ngx.md5(0.1) == ngx.md5("0.1"), ngx.md5(2^53) == ngx.md5("9.007199254741e+15"), ngx.md5(-0) == ngx.md5("-0")))
			o(t.dump(ngx.md5_bin(nil) == ngx.md5_bin(""), ngx.sha1_bin(nil) == ngx.sha1_bin(""), ngx.sha1_bin(7) == ngx.sha1_bin("7")))
			o(t.dump(ngx.crc32_short(nil), ngx.crc32_long(12) == ngx.crc32_long("12")))
			o(t.try(ngx.hmac_sha1, "k"))
			o(t.try(ngx.hmac_sha1))
			o(t.try(ngx.hmac_sha1, "k", "x", 3))
			o(t.try(ngx.hmac_sha1, nil, "x"))
			o(t.try(ngx.hmac_sha1, "k", true))
			o(t.dump(ngx.hmac_sha1(1, 2) == ngx.hmac_sha1("1", "2")))`)),
			status: 200, want: `"d41d8cd98f00b204e9800998ecf8427e" "1B2M2Y8AsgTpgAmY7PhCfg==" "2jmj7l5rSw0yVb/vlWAYkK/YBwk=" "9Cuw7rAY671Fl65yE3EexgdghD8=" 0 0
"5d41402abc4b2a76b9719d911017c592" "XUFAKrxLKna5cZ2REBfFkg==" "qvTGHdzF6KLavt4PO0gs2a6pQ00=" "s0zqxFFv8joUPmHXnQ+npPvl8mY=" 907060870 907060870
"9e107d9d372bb6826bd81d3542a419d6" "nhB9nTcrtoJr2B01QqQZ1g==" "L9ThxnotKPzthJ7hu3bnORuT6xI=" "3nybhbi3iqa8ino29wqQcBydtNk=" 1095738169 1095738169
4042971152 4042971152
ok "d41d8cd98f00b204e9800998ecf8427e"
ok "d41d8cd98f00b204e9800998ecf8427e"
true true true
true true true
true true true
0 true
error expecting 2 arguments, but got 1
error expecting 2 arguments, but got 0
error expecting 2 arguments, but got 3
error bad argument #1 to '?' (string expected, got nil)
error bad argument #2 to '?' (string expected, got boolean)
true`},
		{name: "quote_sql_str", hooks: reqContent(luaOut(`
			o(t.try(ngx.quote_sql_str, "a'b\"c\\d\0e\n\r\t\26\8z"))
			o(t.try(ngx.quote_sql_str, ""))
			o(t.try(ngx.quote_sql_str, "é"))
			o(t.try(ngx.quote_sql_str, 12))
			o(t.try(ngx.quote_sql_str, nil))
			o(t.try(ngx.quote_sql_str, true))
			o(t.try(ngx.quote_sql_str))
			o(t.try(ngx.quote_sql_str, "a", "b"))`)),
			status: 200, want: `ok "'a\'b\"c\\d\0e\n\r\t\Z\bz'"
ok "''"
ok "'é'"
ok "'12'"
error bad argument #1 to '?' (string expected, got nil)
error bad argument #1 to '?' (string expected, got boolean)
error expecting one argument
error expecting one argument`},
	})
}

func TestTimeAPI(t *testing.T) {
	runReqCases(t, []reqCase{
		{name: "time formats", hooks: reqContent(luaOut(`
			for _, s in ipairs({0, 1290079655, -1, 2^31, 2^33, 1.9, -1.5, 253402300799, 253402300800, 1e12, 86399, 2145916799, 1e19, 1/0, -1/0}) do
			o(t.dump(ngx.http_time(s), ngx.cookie_time(s)))
			end
			o(t.try(ngx.http_time, "12"))
			o(t.try(ngx.cookie_time, "12"))
			o(t.try(ngx.http_time))
			o(t.try(ngx.cookie_time, nil))`)),
			status: 200, want: `"Thu, 01 Jan 1970 00:00:00 GMT" "Thu, 01-Jan-70 00:00:00 GMT"
"Thu, 18 Nov 2010 11:27:35 GMT" "Thu, 18-Nov-10 11:27:35 GMT"
"Thu, 01 Jan 1970 00:00:00 GMT" "Thu, 01-Jan-70 00:00:00 GMT"
"Tue, 19 Jan 2038 03:14:08 GMT" "Tue, 19-Jan-2038 03:14:08 GMT"
"Wed, 16 Mar 2242 12:56:32 GMT" "Wed, 16-Mar-2242 12:56:32 GMT"
"Thu, 01 Jan 1970 00:00:01 GMT" "Thu, 01-Jan-70 00:00:01 GMT"
"Thu, 01 Jan 1970 00:00:00 GMT" "Thu, 01-Jan-70 00:00:00 GMT"
"Fri, 31 Dec 9999 23:59:59 GMT" "Fri, 31-Dec-9999 23:59:59 GMT"
"Fri, 31 Dec 9999 23:59:59 GMT" "Fri, 31-Dec-9999 23:59:59 GMT"
"Fri, 31 Dec 9999 23:59:59 GMT" "Fri, 31-Dec-9999 23:59:59 GMT"
"Thu, 01 Jan 1970 23:59:59 GMT" "Thu, 01-Jan-70 23:59:59 GMT"
"Thu, 31 Dec 2037 23:59:59 GMT" "Thu, 31-Dec-37 23:59:59 GMT"
"Thu, 01 Jan 1970 00:00:00 GMT" "Thu, 01-Jan-70 00:00:00 GMT"
"Thu, 01 Jan 1970 00:00:00 GMT" "Thu, 01-Jan-70 00:00:00 GMT"
"Thu, 01 Jan 1970 00:00:00 GMT" "Thu, 01-Jan-70 00:00:00 GMT"
error number argument only
error number argument only
error number argument only
error number argument only`},
		{name: "parse_http_time", hooks: reqContent(luaOut(`
			for _, s in ipairs({"Thu, 18 Nov 2010 11:27:35 GMT", "Thursday, 18-Nov-10 11:27:35 GMT", "Thu Nov 18 11:27:35 2010",
			"Thu, 18 Nov 2010 11:27:35", "Thu, 18 Nov 2010 11:27:35 UTC", "18 Nov 2010 11:27:35 GMT", "Xyz, 18 Nov 2010 11:27:35 GMT",
			"Thu, 31 Feb 2010 11:27:35 GMT", "Thu, 18 Nov 1969 11:27:35 GMT", "Thu, 18 Nov 2010 24:00:00 GMT", "Thu, 18 Nov 2010 23:59:60 GMT",
			"Thu, 8 Nov 2010 11:27:35 GMT", "Thu,  8 Nov 2010 11:27:35 GMT", "Thu, 18 nov 2010 11:27:35 GMT", "Thu, 18 Nov 10 11:27:35 GMT",
			"Thu, 18-Nov-2010 11:27:35 GMT", "Thu Nov  8 11:27:35 2010", "Thu Nov 8 11:27:35 2010", "", "garbage",
			"Thu, 18 Nov 2010 11:27:35 GMTjunk", "  Thu, 18 Nov 2010 11:27:35 GMT", "Thu, 18 Nov 9999 23:59:59 GMT",
			"Thu, 18 Nov 10000 23:59:59 GMT", "Sun Nov  6 08:49:37 1994", "Thu, 18-Nov-70 11:27:35 GMT", "Thu, 18-Nov-69 11:27:35 GMT",
			"Thu, 29 Feb 2011 11:27:35 GMT", "Thu, 29 Feb 2012 11:27:35 GMT", "Mon, 29 Feb 1900 00:00:00 GMT", "Tue, 29 Feb 2000 00:00:00 GMT",
			"Thu, 00 Nov 2010 11:27:35 GMT", "Thu, 31 Nov 2010 11:27:35 GMT", "T, 18 Nov 2010 11:27:35 GMT", "Thu,18 Nov 2010 11:27:35 GMT",
			"Thu 18 Nov 2010 11:27:35 GMT", "Mon, 01 Jan 1601 00:00:00 GMT", "Wed, 31 Dec 1969 23:59:59 GMT", "Wed, 31 Dec 1969 23:59:58 GMT",
			"Thu, 18 Nov 2010 11:27", "Thu Nov 18 11:27:35 10", "Thu Nov 18 11:27:35", "Thu, 18 Nvx 2010 11:27:35 GMT",
			"Thu, 18 Jun 2010 11:27:35 GMT", "Thu, 18 Jxn 2010 11:27:35 GMT", "Thu, 18 Mxy 2010 11:27:35 GMT", "Thu, 18 Axx 2010 11:27:35 GMT"}) do
			o(s .. " | " .. t.dump(ngx.parse_http_time(s)))
			end
			o(t.try(ngx.parse_http_time, nil))
			o(t.try(ngx.parse_http_time, 12))`)),
			status: 200, want: `Thu, 18 Nov 2010 11:27:35 GMT | 1290079655
Thursday, 18-Nov-10 11:27:35 GMT | 1290079655
Thu Nov 18 11:27:35 2010 | 1290079655
Thu, 18 Nov 2010 11:27:35 | 1290079655
Thu, 18 Nov 2010 11:27:35 UTC | 1290079655
18 Nov 2010 11:27:35 GMT | nil
Xyz, 18 Nov 2010 11:27:35 GMT | 1290079655
Thu, 31 Feb 2010 11:27:35 GMT | nil
Thu, 18 Nov 1969 11:27:35 GMT | -3760345
Thu, 18 Nov 2010 24:00:00 GMT | nil
Thu, 18 Nov 2010 23:59:60 GMT | nil
Thu, 8 Nov 2010 11:27:35 GMT | nil
Thu,  8 Nov 2010 11:27:35 GMT | nil
Thu, 18 nov 2010 11:27:35 GMT | nil
Thu, 18 Nov 10 11:27:35 GMT | nil
Thu, 18-Nov-2010 11:27:35 GMT | nil
Thu Nov  8 11:27:35 2010 | 1289215655
Thu Nov 8 11:27:35 2010 | 1289215655
 | nil
garbage | nil
Thu, 18 Nov 2010 11:27:35 GMTjunk | 1290079655
  Thu, 18 Nov 2010 11:27:35 GMT | nil
Thu, 18 Nov 9999 23:59:59 GMT | 253398585599
Thu, 18 Nov 10000 23:59:59 GMT | nil
Sun Nov  6 08:49:37 1994 | 784111777
Thu, 18-Nov-70 11:27:35 GMT | 27775655
Thu, 18-Nov-69 11:27:35 GMT | 3151999655
Thu, 29 Feb 2011 11:27:35 GMT | nil
Thu, 29 Feb 2012 11:27:35 GMT | 1330514855
Mon, 29 Feb 1900 00:00:00 GMT | nil
Tue, 29 Feb 2000 00:00:00 GMT | 951782400
Thu, 00 Nov 2010 11:27:35 GMT | 1288524455
Thu, 31 Nov 2010 11:27:35 GMT | nil
T, 18 Nov 2010 11:27:35 GMT | 1290079655
Thu,18 Nov 2010 11:27:35 GMT | 1290079655
Thu 18 Nov 2010 11:27:35 GMT | nil
Mon, 01 Jan 1601 00:00:00 GMT | -11644473600
Wed, 31 Dec 1969 23:59:59 GMT | nil
Wed, 31 Dec 1969 23:59:58 GMT | -2
Thu, 18 Nov 2010 11:27 | nil
Thu Nov 18 11:27:35 10 | nil
Thu Nov 18 11:27:35 | nil
Thu, 18 Nvx 2010 11:27:35 GMT | 1290079655
Thu, 18 Jun 2010 11:27:35 GMT | 1276860455
Thu, 18 Jxn 2010 11:27:35 GMT | 1276860455
Thu, 18 Mxy 2010 11:27:35 GMT | 1274182055
Thu, 18 Axx 2010 11:27:35 GMT | 1282130855
error string argument only
error string argument only`},
		{name: "clock", hooks: reqContent(luaOut(`
			o(t.dump(#ngx.today(), #ngx.localtime(), #ngx.utctime(), type(ngx.now()), type(ngx.time())))
			o(t.dump(ngx.today():match("^%d%d%d%d%-%d%d%-%d%d$") ~= nil, ngx.localtime():match("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d$") ~= nil))
			o(t.dump(ngx.localtime():sub(1, 10) == ngx.today(), ngx.utctime():match("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d$") ~= nil))
			o(t.dump(ngx.time() == math.floor(ngx.now()), ngx.parse_http_time(ngx.http_time(ngx.time())) == ngx.time()))
			o(t.dump(ngx.now() * 1000 == math.floor(ngx.now() * 1000 + 0.5)))
			local a = ngx.now()
			local sum = 0
			for i = 1, 100000 do sum = sum + i end
			o(t.dump(ngx.now() == a))
			repeat ngx.update_time() until ngx.now() > a
			local b = ngx.now()
			ngx.sleep(0.001)
			o(t.dump(ngx.now() >= b, ngx.update_time()))
			o(t.dump(ngx.now(1) ~= nil, ngx.time("x") ~= nil))`)),
			status: 200, want: `10 19 19 "number" "number"
true true
true true
true true
true
true
true
true true`},
	})
}
