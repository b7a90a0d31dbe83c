package gateway

// Integration tests of ngx.shared.DICT through a real gateway: every
// method from Lua, with OpenResty's return values and errors. The expected
// output of sharedDictCases is OpenResty's for the same Lua (nginx 1.22 +
// lua-nginx-module 0.10.23 + lua-resty-core 0.1.25 with the zones of
// sharedDicts), checked when the cases were written. The reference harness
// (startNginx) cannot declare lua_shared_dict zones, so the cases do not
// run against it automatically; their nginx field says so.

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/moongate/moongate/shdict"
)

// luaShow is Lua defining show(...): prints how many values a call
// returned and each of them, numbers as ngx.say prints them.
const luaShow = `
local function show(...)
local n = select("#", ...)
local out = {n, ":"}
for i = 1, n do
local v = select(i, ...)
if type(v) == "table" then v = "table" elseif type(v) ~= "number" and type(v) ~= "string" then v = tostring(v) end
out[#out + 1] = " "
out[#out + 1] = v
end
ngx.say(unpack(out))
end
`

// sharedDicts is the shared_dicts config of the tests; OpenResty's
// reference ran with the same zones.
const sharedDicts = "shared_dicts: {dogs: 1m, small: 16k, cats: 100k}\n"

// dictCase is a content hook run with luaTry, luaShow and d =
// ngx.shared.dogs, after the dict was emptied.
func dictCase(name, src, body string) respCase {
	return respCase{
		name:   name,
		hooks:  respContent(luaTry + luaShow + "local d = ngx.shared.dogs\nd:flush_all()\nd:flush_expired()\n" + src),
		status: 200,
		body:   body,
		nginx:  "the reference config has no lua_shared_dict",
	}
}

func TestSharedDictMethods(t *testing.T) {
	runRespCases(t, sharedDicts, nil, sharedDictCases())
}

// sharedDictCases are the method cases of TestSharedDictMethods.
func sharedDictCases() []respCase {
	long := `string.rep("k", 65536)`
	return []respCase{
		dictCase("set and get", `
			show(d:set("a", 1))
			show(d:get("a"))
			show(d:get("zz"))
			show(d:get_stale("zz"))
			show(d:get_stale("a"))
			show(d:set("f", "x", 0, 7))
			show(d:get("f"))
			show(d:get_stale("f"))
			d:set("b", true) show(d:get("b"))
			d:set("b", false) show(d:get("b"))
			d:set("e", "") show(d:get("e"))
			d:set("n", 1.5) show(d:get("n"))
			d:set("n", 2^53) show(d:get("n"))`,
			"3: true nil false\n1: 1\n1: nil\n1: nil\n3: 1 nil false\n3: true nil false\n2: x 7\n3: x 7 false\n"+
				"1: true\n1: false\n1: \n1: 1.5\n1: 9.007199254741e+15\n"),
		dictCase("flags", `
			d:set("k", 1, 0, -1) show(d:get("k"))
			d:set("k", 1, 0, 2^32 + 5) show(d:get("k"))
			d:set("k", 1, 0, -2.7) show(d:get("k"))
			d:set("k", 1, 0, 0/0) show(d:get("k"))
			d:set("k", 1, 0, true) show(d:get("k"))
			d:set("k", 1, 0, false) show(d:get("k"))
			d:set("k", 2) show(d:get("k"))
			ngx.say(try(d.set, d, "k", 1, 0, "7"))`,
			"2: 1 -1\n2: 1 -2147483648\n2: 1 -2\n2: 1 -2147483648\n2: 1 1\n1: 1\n1: 2\n"+
				"false bad argument #10 to 'ngx_lua_ffi_shdict_store' (cannot convert 'string' to 'int')\n"),
		dictCase("keys", `
			show(d:set(nil, 1))
			show(d:get())
			show(d:get_stale(nil))
			show(d:set("", 1))
			show(d:set(`+long+`, 1))
			show(d:set(string.rep("k", 65535), 1))
			show(d:get(`+long+`))
			d:set(12, "number key") show(d:get("12"))
			d:set(true, "boolean key") show(d:get("true"))
			show(d:incr(nil, 1))
			show(d:incr("", 1))
			show(d:ttl(nil))
			show(d:expire(`+long+`, 1))
			show(d:delete(nil))
			show(d:replace(nil, 1))
			show(d:lpush(nil, 1))
			show(d:rpop(""))
			show(d:llen(`+long+`))`,
			"2: nil nil key\n2: nil nil key\n2: nil nil key\n2: nil empty key\n2: nil key too long\n3: true nil false\n"+
				"2: nil key too long\n1: number key\n1: boolean key\n2: nil nil key\n2: nil empty key\n2: nil nil key\n"+
				"2: nil key too long\n2: nil nil key\n2: nil nil key\n2: nil nil key\n2: nil empty key\n2: nil key too long\n"),
		dictCase("values and exptime", `
			show(d:set("t", {}))
			show(d:set("t", print))
			show(d:add("t", nil))
			show(d:replace("t", nil))
			ngx.say(try(d.set, d, "s", "x", -1))
			ngx.say(try(d.set, d, "s", "x", "1"))
			ngx.say(try(d.set, d, "s", "x", {}))
			ngx.say(try(d.safe_add, d, "s", "x", true))
			show(d:set("s", "x", 0.0001))
			show(d:ttl("s"))
			show(d:set("s", "x", 10))
			show(d:ttl("s") > 0)`,
			"2: nil bad value type\n2: nil bad value type\n3: false attempt to add or replace nil values false\n"+
				"3: false attempt to add or replace nil values false\nfalse bad \"exptime\" argument\n"+
				"false attempt to compare string with number\nfalse attempt to compare table with number\n"+
				"false attempt to compare boolean with number\n3: true nil false\n1: 0\n3: true nil false\n1: true\n"),
		dictCase("add replace delete", `
			d:set("a", 1)
			show(d:add("a", 2))
			show(d:safe_add("a", 2))
			show(d:add("new", 2))
			show(d:replace("nope", 1))
			show(d:replace("a", "three"))
			show(d:get("a"))
			show(d:delete("a"))
			show(d:get("a"))
			show(d:delete("nope"))
			show(d:safe_set("a", true))
			show(d.delete(d, "a", "ignored"))
			d:set("e", 1)
			d:flush_all()
			show(d:get("e"))
			show(d:add("e", 2))
			show(d:get("e"))
			show(d:replace("new", 1))`,
			"3: false exists false\n3: false exists false\n3: true nil false\n3: false not found false\n"+
				"3: true nil false\n1: three\n3: true nil false\n1: nil\n3: true nil false\n3: true nil false\n"+
				"3: true nil false\n1: nil\n3: true nil false\n1: 2\n3: false not found false\n"),
		dictCase("incr", `
			show(d:incr("n", 1))
			show(d:incr("n", 1, 10))
			show(d:incr("n", 1, 10))
			show(d:incr("n", 1))
			show(d:incr("n", "2"))
			show(d:incr("n", 1.5))
			show(d:incr("n", -100))
			ngx.say(try(d.incr, d, "n", "x"))
			ngx.say(try(d.incr, d, "n"))
			d:set("s", "str")
			show(d:incr("s", 1))
			show(d:incr("s", 1, 0))
			show(d:incr("i2", 1, "5"))
			ngx.say(try(d.incr, d, "i3", 1, "x"))
			ngx.say(try(d.incr, d, "i3", 1, true))
			show(d:incr("i4", 1, 0, 10))
			show(math.ceil(d:ttl("i4")))
			ngx.say(try(d.incr, d, "i5", 1, nil, 10))
			ngx.say(try(d.incr, d, "i5", 1, 0, -1))
			ngx.say(try(d.incr, d, "i5", 1, 0, "x"))
			ngx.say(try(d.incr, d, "i5", 1, false, false))
			ngx.say(try(d.incr, d, "i5", "x", "y"))
			show(d:incr("i5", 1, 0, "2"))
			show(math.ceil(d:ttl("i5")))
			d:set("f", 5, 0, 9)
			show(d:incr("f", 1))
			show(d:get("f"))
			d:set("b", false)
			show(d:incr("b", 1))`,
			"2: nil not found\n3: 11 nil false\n3: 12 nil false\n1: 13\n1: 15\n1: 16.5\n1: -83.5\n"+
				"false cannot convert 'nil' to 'double'\nfalse cannot convert 'nil' to 'double'\n"+
				"2: nil not a number\n2: nil not a number\n3: 6 nil false\n"+
				"false bad init arg: number expected, got string\nfalse bad init arg: number expected, got boolean\n"+
				"3: 1 nil false\n1: 10\nfalse must provide \"init\" when providing \"init_ttl\"\n"+
				"false bad \"init_ttl\" argument\nfalse bad init_ttl arg: number expected, got string\n"+
				"false bad init_ttl arg: number expected, got boolean\nfalse cannot convert 'nil' to 'double'\n"+
				"3: 1 nil false\n1: 2\n1: 6\n2: 6 9\n2: nil not a number\n"),
		dictCase("ttl and expire", `
			show(d:ttl("nope"))
			d:set("p", 1)
			show(d:ttl("p"))
			d:set("t", 1, 1.5)
			show(math.ceil(d:ttl("t")))
			show(d:expire("t", 0))
			show(d:ttl("t"))
			show(d:expire("t", 100))
			show(math.ceil(d:ttl("t")))
			show(d:expire("t", -1))
			show(d:ttl("t"))
			show(d:expire("t", "5"))
			show(math.ceil(d:ttl("t")))
			show(d:expire("nope", 1))
			ngx.say(try(d.expire, d, "t"))
			ngx.say(try(d.expire, d, "t", "x"))
			ngx.say(try(d.expire, d, "t", true))
			ngx.say(try(d.expire, d, "t", {}))`,
			"2: nil not found\n1: 0\n1: 2\n1: true\n1: 0\n1: true\n1: 100\n1: true\n1: 0\n1: true\n1: 5\n"+
				"2: nil not found\nfalse bad \"exptime\" argument\n"+
				"false attempt to perform arithmetic on local 'exptime' (a string value)\n"+
				"false attempt to perform arithmetic on local 'exptime' (a boolean value)\n"+
				"false attempt to perform arithmetic on local 'exptime' (a table value)\n"),
		dictCase("lists", `
			show(d:lpush("l", "a"))
			show(d:rpush("l", 2))
			show(d:lpush("l", "c"))
			show(d:llen("l"))
			show(d:get("l"))
			show(d:get_stale("l"))
			show(d:incr("l", 1))
			show(d:ttl("l"))
			show(d:lpop("l"))
			show(d:rpop("l"))
			show(d:rpop("l"))
			show(d:rpop("l"))
			show(d:llen("l"))
			show(d:lpop("nope"))
			show(d:lpush("l", true))
			show(d:rpush("l", nil))
			show(d:lpush("l", {}))
			d:set("s", "x")
			show(d:lpush("s", 1))
			show(d:lpop("s"))
			show(d:llen("s"))
			show(d:lpush(5, 1))
			show(d:lpop(5))
			d:rpush("l2", 1)
			show(d:set("l2", "replaced"))
			show(d:get("l2"))
			d:rpush("l3", 1)
			show(d:add("l3", 1))
			show(d:replace("l3", "r"))
			show(d:get("l3"))
			d:rpush("l4", 1)
			show(d:expire("l4", 10))
			show(math.ceil(d:ttl("l4")))`,
			"1: 1\n1: 2\n1: 3\n1: 3\n2: nil value is a list\n2: nil value is a list\n2: nil not a number\n1: 0\n"+
				"1: c\n1: 2\n1: a\n1: nil\n1: 0\n1: nil\n2: nil bad value type\n2: nil bad value type\n"+
				"2: nil bad value type\n2: nil value not a list\n2: nil value not a list\n2: nil value not a list\n"+
				"1: 1\n1: 1\n3: true nil false\n1: replaced\n3: false exists false\n3: true nil false\n1: r\n"+
				"1: true\n1: 10\n"),
		dictCase("list argument checks", `
			ngx.say(try(d.lpush, d, "l"))
			ngx.say(try(d.rpush, d, "l", 1, 2))
			ngx.say(try(d.lpop, d))
			ngx.say(try(d.rpop, d, "l", 1))
			ngx.say(try(d.llen))
			ngx.say(try(d.lpush, d, {}, 1))
			ngx.say(try(d.llen, d, true))
			ngx.say(try(d.lpush, {}, "x", 1))
			ngx.say(try(d.lpop, "x", "y"))`,
			"false expecting 3 arguments, but only seen 2\nfalse expecting 3 arguments, but only seen 4\n"+
				"false expecting 2 arguments, but only seen 1\nfalse expecting 2 arguments, but only seen 3\n"+
				"false expecting 2 arguments, but only seen 0\nfalse bad argument #2 to '?' (string expected, got table)\n"+
				"false bad argument #2 to '?' (string expected, got boolean)\nfalse bad \"zone\" argument\n"+
				"false bad \"zone\" argument\n"),
		{
			name: "get_keys and flush",
			hooks: respContent(luaTry + luaShow + `
				local d = ngx.shared.small
				d:flush_all()
				d:flush_expired()
				show(#d:get_keys())
				d:set("k1", 1) d:set("k2", 2) d:set("k3", 3) d:get("k1")
				ngx.say(table.concat(d:get_keys(), ","))
				ngx.say(table.concat(d:get_keys(2), ","))
				ngx.say(table.concat(d:get_keys(0), ","))
				ngx.say(table.concat(d:get_keys(-1), ","))
				ngx.say(table.concat(d:get_keys("2"), ","))
				ngx.say(table.concat(d:get_keys(1.9), ","))
				ngx.say(try(d.get_keys, d, "x"))
				ngx.say(try(d.get_keys, d, 1, 2))
				ngx.say(try(d.get_keys))
				ngx.say(try(d.get_keys, "x"))
				ngx.say(try(d.flush_expired, {}))
				ngx.say(try(d.flush_expired, d, {}))
				show(d:flush_expired())
				show(d:flush_all())
				show(#d:get_keys(0))
				show(d:get("k1"))
				show(d:flush_all(1))`),
			status: 200,
			body: "1: 0\nk2,k3,k1\nk2,k3\nk2,k3,k1\nk2,k3,k1\nk2,k3\nk2\n" +
				"false bad argument #2 to '?' (number expected, got string)\n" +
				"false expecting 1 or 2 argument(s), but saw 3\nfalse expecting 1 or 2 argument(s), but saw 0\n" +
				"false bad argument #1 to '?' (table expected, got string)\n" +
				"false bad user data for the ngx_shm_zone_t pointer\n" +
				"false bad argument #2 to '?' (number expected, got table)\n" +
				"1: 0\n0:\n1: 0\n1: nil\n0:\n",
			nginx: "the reference config has no lua_shared_dict",
		},
		dictCase("zone and dict table", `
			ngx.say(try(d.get))
			ngx.say(try(d.get, {}))
			ngx.say(try(d.get, {1}))
			ngx.say(try(d.set, "x"))
			ngx.say(try(d.incr, nil, "k", 1))
			ngx.say(try(d.capacity))
			ngx.say(try(d.flush_all))
			show(ngx.shared.nope)
			show(type(ngx.shared.dogs), getmetatable(ngx.shared.dogs) == getmetatable(ngx.shared.small))
			show(ngx.shared.dogs.get(ngx.shared.dogs, "zz"))
			show(d:capacity())
			show(ngx.shared.small:capacity())
			show(d:free_space() > 0 and d:free_space() <= d:capacity())
			local n = 0
			for name in pairs(ngx.shared) do n = n + 1 end
			show(n)`,
			"false bad \"zone\" argument\nfalse bad \"zone\" argument\nfalse bad \"zone\" argument\n"+
				"false bad \"zone\" argument\nfalse bad \"zone\" argument\nfalse bad \"zone\" argument\n"+
				"false bad \"zone\" argument\n1: nil\n2: table true\n1: nil\n1: 1048576\n1: 16384\n1: true\n1: 3\n"),
	}
}

// TestSharedDictMemory checks eviction and "no memory" from Lua in a
// 16k dict: how many entries fit follows from moongate's accounting
// (shdict.EntryOverhead), not from nginx's slab pages, so OpenResty's
// figures differ.
func TestSharedDictMemory(t *testing.T) {
	const capacity, value = 16 << 10, 1000
	fit := capacity / (shdict.EntryOverhead + 3 + value) // keys are k10, k11, ...
	runRespCases(t, sharedDicts, nil, []respCase{{
		name: "evict and no memory",
		hooks: respContent(luaShow + fmt.Sprintf(`
			local s = ngx.shared.small
			s:flush_all()
			s:flush_expired()
			local v = string.rep("v", %d)
			local first
			for i = 10, 49 do
				local ok, err, forcible = s:set("k" .. i, v)
				if not ok then ngx.say("set k", i, ": ", err) end
				if forcible and not first then first = i - 10 end
			end
			ngx.say("first forcible after ", first, " entries")
			show(s:get("k10"))
			show(s:get("k49") == v)
			show(#s:get_keys(0))
			show(s:free_space() < %d)
			show(s:safe_set("x", v))
			show(s:safe_add("x", v))
			show(s:lpush("l", v))
			show(s:set("huge", string.rep("h", %d)))
			show(s:delete("k49"))
			show(s:safe_set("x", v))
			show(s:incr("n", 1, 0))
			show(s:get("k%d"))`, value, shdict.EntryOverhead+3+value, capacity, 50-fit)),
		status: 200,
		body: fmt.Sprintf("first forcible after %d entries\n1: nil\n1: true\n1: %d\n1: true\n", fit, fit) +
			"3: false no memory false\n3: false no memory false\n2: nil no memory\n3: false no memory false\n" +
			"3: true nil false\n3: true nil false\n3: 1 nil true\n1: nil\n",
		nginx: "moongate's accounting, not nginx's slab pages, decides what fits",
	}})
}

// TestSharedDictAcrossRequests checks that every request and VM, and the
// init hook, share one dict, and that incr is atomic across them.
func TestSharedDictAcrossRequests(t *testing.T) {
	tg := startGateway(t, sharedDicts+`lua: {vms: 4}
init: {lua: "ngx.shared.cats:set('from_init', 'hello')"}
routes:
  - location: = /incr
    content: {lua: "ngx.say(ngx.shared.cats:incr('hits', 1, 0))"}
  - location: = /read
    content: {lua: "ngx.say(ngx.shared.cats:get('from_init'), ' ', ngx.shared.cats:get('hits'))"}
`, nil)
	const clients, each = 4, 25
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if r, err := sendTo(tg.base, "GET", "/incr"); err != nil || r.status != 200 {
					t.Errorf("GET /incr: %v %v", r.status, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, want := tg.get("/read").body, fmt.Sprintf("hello %d\n", clients*each); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSharedDictSurvivesReload checks that a reload keeps a dict whose
// size is unchanged, with its entries, and starts a resized one empty,
// with a NOTICE.
func TestSharedDictSurvivesReload(t *testing.T) {
	routes := func(dicts string) string {
		return "routes:\n  - location: = /set\n    content: {lua: \"ngx.shared.cats:set('k', 'kept')\"}\n" +
			"  - location: = /get\n    content: {lua: \"ngx.say(ngx.shared.cats:get('k'), ' ', ngx.shared.cats:capacity())\"}\n" +
			"shared_dicts: {" + dicts + "}\n"
	}
	tg := startGateway(t, routes("cats: 100k"), nil)
	tg.get("/set")
	tests := []struct {
		name   string
		dicts  string
		body   string
		notice bool
	}{
		{"same size", "cats: 100k, dogs: 1m", "kept 102400\n", false},
		{"another dict removed", "cats: 100k", "kept 102400\n", false},
		{"resized", "cats: 200k", "nil 204800\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg.rewriteConfig(routes(tc.dicts))
			if status, body := tg.adminPost("/reload"); status != 200 {
				t.Fatalf("reload: %d %s", status, body)
			}
			if got := tg.get("/get").body; got != tc.body {
				t.Errorf("got %q, want %q", got, tc.body)
			}
			notice := `shared dict "cats" changed size to 204800 bytes: it starts empty`
			if got := strings.Contains(tg.errorLog(), notice); got != tc.notice {
				t.Errorf("NOTICE %q logged: %v, want %v", notice, got, tc.notice)
			}
		})
	}
}
