// Package shdict implements shared dictionaries, OpenResty's
// lua_shared_dict: named maps from string keys to strings, numbers,
// booleans or lists, each value with a user flags integer and an optional
// TTL, under a fixed memory budget, shared by every request, timer and VM.
// Every operation is atomic. The methods mirror ngx.shared.DICT's and
// return its error texts; argument checking and return-value shapes are
// the bindings' job. The package knows nothing of Lua or Wasm and imports
// nothing from moongate.
//
// # Memory accounting
//
// A dict accounts each entry as EntryOverhead + len(key) + the value's
// bytes (a string's length, 8 for a number, 1 for a boolean); a list entry
// as EntryOverhead + len(key) + ListItemOverhead + the value's bytes per
// item. The accounted total never exceeds the capacity, and Capacity and
// FreeSpace report that budget and what is left of it. The overheads are
// what the Go heap really spends per entry (record, map slot, allocation
// rounding), so the heap a dict holds stays close to its accounted bytes.
// OpenResty's free_space counts whole free 4 KiB slab pages instead; ours
// is exact.
//
// # Eviction
//
// When a write does not fit, expired entries at the tail of the LRU list
// are removed first; then set, add, replace and incr with init evict live
// entries, least recently used first, and report forcible = true. safe_set,
// safe_add and the list pushes never evict a live entry: they fail with
// "no memory". A write that fails leaves the dict as it was, apart from
// what it evicted. An entry larger than the whole capacity fails at once.
//
// Entries are striped over lock shards by a seeded hash of the key (one
// shard per 16 KiB of capacity, a power of two, at most 64), each with its
// own mutex and LRU list, so that parallel requests rarely wait for one
// another. The budget, though, is global and exact: a write first evicts
// from its own shard's LRU list, and only if that shard has nothing left
// to give, from the other shards'. Eviction is therefore LRU per shard —
// approximately LRU over the dict, as in any striped cache — and exactly
// LRU in dicts under 32 KiB, which have one shard.
//
// # Time
//
// TTLs have millisecond precision; one under a millisecond means none, as
// in OpenResty. An expired entry is invisible to Get (and to every
// operation but GetStale, TTL and Expire) but stays, returned by GetStale,
// until FlushExpired removes it or a write needs its room. FlushAll marks
// every entry expired without freeing it, as OpenResty documents.
//
// # Reload
//
// A dict lives as long as the configs that declare it with the same size:
// Carry hands each new config the dicts of the old one whose name and size
// are unchanged, with their entries, and new empty ones otherwise. A
// changed size starts the dict empty; the gateway logs it.
package shdict
