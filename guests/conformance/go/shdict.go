//go:build wasip1

package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	moongate "github.com/moongate/moongate/sdk/go"
)

// The shared dict the test route's config declares (shared_dicts:
// {conformance: 64k}); only this guest uses it.
const (
	dictName     = "conformance"
	dictCapacity = 64 << 10
)

// Keys the phases leave in the dict: rewrite's marker, which log reads
// back, and log's greeting to the gateway's Lua, which the test reads.
const (
	keyMarker   = "phase_marker"
	keyFromWasm = "from_wasm"
)

var (
	str  = moongate.StringValue
	num  = moongate.NumberValue
	bval = moongate.BoolValue
)

// dict is the dict, opened once per instance: a handle stays valid for
// the instance's life.
var dict *moongate.Dict

// openDict checks shdict_open and returns the dict, nil when it failed.
func (c *checks) openDict() *moongate.Dict {
	if dict != nil {
		return dict
	}
	_, err := moongate.SharedDict("no_such_dict")
	c.failsWith("shdict_open", err, moongate.ErrNotFound, `no shared dict "no_such_dict"`)
	d, err := moongate.SharedDict(dictName)
	if !c.ok("shdict_open", err) {
		return nil
	}
	c.equal("shdict_open", d.Name(), dictName, nil)
	dict = d
	return d
}

// checkSharedDict checks every shdict_* function, from an empty dict, and
// leaves rewrite's marker in it.
func checkSharedDict(c *checks) {
	d := c.openDict()
	if d == nil {
		return
	}
	c.clearDict(d)
	capacity, err := d.Capacity()
	c.equal("shdict_capacity", capacity, dictCapacity, err)
	free, err := d.FreeSpace()
	c.equal("shdict_free_space", free, dictCapacity, err)

	checkDictValues(c, d)
	checkDictIncr(c, d)
	checkDictLists(c, d)
	checkDictTTL(c, d)
	checkDictKeys(c, d)
	checkDictFull(c, d)
	checkDictRaw(c, d)

	c.clearDict(d)
	_, err = d.Set(keyMarker, str("rewrite"), 0, 0)
	c.ok("shdict_set", err)
}

// clearDict empties d: flush_all, then flush_expired.
func (c *checks) clearDict(d *moongate.Dict) {
	c.ok("shdict_flush_all", d.FlushAll())
	_, err := d.FlushExpired(0)
	c.ok("shdict_flush_expired", err)
}

// expectValue checks that key holds want with flags.
func (c *checks) expectValue(fn string, d *moongate.Dict, key string, want moongate.Value, wantFlags uint32) {
	v, flags, err := d.Get(key)
	c.that(fn, v == want && flags == wantFlags, err, "%s: got %v (kind %d) flags %d, want %v (kind %d) flags %d",
		key, v, v.Kind(), flags, want, want.Kind(), wantFlags)
}

// expectMissing checks that key has no live value.
func (c *checks) expectMissing(fn string, d *moongate.Dict, key string) {
	_, _, err := d.Get(key)
	c.failsWith(fn, err, moongate.ErrNotFound, "not found")
}

// checkDictValues checks get, the writes and delete.
func checkDictValues(c *checks, d *moongate.Dict) {
	forcible, err := d.Set("s", str("hello"), 0, 7)
	c.that("shdict_set", !forcible, err, "forcible in an empty dict")
	c.expectValue("shdict_get", d, "s", str("hello"), 7)
	for _, v := range []moongate.Value{num(-1.5), num(1e300), bval(true), bval(false), str(""), str("a\x00b")} {
		_, err := d.Set("typed", v, 0, 0xFFFFFFFF)
		c.ok("shdict_set", err)
		c.expectValue("shdict_get", d, "typed", v, 0xFFFFFFFF)
	}
	c.expectMissing("shdict_get", d, "absent")
	_, _, err = d.Get("")
	c.failsWith("shdict_get", err, moongate.ErrBadArgument, "empty key")
	_, _, err = d.Get(strings.Repeat("k", 65536))
	c.failsWith("shdict_get", err, moongate.ErrBadArgument, "key too long")

	_, err = d.Add("s", str("other"), 0, 0)
	c.failsWith("shdict_add", err, moongate.ErrFailed, "exists")
	_, err = d.Add("a", num(1), 0, 0)
	c.ok("shdict_add", err)
	c.expectValue("shdict_add", d, "a", num(1), 0)
	_, err = d.Add("nil", moongate.Value{}, 0, 0)
	c.failsWith("shdict_add", err, moongate.ErrBadArgument, "attempt to add or replace nil values")
	_, err = d.SafeAdd("s", str("other"), 0, 0)
	c.failsWith("shdict_safe_add", err, moongate.ErrFailed, "exists")
	_, err = d.SafeAdd("sa", bval(true), 0, 2)
	c.ok("shdict_safe_add", err)
	c.expectValue("shdict_safe_add", d, "sa", bval(true), 2)
	_, err = d.Replace("s", str("world"), 0, 0)
	c.ok("shdict_replace", err)
	c.expectValue("shdict_replace", d, "s", str("world"), 0)
	_, err = d.Replace("absent", str("x"), 0, 0)
	c.failsWith("shdict_replace", err, moongate.ErrNotFound, "not found")
	_, err = d.SafeSet("ss", num(3), 0, 1)
	c.ok("shdict_safe_set", err)
	c.expectValue("shdict_safe_set", d, "ss", num(3), 1)

	_, err = d.Set("s", moongate.Value{}, 0, 0) // a nil value deletes
	c.ok("shdict_set", err)
	c.expectMissing("shdict_set", d, "s")
	c.ok("shdict_delete", d.Delete("a"))
	c.expectMissing("shdict_delete", d, "a")
	c.ok("shdict_delete", d.Delete("absent"))
	c.failsWith("shdict_delete", d.Delete(""), moongate.ErrBadArgument, "empty key")
}

// checkDictIncr checks incr, with and without init.
func checkDictIncr(c *checks, d *moongate.Dict) {
	_, err := d.Incr("n", 1)
	c.failsWith("shdict_incr", err, moongate.ErrNotFound, "not found")
	n, forcible, err := d.IncrInit("n", 1, 10, 0)
	c.that("shdict_incr", n == 11 && !forcible, err, "init 10 + 1: got %v, forcible %v", n, forcible)
	n, err = d.Incr("n", 2.5)
	c.equal("shdict_incr", n, 13.5, err)
	n, _, err = d.IncrInit("n", -3.5, 100, time.Hour) // init is only for a missing key
	c.equal("shdict_incr", n, 10, err)
	ttl, err := d.TTL("n")
	c.equal("shdict_incr", ttl, time.Duration(0), err)
	n, _, err = d.IncrInit("n2", 1, 0, time.Minute)
	c.equal("shdict_incr", n, 1, err)
	ttl, err = d.TTL("n2")
	c.that("shdict_incr", ttl > 59*time.Second && ttl <= time.Minute, err, "init_ttl 1m: ttl %v", ttl)
	_, err = d.Set("s", str("x"), 0, 0)
	c.ok("shdict_set", err)
	_, err = d.Incr("s", 1)
	c.failsWith("shdict_incr", err, moongate.ErrFailed, "not a number")
}

// checkDictLists checks the list functions, a value larger than the SDK's
// result buffer among them (its pop retries with a larger buffer).
func checkDictLists(c *checks, d *moongate.Dict) {
	n, err := d.LPush("l", str("a"))
	c.equal("shdict_lpush", n, 1, err)
	n, err = d.RPush("l", num(2))
	c.equal("shdict_rpush", n, 2, err)
	n, err = d.LPush("l", str("z"))
	c.equal("shdict_lpush", n, 3, err)
	n, err = d.LLen("l")
	c.equal("shdict_llen", n, 3, err)
	v, err := d.LPop("l")
	c.equal("shdict_lpop", v, str("z"), err)
	v, err = d.RPop("l")
	c.equal("shdict_rpop", v, num(2), err)

	big := strings.Repeat("b", 20000)
	n, err = d.RPush("l", str(big))
	c.equal("shdict_rpush", n, 2, err)
	v, err = d.RPop("l")
	c.that("shdict_rpop", v == str(big), err, "a %d-byte value came back as %d bytes", len(big), len(v.Str()))
	n, err = d.LLen("l")
	c.equal("shdict_llen", n, 1, err)

	v, err = d.LPop("l")
	c.equal("shdict_lpop", v, str("a"), err)
	_, err = d.LPop("l")
	c.failsWith("shdict_lpop", err, moongate.ErrNotFound, "not found")
	_, err = d.RPop("l")
	c.failsWith("shdict_rpop", err, moongate.ErrNotFound, "not found")
	n, err = d.LLen("l")
	c.equal("shdict_llen", n, 0, err)

	_, err = d.LPush("l", bval(true))
	c.failsWith("shdict_lpush", err, moongate.ErrBadArgument, "bad value type")
	_, err = d.RPush("s", str("x"))
	c.failsWith("shdict_rpush", err, moongate.ErrFailed, "value not a list")
	_, err = d.LLen("s")
	c.failsWith("shdict_llen", err, moongate.ErrFailed, "value not a list")
	_, err = d.LPop("s")
	c.failsWith("shdict_lpop", err, moongate.ErrFailed, "value not a list")
	_, err = d.LPush("l", str("x"))
	c.ok("shdict_lpush", err)
	_, _, err = d.Get("l")
	c.failsWith("shdict_get", err, moongate.ErrFailed, "value is a list")
}

// checkDictTTL checks ttl, expire, get_stale and the flushes.
func checkDictTTL(c *checks, d *moongate.Dict) {
	_, err := d.Set("t", str("v"), 100*time.Second, 3)
	c.ok("shdict_set", err)
	ttl, err := d.TTL("t")
	c.that("shdict_ttl", ttl > 99*time.Second && ttl <= 100*time.Second, err, "ttl %v, want about 100s", ttl)
	c.ok("shdict_expire", d.Expire("t", 0))
	ttl, err = d.TTL("t")
	c.equal("shdict_expire", ttl, time.Duration(0), err)
	c.ok("shdict_expire", d.Expire("t", 2*time.Second))
	ttl, err = d.TTL("t")
	c.that("shdict_expire", ttl > time.Second && ttl <= 2*time.Second, err, "ttl %v, want about 2s", ttl)
	c.failsWith("shdict_expire", d.Expire("absent", time.Second), moongate.ErrNotFound, "not found")
	c.failsWith("shdict_expire", d.Expire("t", -time.Second), moongate.ErrBadArgument, `bad "exptime" argument`)
	_, err = d.TTL("absent")
	c.failsWith("shdict_ttl", err, moongate.ErrNotFound, "not found")
	_, err = d.Set("t2", str("v"), -time.Second, 0)
	c.failsWith("shdict_set", err, moongate.ErrBadArgument, `bad "exptime" argument`)

	v, flags, stale, err := d.GetStale("t")
	c.that("shdict_get_stale", v == str("v") && flags == 3 && !stale, err, "live: got %v flags %d stale %v", v, flags, stale)
	c.ok("shdict_flush_all", d.FlushAll())
	c.expectMissing("shdict_flush_all", d, "t")
	v, flags, stale, err = d.GetStale("t")
	c.that("shdict_get_stale", v == str("v") && flags == 3 && stale, err, "flushed: got %v flags %d stale %v", v, flags, stale)
	n, err := d.FlushExpired(1)
	c.equal("shdict_flush_expired", n, 1, err)
	n, err = d.FlushExpired(0)
	c.that("shdict_flush_expired", n >= 1, err, "removed %d", n)
	_, _, _, err = d.GetStale("t")
	c.failsWith("shdict_get_stale", err, moongate.ErrNotFound, "not found")
}

// checkDictKeys checks get_keys.
func checkDictKeys(c *checks, d *moongate.Dict) {
	c.clearDict(d)
	want := []string{"k1", "k2", "k3"}
	for _, k := range want {
		_, err := d.Set(k, num(1), 0, 0)
		c.ok("shdict_set", err)
	}
	keys, err := d.Keys(0)
	slices.Sort(keys)
	c.equal("shdict_get_keys", keys, want, err)
	keys, err = d.Keys(2)
	c.that("shdict_get_keys", len(keys) == 2, err, "at most 2: got %q", keys)
}

// checkDictFull fills the dict: set evicts and says so, the safe writes
// and the list pushes do not.
func checkDictFull(c *checks, d *moongate.Dict) {
	c.clearDict(d)
	value := str(strings.Repeat("f", 4000))
	forcible := false
	var err error
	for i := 0; i < 2*dictCapacity/4000 && !forcible && err == nil; i++ {
		forcible, err = d.Set(fmt.Sprint("fill", i), value, 0, 0)
	}
	c.that("shdict_set", forcible, err, "filling the dict never evicted")
	forcible, err = d.Add("fill_add", value, 0, 0)
	c.that("shdict_add", forcible, err, "a full dict: not forcible")
	free, err := d.FreeSpace()
	c.that("shdict_free_space", free >= 0 && free < 4200, err, "full: %d bytes free", free)
	tooBig := str(strings.Repeat("g", int(free)+1))
	_, err = d.SafeSet("safe", tooBig, 0, 0)
	c.failsWith("shdict_safe_set", err, moongate.ErrFailed, "no memory")
	_, err = d.SafeAdd("safe", tooBig, 0, 0)
	c.failsWith("shdict_safe_add", err, moongate.ErrFailed, "no memory")
	_, err = d.RPush("safe", tooBig)
	c.failsWith("shdict_rpush", err, moongate.ErrFailed, "no memory")
	_, err = d.Set("huge", str(strings.Repeat("h", dictCapacity)), 0, 0)
	c.failsWith("shdict_set", err, moongate.ErrFailed, "no memory")
}

// checkDictRaw checks the value encoding and out pointer rules the SDK
// hides, through raw imports.
func checkDictRaw(c *checks, d *moongate.Dict) {
	handle := rawShdictOpen(strAddr(dictName), uint32(len(dictName)))
	c.that("shdict_open", handle >= 0, nil, "returned %d", handle)
	const key = "raw"
	n := rawShdictSet(handle, strAddr(key), uint32(len(key)), strAddr("\x09\x00\x00\x00\x00"), 5, 0)
	c.that("shdict_set", n == -3, nil, "malformed value: returned %d, want -3", n)
	value := "\x02\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x45\x40" // 42, flags 5
	n = rawShdictSet(handle, strAddr(key), uint32(len(key)), strAddr(value), uint32(len(value)), 0)
	c.that("shdict_set", n == 0, nil, "42 with flags 5: returned %d", n)
	c.expectValue("shdict_set", d, key, num(42), 5)

	resetProbe()
	n = rawShdictGet(handle, strAddr(key), uint32(len(key)), probeAddr(), 12)
	c.that("shdict_get", n == 13 && probeUntouched(), nil, "with a 12-byte buffer: returned %d, buffer touched: %v", n, !probeUntouched())
	n = rawShdictGet(handle, strAddr(key), uint32(len(key)), probeAddr(), uint32(len(probe)))
	c.that("shdict_get", n == 13 && string(probe[:13]) == value, nil, "returned %d, wrote %q", n, probe[:13])
	n = rawShdictGet(99, strAddr(key), uint32(len(key)), probeAddr(), uint32(len(probe)))
	c.that("shdict_get", n == -3, nil, "bad handle: returned %d, want -3", n)
	n = rawShdictIncr(handle, strAddr(key), uint32(len(key)), 1, 0, 0, 0, outside)
	c.that("shdict_incr", n == -3, nil, "out pointer outside memory: returned %d, want -3", n)
	c.expectValue("shdict_incr", d, key, num(42), 5)
}

// checkDictLater checks, in a later phase, what rewrite left in the dict,
// and leaves a value for the gateway's Lua to read.
func checkDictLater(c *checks) {
	d := c.openDict()
	if d == nil {
		return
	}
	c.expectValue("shdict_get", d, keyMarker, str("rewrite"), 0)
	_, err := d.Set(keyFromWasm, str("conformance-go"), 0, 42)
	c.ok("shdict_set", err)
}
