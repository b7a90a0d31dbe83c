package lua

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/shdict"
	glua "github.com/yuin/gopher-lua"
)

// openShared returns ngx.shared: for each of the engine's dicts, a table
// holding the dict in [1], whose metatable's __index holds the methods,
// as in OpenResty, so that both dict:get(k) and dict.get(dict, k) work.
// Every method may be called in every context, init and timers included
// (abi: "ngx.shared.DICT.*").
//
// The methods get, get_stale, set, safe_set, add, safe_add, replace,
// delete, incr, ttl, expire, flush_all, capacity and free_space check and
// return as lua-resty-core's FFI versions do (a non-string key goes
// through tostring); lpush, rpush, lpop, rpop, llen, flush_expired and
// get_keys as lua-nginx-module's C versions do (exact argument counts).
func (vm *VM) openShared() *glua.LTable {
	L := vm.L
	methods := L.NewTable()
	methods.RawSetString("__index", methods)
	vm.set(methods, "ngx.shared.DICT", map[string]hostFunc{
		"get":           func(L *glua.LState, _ *host.Request) int { return sharedGet(L, false) },
		"get_stale":     func(L *glua.LState, _ *host.Request) int { return sharedGet(L, true) },
		"set":           func(L *glua.LState, _ *host.Request) int { return sharedStore(L, (*shdict.Dict).Set) },
		"safe_set":      func(L *glua.LState, _ *host.Request) int { return sharedStore(L, (*shdict.Dict).SafeSet) },
		"add":           func(L *glua.LState, _ *host.Request) int { return sharedStore(L, (*shdict.Dict).Add) },
		"safe_add":      func(L *glua.LState, _ *host.Request) int { return sharedStore(L, (*shdict.Dict).SafeAdd) },
		"replace":       func(L *glua.LState, _ *host.Request) int { return sharedStore(L, (*shdict.Dict).Replace) },
		"delete":        sharedDelete,
		"incr":          sharedIncr,
		"ttl":           sharedTTL,
		"expire":        sharedExpire,
		"flush_all":     func(L *glua.LState, _ *host.Request) int { sharedDict(L).FlushAll(); return 0 },
		"capacity":      func(L *glua.LState, _ *host.Request) int { return pushInt(L, sharedDict(L).Capacity()) },
		"free_space":    func(L *glua.LState, _ *host.Request) int { return pushInt(L, sharedDict(L).FreeSpace()) },
		"lpush":         func(L *glua.LState, _ *host.Request) int { return sharedPush(L, (*shdict.Dict).LPush) },
		"rpush":         func(L *glua.LState, _ *host.Request) int { return sharedPush(L, (*shdict.Dict).RPush) },
		"lpop":          func(L *glua.LState, _ *host.Request) int { return sharedPop(L, (*shdict.Dict).LPop) },
		"rpop":          func(L *glua.LState, _ *host.Request) int { return sharedPop(L, (*shdict.Dict).RPop) },
		"llen":          sharedLLen,
		"flush_expired": sharedFlushExpired,
		"get_keys":      sharedGetKeys,
	})
	shared := L.NewTable()
	for name, d := range vm.e.opts.Dicts {
		t := L.CreateTable(1, 0)
		ud := L.NewUserData()
		ud.Value = d
		t.RawSetInt(1, ud)
		L.SetMetatable(t, methods)
		shared.RawSetString(name, t)
	}
	return shared
}

// sharedDict returns the dict of the ngx.shared.DICT table in argument 1,
// or raises OpenResty's `bad "zone" argument`.
func sharedDict(L *glua.LState) *shdict.Dict {
	if d := zoneOf(L.Get(1)); d != nil {
		return d
	}
	L.RaiseError(`bad "zone" argument`)
	return nil
}

// zoneOf returns the dict of an ngx.shared.DICT table, or nil.
func zoneOf(v glua.LValue) *shdict.Dict {
	if t, ok := v.(*glua.LTable); ok {
		if ud, ok := t.RawGetInt(1).(*glua.LUserData); ok {
			d, _ := ud.Value.(*shdict.Dict)
			return d
		}
	}
	return nil
}

// sharedKey returns argument 2 as a key as lua-resty-core converts it (nil
// is an error, anything else goes through tostring); on a bad key it
// pushes nil and the error and returns false.
func sharedKey(L *glua.LState) (string, bool) {
	var key string
	switch v := L.Get(2).(type) {
	case *glua.LNilType:
		return "", pushErr(L, nil, "nil key")
	case glua.LString:
		key = string(v)
	case glua.LNumber:
		key = formatNumber(v)
	default:
		key = L.ToStringMeta(v).String()
	}
	if err := shdict.CheckKey(key); err != nil {
		return "", pushErr(L, nil, err.Error())
	}
	return key, true
}

// pushErr pushes first and the error message: a method's failure
// results. It returns false for sharedKey.
func pushErr(L *glua.LState, first glua.LValue, msg string) bool {
	if first == nil {
		first = glua.LNil
	}
	L.Push(first)
	L.Push(glua.LString(msg))
	return false
}

func pushInt(L *glua.LState, n int64) int {
	L.Push(glua.LNumber(n))
	return 1
}

// luaValue converts a stored value to Lua.
func luaValue(v shdict.Value) glua.LValue {
	switch v.Kind() {
	case shdict.KindString:
		return glua.LString(v.Str())
	case shdict.KindNumber:
		return glua.LNumber(v.Num())
	case shdict.KindBool:
		return glua.LBool(v.Bool())
	}
	return glua.LNil
}

// luaFlags converts stored user flags to Lua: OpenResty reads them as a C
// int.
func luaFlags(flags uint32) glua.LValue { return glua.LNumber(int32(flags)) }

// sharedGet is get(key) -> value, flags? and get_stale(key) -> value,
// flags|nil, stale: a missing key gives a single nil, an error nil, err.
func sharedGet(L *glua.LState, stale bool) int {
	d := sharedDict(L)
	key, ok := sharedKey(L)
	if !ok {
		return 2
	}
	var v shdict.Value
	var flags uint32
	var isStale bool
	var err error
	if stale {
		v, flags, isStale, err = d.GetStale(key)
	} else {
		v, flags, err = d.Get(key)
	}
	switch {
	case err != nil:
		pushErr(L, nil, err.Error())
		return 2
	case v.Kind() == shdict.KindNil:
		L.Push(glua.LNil)
		return 1
	}
	L.Push(luaValue(v))
	if stale {
		if flags != 0 {
			L.Push(luaFlags(flags))
		} else {
			L.Push(glua.LNil)
		}
		L.Push(glua.LBool(isStale))
		return 3
	}
	if flags != 0 {
		L.Push(luaFlags(flags))
		return 2
	}
	return 1
}

// storeFunc is one of the dict's set-like methods.
type storeFunc func(d *shdict.Dict, key string, v shdict.Value, ttl time.Duration, flags uint32) (bool, error)

// sharedStore is set, safe_set, add, safe_add and replace(key, value,
// exptime?, flags?) -> ok, err, forcible, checking in lua-resty-core's
// order: exptime, key, value, flags.
func sharedStore(L *glua.LState, store storeFunc) int {
	d := sharedDict(L)
	var ttl time.Duration
	switch v := L.Get(4).(type) {
	case glua.LNumber:
		if v < 0 {
			L.RaiseError(`bad "exptime" argument`)
		}
		ttl = seconds(float64(v))
	case *glua.LNilType:
	case glua.LBool:
		if v {
			L.RaiseError("attempt to compare boolean with number")
		}
	default:
		L.RaiseError("attempt to compare %s with number", v.Type())
	}
	key, ok := sharedKey(L)
	if !ok {
		return 2
	}
	v, ok := sharedValue(L.Get(3), false)
	if !ok {
		pushErr(L, nil, "bad value type")
		return 2
	}
	flags := storeFlags(L, L.Get(5))
	forcible, err := store(d, key, v, ttl, flags)
	if err != nil {
		pushErr(L, glua.LFalse, err.Error())
	} else {
		L.Push(glua.LTrue)
		L.Push(glua.LNil)
	}
	L.Push(glua.LBool(forcible))
	return 3
}

// sharedValue converts a Lua value to a dict value: a string or a number,
// and unless listItem (lpush, rpush take only those) a boolean or nil. It
// reports false for any other type.
func sharedValue(lv glua.LValue, listItem bool) (shdict.Value, bool) {
	switch lv := lv.(type) {
	case glua.LString:
		return shdict.String(string(lv)), true
	case glua.LNumber:
		return shdict.Number(float64(lv)), true
	case glua.LBool:
		return shdict.Bool(bool(lv)), !listItem
	case *glua.LNilType:
		return shdict.Value{}, !listItem
	}
	return shdict.Value{}, false
}

// storeFlags converts the flags argument as LuaJIT's FFI converts it to a
// C int: nil and false are 0, true 1, a number is truncated (INT_MIN when
// out of range); anything else is an error.
func storeFlags(L *glua.LState, v glua.LValue) uint32 {
	switch v := v.(type) {
	case *glua.LNilType:
		return 0
	case glua.LBool:
		if v {
			return 1
		}
		return 0
	case glua.LNumber:
		f := math.Trunc(float64(v))
		if f >= math.MinInt32 && f <= math.MaxInt32 {
			return uint32(int32(f))
		}
		return uint32(1) << 31
	}
	L.RaiseError("bad argument #10 to 'ngx_lua_ffi_shdict_store' (cannot convert '%s' to 'int')", v.Type())
	return 0
}

// seconds converts a TTL in seconds to a duration, truncated to whole
// milliseconds as OpenResty does.
func seconds(s float64) time.Duration {
	return time.Duration(int64(s*1000)) * time.Millisecond
}

// sharedDelete is delete(key) -> true, nil, false.
func sharedDelete(L *glua.LState, _ *host.Request) int {
	L.SetTop(2)
	L.Push(glua.LNil)
	return sharedStore(L, (*shdict.Dict).Set)
}

// sharedIncr is incr(key, value, init?, init_ttl?) -> newval (without
// init) or newval, nil, forcible; nil, err on failure.
func sharedIncr(L *glua.LState, _ *host.Request) int {
	d := sharedDict(L)
	key, ok := sharedKey(L)
	if !ok {
		return 2
	}
	delta, ok := toNumber(L.Get(3))
	if !ok {
		L.RaiseError("cannot convert 'nil' to 'double'")
	}
	var init float64
	hasInit := glua.LVAsBool(L.Get(4))
	if hasInit {
		if init, ok = toNumber(L.Get(4)); !ok {
			L.RaiseError("bad init arg: number expected, got %s", L.Get(4).Type())
		}
	}
	var ttl time.Duration
	if v := L.Get(5); v != glua.LNil {
		s, ok := toNumber(v)
		switch {
		case !ok:
			L.RaiseError("bad init_ttl arg: number expected, got %s", v.Type())
		case s < 0:
			L.RaiseError(`bad "init_ttl" argument`)
		case !hasInit:
			L.RaiseError(`must provide "init" when providing "init_ttl"`)
		}
		ttl = seconds(s)
	}
	if !hasInit {
		n, err := d.Incr(key, delta)
		if err != nil {
			pushErr(L, nil, err.Error())
			return 2
		}
		L.Push(glua.LNumber(n))
		return 1
	}
	n, forcible, err := d.IncrInit(key, delta, init, ttl)
	if err != nil {
		pushErr(L, nil, err.Error())
		return 2
	}
	L.Push(glua.LNumber(n))
	L.Push(glua.LNil)
	L.Push(glua.LBool(forcible))
	return 3
}

// sharedTTL is ttl(key) -> seconds left (0: no expiry); nil, err.
func sharedTTL(L *glua.LState, _ *host.Request) int {
	d := sharedDict(L)
	key, ok := sharedKey(L)
	if !ok {
		return 2
	}
	ttl, err := d.TTL(key)
	if err != nil {
		pushErr(L, nil, err.Error())
		return 2
	}
	L.Push(glua.LNumber(float64(ttl.Milliseconds()) / 1000))
	return 1
}

// sharedExpire is expire(key, exptime) -> true; nil, err.
func sharedExpire(L *glua.LState, _ *host.Request) int {
	d := sharedDict(L)
	exptime := L.Get(3)
	if !glua.LVAsBool(exptime) {
		L.RaiseError(`bad "exptime" argument`)
	}
	key, ok := sharedKey(L)
	if !ok {
		return 2
	}
	s, ok := toNumber(exptime)
	if !ok {
		L.RaiseError("attempt to perform arithmetic on local 'exptime' (a %s value)", exptime.Type())
	}
	if err := d.Expire(key, seconds(s)); err != nil {
		pushErr(L, nil, err.Error())
		return 2
	}
	L.Push(glua.LTrue)
	return 1
}

// toNumber is Lua's tonumber for numbers and numeric strings.
func toNumber(v glua.LValue) (float64, bool) {
	switch v := v.(type) {
	case glua.LNumber:
		return float64(v), true
	case glua.LString:
		s := strings.TrimSpace(string(v))
		sign, digits := 1.0, s
		if strings.HasPrefix(digits, "-") {
			sign, digits = -1, digits[1:]
		}
		if len(digits) > 2 && (digits[:2] == "0x" || digits[:2] == "0X") {
			n, err := strconv.ParseUint(digits[2:], 16, 64)
			return sign * float64(n), err == nil
		}
		if strings.ContainsAny(s, "iInN_xX") { // no inf, nan or Go-only syntax
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	return 0, false
}

// The list methods and flush_expired and get_keys are lua-nginx-module's C
// functions: they check their argument count first, and their key with
// luaL_checklstring (strings and numbers only).

// checkArgs raises lua-nginx-module's argument-count error unless there
// are want arguments.
func checkArgs(L *glua.LState, want int) {
	if n := L.GetTop(); n != want {
		L.RaiseError("expecting %d arguments, but only seen %d", want, n)
	}
}

// sharedKeyC is sharedKey for the C functions.
func sharedKeyC(L *glua.LState) (string, bool) {
	switch v := L.Get(2).(type) {
	case glua.LString, glua.LNumber:
		return sharedKey(L)
	case *glua.LNilType:
		return "", pushErr(L, nil, "nil key")
	default:
		L.RaiseError("bad argument #2 to '?' (string expected, got %s)", v.Type())
		return "", false
	}
}

// sharedPush is lpush and rpush(key, value) -> length; nil, err.
func sharedPush(L *glua.LState, push func(*shdict.Dict, string, shdict.Value) (int, error)) int {
	checkArgs(L, 3)
	d := sharedDict(L)
	key, ok := sharedKeyC(L)
	if !ok {
		return 2
	}
	v, ok := sharedValue(L.Get(3), true)
	if !ok {
		pushErr(L, nil, "bad value type")
		return 2
	}
	n, err := push(d, key, v)
	if err != nil {
		pushErr(L, nil, err.Error())
		return 2
	}
	L.Push(glua.LNumber(n))
	return 1
}

// sharedPop is lpop and rpop(key) -> value|nil; nil, err.
func sharedPop(L *glua.LState, pop func(*shdict.Dict, string) (shdict.Value, error)) int {
	checkArgs(L, 2)
	d := sharedDict(L)
	key, ok := sharedKeyC(L)
	if !ok {
		return 2
	}
	v, err := pop(d, key)
	if err != nil {
		pushErr(L, nil, err.Error())
		return 2
	}
	L.Push(luaValue(v))
	return 1
}

// sharedLLen is llen(key) -> length; nil, err.
func sharedLLen(L *glua.LState, _ *host.Request) int {
	checkArgs(L, 2)
	d := sharedDict(L)
	key, ok := sharedKeyC(L)
	if !ok {
		return 2
	}
	n, err := d.LLen(key)
	if err != nil {
		pushErr(L, nil, err.Error())
		return 2
	}
	L.Push(glua.LNumber(n))
	return 1
}

// sharedMaxArg checks the arguments of flush_expired and get_keys (the
// dict, then an optional count, as luaL_checkint reads it) and returns the
// dict and the count, def when absent.
func sharedMaxArg(L *glua.LState, def int) (*shdict.Dict, int) {
	n := L.GetTop()
	if n != 1 && n != 2 {
		L.RaiseError("expecting 1 or 2 argument(s), but saw %d", n)
	}
	if L.Get(1).Type() != glua.LTTable {
		L.RaiseError("bad argument #1 to '?' (table expected, got %s)", typeName(L, 1))
	}
	d := zoneOf(L.Get(1))
	if d == nil {
		L.RaiseError("bad user data for the ngx_shm_zone_t pointer")
	}
	if n == 2 {
		f, ok := toNumber(L.Get(2))
		if !ok {
			L.RaiseError("bad argument #2 to '?' (number expected, got %s)", typeName(L, 2))
		}
		def = int(f)
	}
	return d, def
}

// sharedFlushExpired is flush_expired(max?) -> number removed.
func sharedFlushExpired(L *glua.LState, _ *host.Request) int {
	d, n := sharedMaxArg(L, 0)
	L.Push(glua.LNumber(d.FlushExpired(n)))
	return 1
}

// sharedGetKeys is get_keys(max?) -> keys, at most 1024 by default, all
// with 0.
func sharedGetKeys(L *glua.LState, _ *host.Request) int {
	d, n := sharedMaxArg(L, 1024)
	keys := d.Keys(n)
	t := L.CreateTable(len(keys), 0)
	for _, k := range keys {
		t.Append(glua.LString(k))
	}
	L.Push(t)
	return 1
}
