package shdict

import (
	"hash/maphash"
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// EntryOverhead is the bytes an entry is accounted beyond its key and its
// value: what the Go heap spends on the entry record, its map slot and
// the rounding of its allocations.
const EntryOverhead = 160

// ListItemOverhead is the bytes a list item is accounted beyond its value.
const ListItemOverhead = 80

// bytesPerShard and maxShards pick the default number of lock stripes: one
// per 16 KiB of capacity, a power of two, at most 64. Dicts under 32 KiB
// have one stripe, and so an exact LRU order.
const (
	bytesPerShard = 16 << 10
	maxShards     = 64
)

// maxWriteAttempts bounds how often a write that found no room in its own
// stripe frees memory in the others and tries again.
const maxWriteAttempts = 4

// flushedAt is the expiry FlushAll gives every entry: long past, as in
// OpenResty.
const flushedAt = 1

// Options tune a Dict beyond its name and capacity.
type Options struct {
	// Now is the clock TTLs are measured on; nil means time.Now. Tests
	// pass a fake clock.
	Now func() time.Time
	// Shards is the number of lock stripes, rounded up to a power of two;
	// 0 means one per 16 KiB of capacity, at most 64.
	Shards int
}

// Dict is a shared dictionary: string keys to values, with a fixed memory
// budget, TTLs and LRU eviction. It is safe for concurrent use; every
// method is atomic.
type Dict struct {
	name     string
	capacity int64
	now      func() time.Time
	seed     maphash.Seed
	mask     uint64
	shards   []shard

	_      [64]byte // keeps the counters below off the read-only fields' cache line
	used   atomic.Int64
	victim atomic.Uint32 // where the next cross-stripe eviction starts
}

// shard is one lock stripe: the entries whose key hashes to it, in LRU
// order.
type shard struct {
	mu  sync.Mutex
	m   map[string]*entry
	lru entry // sentinel: lru.next is the most recently used entry, lru.prev the least
	_   [64]byte
}

// entry is one key and its value, linked into its stripe's LRU list. The
// value's fields are inlined rather than a Value, so that the flags and
// the kind share a word: the record is 80 bytes.
type entry struct {
	prev, next *entry
	key        string
	str        string  // a string value
	num        float64 // a number value, or a boolean's 1 or 0
	list       *list   // a list's items
	expires    int64   // unix milliseconds; 0 means never
	flags      uint32
	kind       Kind
}

func (e *entry) value() Value { return Value{str: e.str, num: e.num, kind: e.kind} }

// size returns e's accounted bytes.
func (e *entry) size() int64 {
	n := EntryOverhead + int64(len(e.key)) + e.value().size()
	if e.list != nil {
		n += e.list.bytes
	}
	return n
}

// New returns an empty dict named name that accounts at most capacity
// bytes (see EntryOverhead). A capacity of 0 or less stores nothing.
func New(name string, capacity int64, opts Options) *Dict {
	n := opts.Shards
	if n <= 0 {
		n = int(min(max(capacity/bytesPerShard, 1), maxShards))
		n = 1 << (bits.Len(uint(n)) - 1) // round down to a power of two
	} else {
		n = 1 << bits.Len(uint(n-1)) // round up to a power of two
	}
	d := &Dict{name: name, capacity: capacity, now: opts.Now, seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]shard, n)}
	if d.now == nil {
		d.now = time.Now
	}
	for i := range d.shards {
		s := &d.shards[i]
		s.m = make(map[string]*entry)
		s.lru.next, s.lru.prev = &s.lru, &s.lru
	}
	return d
}

// Name returns the dict's name.
func (d *Dict) Name() string { return d.name }

// Capacity returns the dict's budget in bytes (ngx.shared.DICT:capacity).
func (d *Dict) Capacity() int64 { return d.capacity }

// FreeSpace returns the budget's unaccounted bytes
// (ngx.shared.DICT:free_space). Expired entries count until they are
// removed.
func (d *Dict) FreeSpace() int64 { return max(d.capacity-d.used.Load(), 0) }

// shardOf returns the stripe of key.
func (d *Dict) shardOf(key string) *shard {
	if d.mask == 0 {
		return &d.shards[0]
	}
	return &d.shards[maphash.String(d.seed, key)&d.mask]
}

func (d *Dict) nowMs() int64 { return d.now().UnixMilli() }

// expiry returns the expiry time for a TTL: a TTL under a millisecond
// means none, as in OpenResty.
func (d *Dict) expiry(ttl time.Duration) int64 {
	if ms := ttl.Milliseconds(); ms > 0 {
		return d.nowMs() + ms
	}
	return 0
}

// expired reports whether e's TTL has run out.
func (d *Dict) expired(e *entry) bool { return e.expires != 0 && d.nowMs() >= e.expires }

// reserve accounts n bytes if they fit in the budget.
func (d *Dict) reserve(n int64) bool {
	for {
		u := d.used.Load()
		if u+n > d.capacity {
			return false
		}
		if d.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// grow accounts n more bytes for a write in s (n may be negative). When
// they do not fit, it removes entries from the tail of s's LRU list, never
// keep: expired ones, and live ones too when evict is set. It reports
// whether the bytes are accounted and whether it evicted a live entry.
func (d *Dict) grow(s *shard, n int64, keep *entry, evict bool) (ok, forcible bool) {
	if n <= 0 {
		if n < 0 {
			d.used.Add(n)
		}
		return true, false
	}
	now := int64(0)
	for !d.reserve(n) {
		e := s.lru.prev
		if e == keep {
			e = e.prev
		}
		if e == &s.lru {
			return false, forcible
		}
		if now == 0 {
			now = d.nowMs()
		}
		if e.expires == 0 || now < e.expires {
			if !evict {
				return false, forcible
			}
			forcible = true
		}
		s.remove(d, e)
	}
	return true, forcible
}

// write runs op under s's lock. op returns need > 0 when s alone could
// not make room for it; write then evicts least recently used entries of
// the other stripes and runs op again.
func (d *Dict) write(s *shard, op func() (forcible bool, need int64, err error)) (forcible bool, err error) {
	for attempt := 1; ; attempt++ {
		s.mu.Lock()
		f, need, err := op()
		s.mu.Unlock()
		forcible = forcible || f
		if need == 0 {
			return forcible, err
		}
		if attempt == maxWriteAttempts || !d.evictElsewhere(s, need, &forcible) {
			return forcible, ErrNoMemory
		}
	}
}

// evictElsewhere removes entries from the tails of the stripes other than
// from, one stripe at a time, until need bytes are free. It reports
// whether it removed any; *forcible is set when one was live.
func (d *Dict) evictElsewhere(from *shard, need int64, forcible *bool) bool {
	removed := false
	start := uint64(d.victim.Add(1))
	for i := range uint64(len(d.shards)) {
		if d.capacity-d.used.Load() >= need {
			break
		}
		s := &d.shards[(start+i)&d.mask]
		if s == from {
			continue
		}
		s.mu.Lock()
		now := d.nowMs()
		for d.capacity-d.used.Load() < need && s.lru.prev != &s.lru {
			e := s.lru.prev
			if e.expires == 0 || now < e.expires {
				*forcible = true
			}
			s.remove(d, e)
			removed = true
		}
		s.mu.Unlock()
	}
	return removed
}

// put stores v under key in s, replacing e, the key's entry or nil, and
// accounting the difference: a new entry goes to the head of the LRU list.
// need > 0 asks write for room elsewhere (only when evict is set).
func (d *Dict) put(s *shard, e *entry, key string, v Value, ttl time.Duration, flags uint32, evict bool) (forcible bool, need int64, err error) {
	size := EntryOverhead + int64(len(key)) + v.size()
	if size > d.capacity {
		return false, 0, ErrNoMemory
	}
	delta := size
	if e != nil {
		delta -= e.size()
	}
	ok, forcible := d.grow(s, delta, e, evict)
	if !ok {
		if !evict {
			return forcible, 0, ErrNoMemory
		}
		return forcible, delta, nil
	}
	if e == nil {
		e = s.insert(key)
	} else {
		s.touch(e)
		e.list = nil
	}
	v = v.owned()
	e.str, e.num, e.kind = v.str, v.num, v.kind
	e.flags = flags
	e.expires = d.expiry(ttl)
	return forcible, 0, nil
}

// insert adds an empty entry for key at the head of s's LRU list; the
// caller has accounted it.
func (s *shard) insert(key string) *entry {
	e := &entry{key: strings.Clone(key)}
	s.m[e.key] = e
	e.prev, e.next = &s.lru, s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
	return e
}

// touch moves e to the head of s's LRU list.
func (s *shard) touch(e *entry) {
	if s.lru.next == e {
		return
	}
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = &s.lru, s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
}

// remove deletes e from s and releases its bytes.
func (s *shard) remove(d *Dict, e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	delete(s.m, e.key)
	d.used.Add(-e.size())
}

// FlushAll marks every entry expired (ngx.shared.DICT:flush_all): Get no
// longer sees them, GetStale still does until they are removed, by
// FlushExpired or to make room.
func (d *Dict) FlushAll() {
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.Lock()
		for e := s.lru.next; e != &s.lru; e = e.next {
			e.expires = flushedAt
		}
		s.mu.Unlock()
	}
}

// FlushExpired removes up to max expired entries, all when max <= 0, and
// returns how many it removed (ngx.shared.DICT:flush_expired).
func (d *Dict) FlushExpired(max int) int {
	n := 0
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.Lock()
		now := d.nowMs()
		for e := s.lru.prev; e != &s.lru && (max <= 0 || n < max); {
			prev := e.prev
			if e.expires != 0 && now >= e.expires {
				s.remove(d, e)
				n++
			}
			e = prev
		}
		s.mu.Unlock()
	}
	return n
}

// Keys returns up to max keys of live entries, all when max <= 0
// (ngx.shared.DICT:get_keys): stripe by stripe, least recently used first.
func (d *Dict) Keys(max int) []string {
	var keys []string
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.Lock()
		now := d.nowMs()
		for e := s.lru.prev; e != &s.lru && (max <= 0 || len(keys) < max); e = e.prev {
			if e.expires == 0 || now < e.expires {
				keys = append(keys, e.key)
			}
		}
		s.mu.Unlock()
	}
	return keys
}
