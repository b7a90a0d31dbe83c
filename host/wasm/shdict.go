package wasm

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
	"unsafe"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/shdict"
	"github.com/tetratelabs/wazero/api"
)

// The shared dict functions of ABI.md ("Shared dicts"): ngx.shared.DICT
// over the request's dicts (host.Request.Dicts), the ones the Lua hooks
// see. A handle is an index into Dicts. Keys and string values are read
// as views of guest memory, not copies: package shdict copies every key
// and string it keeps.

// errNoValue is a missing or expired key: Lua's nil.
var errNoValue = &statusError{abi.ErrNotFound, shdict.ErrNotFound.Error()}

// dictErr gives an error of package shdict its status, keeping its
// OpenResty text: ERR_NOT_FOUND for "not found", ERR_BAD_ARGUMENT for a
// bad key or value, ERR_FAILED for the others.
func dictErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, shdict.ErrNotFound):
		return errNoValue
	case errors.Is(err, shdict.ErrEmptyKey), errors.Is(err, shdict.ErrKeyTooLong),
		errors.Is(err, shdict.ErrNilValue), errors.Is(err, shdict.ErrBadValue):
		return &statusError{abi.ErrBadArgument, err.Error()}
	}
	return err
}

// f64 returns argument i as a number.
func (c *call) f64(i int) float64 { return api.DecodeF64(c.stack[i]) }

// view returns the guest string at arguments i and i+1 as a string that
// shares guest memory: valid until the guest runs again, for operations
// that copy what they keep.
func (c *call) view(i int) (string, error) {
	b, err := c.bytes(i)
	if len(b) == 0 {
		return "", err
	}
	return unsafe.String(&b[0], len(b)), nil
}

// dict returns the dict of the handle in argument i.
func (c *call) dict(i int) (*shdict.Dict, error) {
	h := c.i32(i)
	if h < 0 || int(h) >= len(c.r.Dicts) {
		return nil, badArgument("bad shared dict handle %d", h)
	}
	return c.r.Dicts[h], nil
}

// dictKey returns the dict of argument 0 and the key of arguments 1-2.
func dictKey(c call) (*shdict.Dict, string, error) {
	d, err := c.dict(0)
	if err != nil {
		return nil, "", err
	}
	key, err := c.view(1)
	return d, key, err
}

// outNumber checks that the f64 result slot at argument i lies in guest
// memory, before the operation whose result it takes runs, and returns
// its address.
func (c *call) outNumber(i int) (uint32, error) {
	ptr := api.DecodeU32(c.stack[i])
	if c.mem == nil {
		return 0, badPointer(ptr, 8)
	}
	if _, ok := c.mem.Read(ptr, 8); !ok {
		return 0, badPointer(ptr, 8)
	}
	return ptr, nil
}

// ttlArg converts a TTL argument in seconds, truncated to the
// millisecond; name is the argument's name in OpenResty's error.
func ttlArg(secs float64, name string) (time.Duration, error) {
	const maxMs = float64(math.MaxInt64 / int64(time.Millisecond))
	if !(secs >= 0) { // NaN too
		return 0, badArgument(`bad "%s" argument`, name)
	}
	return time.Duration(min(secs*1000, maxMs)) * time.Millisecond, nil
}

// decodeValue reads a value in the encoding of ABI.md: kind, flags,
// payload. A string value shares b's memory.
func decodeValue(b []byte) (shdict.Value, uint32, error) {
	if len(b) < abi.ValueHeader {
		return shdict.Value{}, 0, badArgument("malformed value: %d bytes, shorter than the %d-byte header", len(b), abi.ValueHeader)
	}
	kind, flags, p := abi.ValueKind(b[0]), binary.LittleEndian.Uint32(b[1:]), b[abi.ValueHeader:]
	switch {
	case kind == abi.KindNil && len(p) == 0:
		return shdict.Value{}, flags, nil
	case kind == abi.KindBool && len(p) == 1 && p[0] <= 1:
		return shdict.Bool(p[0] == 1), flags, nil
	case kind == abi.KindNumber && len(p) == 8:
		return shdict.Number(math.Float64frombits(binary.LittleEndian.Uint64(p))), flags, nil
	case kind == abi.KindString:
		if len(p) == 0 {
			return shdict.String(""), flags, nil
		}
		return shdict.String(unsafe.String(&p[0], len(p))), flags, nil
	case kind > abi.KindString:
		return shdict.Value{}, 0, badArgument("malformed value: kind %d is not 0 (nil), 1 (boolean), 2 (number) or 3 (string)", kind)
	}
	return shdict.Value{}, 0, badArgument("malformed value: kind %d with a payload of %d bytes", kind, len(p))
}

// appendValue appends v and its flags in the encoding of ABI.md.
func appendValue(b []byte, v shdict.Value, flags uint32) []byte {
	kind := abi.KindNil
	switch v.Kind() {
	case shdict.KindBool:
		kind = abi.KindBool
	case shdict.KindNumber:
		kind = abi.KindNumber
	case shdict.KindString:
		kind = abi.KindString
	}
	b = append(b, byte(kind))
	b = binary.LittleEndian.AppendUint32(b, flags)
	switch kind {
	case abi.KindBool:
		b = append(b, byte(boolean(v.Bool())))
	case abi.KindNumber:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Num()))
	case abi.KindString:
		b = append(b, v.Str()...)
	}
	return b
}

// valueResult writes prefix then v, encoded, to the guest buffer at
// arguments i and i+1, through the call's scratch space.
func valueResult(c call, i int, prefix []byte, v shdict.Value, flags uint32) (int32, error) {
	b := appendValue(append(c.in.state.scratch[:0], prefix...), v, flags)
	c.in.state.scratch = b
	return result(c, i, b)
}

// shdictOpen is shdict_open(s): the index of dict s in the request's
// dicts.
func shdictOpen(c call) (int32, error) {
	name, err := c.view(0)
	if err != nil {
		return 0, err
	}
	for i, d := range c.r.Dicts {
		if d.Name() == name {
			return int32(i), nil
		}
	}
	return 0, notFound("no shared dict %q", name)
}

// shdictGet is shdict_get(h, k, buf) and, with stale, shdict_get_stale.
func shdictGet(c call, stale bool) (int32, error) {
	d, key, err := dictKey(c)
	if err != nil {
		return 0, err
	}
	var v shdict.Value
	var flags uint32
	var expired bool
	if stale {
		v, flags, expired, err = d.GetStale(key)
	} else {
		v, flags, err = d.Get(key)
	}
	switch {
	case err != nil:
		return 0, dictErr(err)
	case v.Kind() == shdict.KindNil:
		return 0, errNoValue
	case stale:
		return valueResult(c, 3, []byte{byte(boolean(expired))}, v, flags)
	}
	return valueResult(c, 3, nil, v, flags)
}

// dictKeyValue reads the dict and key (arguments 0 to 2) and the encoded
// value (arguments 3 and 4) of c.
func dictKeyValue(c call) (d *shdict.Dict, key string, v shdict.Value, flags uint32, err error) {
	if d, key, err = dictKey(c); err != nil {
		return nil, "", v, 0, err
	}
	b, err := c.bytes(3)
	if err != nil {
		return nil, "", v, 0, err
	}
	v, flags, err = decodeValue(b)
	return d, key, v, flags, err
}

// storeFunc is one of the dict's set-like methods.
type storeFunc func(d *shdict.Dict, key string, v shdict.Value, ttl time.Duration, flags uint32) (bool, error)

// shdictStore is shdict_set(h, k, v, ttl) and its kin: forcible as 1 or
// 0.
func shdictStore(store storeFunc) impl {
	return status(func(c call) (int32, error) {
		d, key, v, flags, err := dictKeyValue(c)
		if err != nil {
			return 0, err
		}
		ttl, err := ttlArg(c.f64(5), "exptime")
		if err != nil {
			return 0, err
		}
		forcible, err := store(d, key, v, ttl, flags)
		return boolean(forcible), dictErr(err)
	})
}

// shdictDelete is shdict_delete(h, k).
func shdictDelete(c call) (int32, error) {
	d, key, err := dictKey(c)
	if err != nil {
		return 0, err
	}
	return 0, dictErr(d.Delete(key))
}

// shdictIncr is shdict_incr(h, k, delta, has_init, init, init_ttl, out):
// the sum at out, forcible as 1 or 0.
func shdictIncr(c call) (int32, error) {
	d, key, err := dictKey(c)
	if err != nil {
		return 0, err
	}
	out, err := c.outNumber(7)
	if err != nil {
		return 0, err
	}
	delta, hasInit, init := c.f64(3), c.i32(4) != 0, c.f64(5)
	ttl, err := ttlArg(c.f64(6), "init_ttl")
	switch {
	case err != nil:
		return 0, err
	case !hasInit && c.f64(6) != 0:
		return 0, badArgument(`must provide "init" when providing "init_ttl"`)
	}
	var n float64
	var forcible bool
	if hasInit {
		n, forcible, err = d.IncrInit(key, delta, init, ttl)
	} else {
		n, err = d.Incr(key, delta)
	}
	if err != nil {
		return 0, dictErr(err)
	}
	c.mem.WriteFloat64Le(out, n)
	return boolean(forcible), nil
}

// pushFunc is LPush or RPush.
type pushFunc func(d *shdict.Dict, key string, v shdict.Value) (int, error)

// shdictPush is shdict_lpush and shdict_rpush(h, k, v): the list's
// length.
func shdictPush(push pushFunc) impl {
	return status(func(c call) (int32, error) {
		d, key, v, _, err := dictKeyValue(c)
		if err != nil {
			return 0, err
		}
		n, err := push(d, key, v)
		return int32(min(n, math.MaxInt32)), dictErr(err)
	})
}

// shdictPop is shdict_lpop and shdict_rpop(h, k, buf): front pops the
// head. A value the guest's buffer cannot hold stays in the list (the
// check and the pop are atomic, shdict.Dict.PopWhen) and the call returns
// its length, as every buffer result does.
func shdictPop(front bool) impl {
	return status(func(c call) (int32, error) {
		d, key, err := dictKey(c)
		if err != nil {
			return 0, err
		}
		if _, err := c.buffer(3, 0); err != nil {
			return 0, err
		}
		var enc, dst []byte
		v, popped, err := d.PopWhen(key, front, func(v shdict.Value) bool {
			enc = appendValue(c.in.state.scratch[:0], v, 0)
			dst, _ = c.buffer(3, len(enc))
			return dst != nil
		})
		c.in.state.scratch = enc
		switch {
		case err != nil:
			return 0, dictErr(err)
		case v.Kind() == shdict.KindNil:
			return 0, errNoValue
		case !popped:
			return int32(len(enc)), nil
		}
		return int32(copy(dst, enc)), nil
	})
}

// shdictLLen is shdict_llen(h, k).
func shdictLLen(c call) (int32, error) {
	d, key, err := dictKey(c)
	if err != nil {
		return 0, err
	}
	n, err := d.LLen(key)
	return int32(min(n, math.MaxInt32)), dictErr(err)
}

// shdictTTL is shdict_ttl(h, k, out): the seconds left at out.
func shdictTTL(c call) (int32, error) {
	d, key, err := dictKey(c)
	if err != nil {
		return 0, err
	}
	out, err := c.outNumber(3)
	if err != nil {
		return 0, err
	}
	ttl, err := d.TTL(key)
	if err != nil {
		return 0, dictErr(err)
	}
	c.mem.WriteFloat64Le(out, float64(ttl.Milliseconds())/1000)
	return 0, nil
}

// shdictExpire is shdict_expire(h, k, ttl).
func shdictExpire(c call) (int32, error) {
	d, key, err := dictKey(c)
	if err != nil {
		return 0, err
	}
	ttl, err := ttlArg(c.f64(3), "exptime")
	if err != nil {
		return 0, err
	}
	return 0, dictErr(d.Expire(key, ttl))
}

// shdictFlushAll is shdict_flush_all(h).
func shdictFlushAll(c call) (int32, error) {
	d, err := c.dict(0)
	if err != nil {
		return 0, err
	}
	d.FlushAll()
	return 0, nil
}

// shdictFlushExpired is shdict_flush_expired(h, max): how many it removed.
func shdictFlushExpired(c call) (int32, error) {
	d, err := c.dict(0)
	if err != nil {
		return 0, err
	}
	return int32(min(d.FlushExpired(int(c.i32(1))), math.MaxInt32)), nil
}

// shdictGetKeys is shdict_get_keys(h, max, buf): a list of keys without
// values.
func shdictGetKeys(c call) (int32, error) {
	d, err := c.dict(0)
	if err != nil {
		return 0, err
	}
	keys := d.Keys(int(c.i32(1)))
	l := newList(c.in.state.scratch, len(keys))
	for _, k := range keys {
		l.addArg(host.Arg{Key: k})
	}
	c.in.state.scratch = l.b
	return result(c, 2, l.b)
}

// shdictSize is shdict_capacity(h) with size Capacity, and
// shdict_free_space(h) with FreeSpace.
func shdictSize(size func(*shdict.Dict) int64) impl {
	return impl{f64: func(c call) (float64, error) {
		d, err := c.dict(0)
		if err != nil {
			return 0, err
		}
		return float64(size(d)), nil
	}}
}
