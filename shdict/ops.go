package shdict

import "time"

// Get returns key's value and user flags (ngx.shared.DICT:get). A missing
// or expired key gives the nil Value; a list gives ErrIsList.
func (d *Dict) Get(key string) (v Value, flags uint32, err error) {
	v, flags, _, err = d.get(key, false)
	return v, flags, err
}

// GetStale is Get that also returns an expired value not yet removed,
// with stale set (ngx.shared.DICT:get_stale).
func (d *Dict) GetStale(key string) (v Value, flags uint32, stale bool, err error) {
	return d.get(key, true)
}

func (d *Dict) get(key string, withStale bool) (v Value, flags uint32, stale bool, err error) {
	if err := CheckKey(key); err != nil {
		return Value{}, 0, false, err
	}
	s := d.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	if e == nil {
		return Value{}, 0, false, nil
	}
	stale = d.expired(e)
	if stale && !withStale {
		return Value{}, 0, false, nil
	}
	s.touch(e)
	if e.kind == KindList {
		return Value{}, 0, false, ErrIsList
	}
	return e.value(), e.flags, stale, nil
}

// storeMode is what a store requires of the key's current entry.
type storeMode uint8

const (
	storeAny     storeMode = iota // set
	storeAbsent                   // add: no live entry
	storePresent                  // replace: a live entry
)

// Set stores v under key with a TTL (0: none) and user flags, evicting
// least recently used entries when the dict is full; forcible reports
// that it evicted live ones (ngx.shared.DICT:set). A nil v deletes key.
func (d *Dict) Set(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(key, v, ttl, flags, storeAny, true)
}

// SafeSet is Set that never evicts a live entry: ErrNoMemory instead
// (ngx.shared.DICT:safe_set).
func (d *Dict) SafeSet(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(key, v, ttl, flags, storeAny, false)
}

// Add is Set when key has no live entry, ErrExists otherwise
// (ngx.shared.DICT:add).
func (d *Dict) Add(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(key, v, ttl, flags, storeAbsent, true)
}

// SafeAdd is Add that never evicts a live entry (ngx.shared.DICT:safe_add).
func (d *Dict) SafeAdd(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(key, v, ttl, flags, storeAbsent, false)
}

// Replace is Set when key has a live entry, ErrNotFound otherwise
// (ngx.shared.DICT:replace).
func (d *Dict) Replace(key string, v Value, ttl time.Duration, flags uint32) (forcible bool, err error) {
	return d.store(key, v, ttl, flags, storePresent, true)
}

// Delete removes key (ngx.shared.DICT:delete); only a bad key is an error.
func (d *Dict) Delete(key string) error {
	_, err := d.store(key, Value{}, 0, 0, storeAny, true)
	return err
}

func (d *Dict) store(key string, v Value, ttl time.Duration, flags uint32, mode storeMode, evict bool) (forcible bool, err error) {
	if err := CheckKey(key); err != nil {
		return false, err
	}
	switch {
	case v.kind == KindList:
		return false, ErrBadValue
	case v.kind == KindNil && mode != storeAny:
		return false, ErrNilValue
	}
	s := d.shardOf(key)
	return d.write(s, func() (bool, int64, error) {
		e := s.m[key]
		live := e != nil && !d.expired(e)
		switch {
		case mode == storeAbsent && live:
			return false, 0, ErrExists
		case mode == storePresent && !live:
			return false, 0, ErrNotFound
		case v.kind == KindNil:
			if e != nil {
				s.remove(d, e)
			}
			return false, 0, nil
		}
		return d.put(s, e, key, v, ttl, flags, evict)
	})
}

// Incr adds delta to key's number and returns the sum
// (ngx.shared.DICT:incr without init): ErrNotFound for a missing or
// expired key, ErrNotANumber for another value. The TTL and flags stay.
func (d *Dict) Incr(key string, delta float64) (float64, error) {
	n, _, err := d.incr(key, delta, nil, 0)
	return n, err
}

// IncrInit is Incr that stores init+delta, with TTL initTTL (0: none) and
// no flags, when key is missing or expired, evicting as Set does
// (ngx.shared.DICT:incr with init and init_ttl).
func (d *Dict) IncrInit(key string, delta, init float64, initTTL time.Duration) (n float64, forcible bool, err error) {
	return d.incr(key, delta, &init, initTTL)
}

func (d *Dict) incr(key string, delta float64, init *float64, initTTL time.Duration) (n float64, forcible bool, err error) {
	if err := CheckKey(key); err != nil {
		return 0, false, err
	}
	s := d.shardOf(key)
	forcible, err = d.write(s, func() (bool, int64, error) {
		e := s.m[key]
		if e != nil && !d.expired(e) {
			if e.kind != KindNumber {
				return false, 0, ErrNotANumber
			}
			e.num += delta
			n = e.num
			s.touch(e)
			return false, 0, nil
		}
		if init == nil {
			return false, 0, ErrNotFound
		}
		n = *init + delta
		return d.put(s, e, key, Number(n), initTTL, 0, true)
	})
	if err != nil {
		return 0, forcible, err
	}
	return n, forcible, nil
}

// TTL returns key's remaining time to live, 0 when it has none
// (ngx.shared.DICT:ttl), negative when it has expired but is not yet
// removed; ErrNotFound when key is missing. It does not count as a use.
func (d *Dict) TTL(key string) (time.Duration, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	s := d.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	switch {
	case e == nil:
		return 0, ErrNotFound
	case e.expires == 0:
		return 0, nil
	}
	return time.Duration(e.expires-d.nowMs()) * time.Millisecond, nil
}

// Expire sets key's TTL from now, or clears it when ttl is under a
// millisecond (ngx.shared.DICT:expire); ErrNotFound when key is missing.
// An expired entry not yet removed comes back to life, as in OpenResty.
// It does not count as a use.
func (d *Dict) Expire(key string, ttl time.Duration) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	s := d.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	if e == nil {
		return ErrNotFound
	}
	e.expires = d.expiry(ttl)
	return nil
}
