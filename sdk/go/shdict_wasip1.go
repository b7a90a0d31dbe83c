//go:build wasip1

package moongate

import (
	"math"
	"time"
	"unsafe"
)

// encoded is the space values are encoded in for the host.
var encoded []byte

// outNumber is where the host writes the number results of incr and ttl.
var outNumber float64

// SharedDict opens the shared dict name of the gateway's config
// (ngx.shared[name]); ErrNotFound when the config declares none of that
// name.
func SharedDict(name string) (*Dict, error) {
	h := hostShdictOpen(strPtr(name), size(name))
	if h < 0 {
		return nil, fail(h)
	}
	return &Dict{name: name, handle: h}, nil
}

// Get returns key's value and user flags (ngx.shared.DICT:get);
// ErrNotFound when key is missing or expired.
func (d *Dict) Get(key string) (Value, uint32, error) {
	b, err := fetch(func(b []byte) int32 {
		return hostShdictGet(d.handle, strPtr(key), size(key), bytesPtr(b), size(b))
	})
	if err != nil {
		return Value{}, 0, err
	}
	return decodeValue(b)
}

// GetStale is Get that also returns an expired value not yet removed,
// with stale set (ngx.shared.DICT:get_stale).
func (d *Dict) GetStale(key string) (v Value, flags uint32, stale bool, err error) {
	b, err := fetch(func(b []byte) int32 {
		return hostShdictGetStale(d.handle, strPtr(key), size(key), bytesPtr(b), size(b))
	})
	if err != nil {
		return Value{}, 0, false, err
	}
	if len(b) == 0 {
		return Value{}, 0, false, errMalformedValue
	}
	v, flags, err = decodeValue(b[1:])
	return v, flags, b[0] == 1, err
}

// storeFunc is one of the set-like host functions.
type storeFunc func(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32, ttl float64) int32

// store runs a set-like host function.
func (d *Dict) store(f storeFunc, key string, v Value, ttl time.Duration, flags uint32) (bool, error) {
	encoded = appendValue(encoded[:0], v, flags)
	return boolResult(f(d.handle, strPtr(key), size(key), bytesPtr(encoded), size(encoded), ttl.Seconds()))
}

// Set stores v with user flags under key, expiring after ttl (0: never,
// counted to the millisecond); a nil v deletes key. When the dict is full
// it evicts least recently used entries, and forcible reports that it
// evicted live ones (ngx.shared.DICT:set).
func (d *Dict) Set(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(hostShdictSet, key, v, ttl, flags)
}

// SafeSet is Set that never evicts a live entry: "no memory" instead
// (ngx.shared.DICT:safe_set).
func (d *Dict) SafeSet(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(hostShdictSafeSet, key, v, ttl, flags)
}

// Add is Set when key has no live value, "exists" otherwise
// (ngx.shared.DICT:add).
func (d *Dict) Add(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(hostShdictAdd, key, v, ttl, flags)
}

// SafeAdd is Add that never evicts a live entry (ngx.shared.DICT:safe_add).
func (d *Dict) SafeAdd(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(hostShdictSafeAdd, key, v, ttl, flags)
}

// Replace is Set when key has a live value, ErrNotFound otherwise
// (ngx.shared.DICT:replace).
func (d *Dict) Replace(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(hostShdictReplace, key, v, ttl, flags)
}

// Delete removes key (ngx.shared.DICT:delete).
func (d *Dict) Delete(key string) error {
	return check(hostShdictDelete(d.handle, strPtr(key), size(key)))
}

// Incr adds delta to key's number and returns the sum
// (ngx.shared.DICT:incr without init): ErrNotFound when key is missing or
// expired, "not a number" for another value.
func (d *Dict) Incr(key string, delta float64) (float64, error) {
	n := hostShdictIncr(d.handle, strPtr(key), size(key), delta, 0, 0, 0, unsafe.Pointer(&outNumber))
	if n < 0 {
		return 0, fail(n)
	}
	return outNumber, nil
}

// IncrInit is Incr that stores init+delta, expiring after initTTL (0:
// never), when key is missing or expired, evicting as Set does
// (ngx.shared.DICT:incr with init and init_ttl).
func (d *Dict) IncrInit(key string, delta, init float64, initTTL time.Duration) (n float64, forcible bool, err error) {
	forcible, err = boolResult(hostShdictIncr(d.handle, strPtr(key), size(key), delta, 1, init, initTTL.Seconds(),
		unsafe.Pointer(&outNumber)))
	if err != nil {
		return 0, false, err
	}
	return outNumber, forcible, nil
}

// push runs shdict_lpush or shdict_rpush.
func (d *Dict) push(f func(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32) int32,
	key string, v Value) (int, error) {
	encoded = appendValue(encoded[:0], v, 0)
	return intResult(f(d.handle, strPtr(key), size(key), bytesPtr(encoded), size(encoded)))
}

// LPush inserts v, a string or a number, at the head of key's list,
// creating it, and returns the list's length (ngx.shared.DICT:lpush). It
// never evicts a live entry ("no memory"); "value not a list" when key
// holds another value.
func (d *Dict) LPush(key string, v Value) (int, error) { return d.push(hostShdictLPush, key, v) }

// RPush is LPush at the tail (ngx.shared.DICT:rpush).
func (d *Dict) RPush(key string, v Value) (int, error) { return d.push(hostShdictRPush, key, v) }

// pop runs shdict_lpop or shdict_rpop.
func (d *Dict) pop(f func(h int32, key unsafe.Pointer, keyLen uint32, buf unsafe.Pointer, bufCap uint32) int32,
	key string) (Value, error) {
	b, err := fetch(func(b []byte) int32 { return f(d.handle, strPtr(key), size(key), bytesPtr(b), size(b)) })
	if err != nil {
		return Value{}, err
	}
	v, _, err := decodeValue(b)
	return v, err
}

// LPop removes and returns the head of key's list; ErrNotFound when key
// is missing (ngx.shared.DICT:lpop).
func (d *Dict) LPop(key string) (Value, error) { return d.pop(hostShdictLPop, key) }

// RPop is LPop at the tail (ngx.shared.DICT:rpop).
func (d *Dict) RPop(key string) (Value, error) { return d.pop(hostShdictRPop, key) }

// LLen returns the length of key's list, 0 when key is missing
// (ngx.shared.DICT:llen).
func (d *Dict) LLen(key string) (int, error) {
	return intResult(hostShdictLLen(d.handle, strPtr(key), size(key)))
}

// TTL returns key's remaining time to live, to the millisecond: 0 when it
// has none, negative when it has expired but is not yet removed;
// ErrNotFound when key is missing (ngx.shared.DICT:ttl).
func (d *Dict) TTL(key string) (time.Duration, error) {
	if n := hostShdictTTL(d.handle, strPtr(key), size(key), unsafe.Pointer(&outNumber)); n < 0 {
		return 0, fail(n)
	}
	return time.Duration(math.Round(outNumber*1000)) * time.Millisecond, nil
}

// Expire makes key expire after ttl from now, or never when ttl is 0
// (ngx.shared.DICT:expire); ErrNotFound when key is missing.
func (d *Dict) Expire(key string, ttl time.Duration) error {
	return check(hostShdictExpire(d.handle, strPtr(key), size(key), ttl.Seconds()))
}

// FlushAll marks every entry expired (ngx.shared.DICT:flush_all): Get no
// longer sees them, GetStale does until they are removed.
func (d *Dict) FlushAll() error { return check(hostShdictFlushAll(d.handle)) }

// FlushExpired removes at most max expired entries, all when max is 0,
// and returns how many it removed (ngx.shared.DICT:flush_expired).
func (d *Dict) FlushExpired(max int) (int, error) {
	return intResult(hostShdictFlushExpired(d.handle, int32(max)))
}

// Keys returns at most max keys of live entries, all when max is 0
// (ngx.shared.DICT:get_keys, whose default is 1024).
func (d *Dict) Keys(max int) ([]string, error) {
	return fetchList(decodeKeys, func(b []byte) int32 {
		return hostShdictGetKeys(d.handle, int32(max), bytesPtr(b), size(b))
	})
}

// Capacity returns the dict's size in bytes (ngx.shared.DICT:capacity).
func (d *Dict) Capacity() (int64, error) { return sizeResult(hostShdictCapacity(d.handle)) }

// FreeSpace returns the bytes still free (ngx.shared.DICT:free_space).
func (d *Dict) FreeSpace() (int64, error) { return sizeResult(hostShdictFreeSpace(d.handle)) }

// sizeResult returns a byte count the host gave as a number.
func sizeResult(n float64) (int64, error) {
	if n < 0 {
		return 0, fail(int32(n))
	}
	return int64(n), nil
}
