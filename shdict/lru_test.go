package shdict

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// lruModel is the reference: a plain LRU list of keys with sizes,
// least recently used first, evicting from the front.
type lruModel struct {
	keys     []string
	sizes    map[string]int64
	used     int64
	capacity int64
}

func (m *lruModel) touch(k string) {
	i := slices.Index(m.keys, k)
	m.keys = append(slices.Delete(m.keys, i, i+1), k)
}

func (m *lruModel) set(k string, size int64) (forcible bool) {
	old, ok := m.sizes[k]
	if ok {
		m.touch(k)
	}
	for m.used-old+size > m.capacity {
		victim := m.keys[0]
		if victim == k {
			victim = m.keys[1]
		}
		m.used -= m.sizes[victim]
		delete(m.sizes, victim)
		m.keys = slices.DeleteFunc(m.keys, func(s string) bool { return s == victim })
		forcible = true
	}
	if !ok {
		m.keys = append(m.keys, k)
	}
	m.sizes[k] = size
	m.used += size - old
	return forcible
}

// TestLRUOrder drives a one-shard dict and the reference model with the
// same random gets and sets of random sizes, and compares the LRU order
// (Keys lists least recently used first), forcible and the accounted bytes
// after every operation.
func TestLRUOrder(t *testing.T) {
	tests := []struct {
		name     string
		keys     int
		maxValue int
		ops      int
	}{
		{"equal sizes", 100, 0, 3000},
		{"random sizes", 60, 400, 3000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const capacity = 16 << 10
			d := New("lru", capacity, Options{})
			if len(d.shards) != 1 {
				t.Fatalf("%d shards, want 1", len(d.shards))
			}
			m := &lruModel{sizes: map[string]int64{}, capacity: capacity}
			rng := rand.New(rand.NewPCG(1, 2))
			evictions := 0
			for i := range tc.ops {
				k := fmt.Sprintf("key%02d", rng.IntN(tc.keys))
				if rng.IntN(3) == 0 {
					v, _, _ := d.Get(k)
					_, ok := m.sizes[k]
					if ok != (v.Kind() != KindNil) {
						t.Fatalf("op %d: get %s found=%v, model %v", i, k, v.Kind() != KindNil, ok)
					}
					if ok {
						m.touch(k)
					}
				} else {
					v := strings.Repeat("v", 100+rng.IntN(tc.maxValue+1))
					forcible, err := d.Set(k, String(v), 0, 0)
					if err != nil {
						t.Fatalf("op %d: set %s: %v", i, k, err)
					}
					if want := m.set(k, EntryOverhead+int64(len(k)+len(v))); forcible != want {
						t.Fatalf("op %d: set %s forcible=%v, model %v", i, k, forcible, want)
					}
					if forcible {
						evictions++
					}
				}
				if got := d.Keys(0); !slices.Equal(got, m.keys) {
					t.Fatalf("op %d: order\ngot  %v\nwant %v", i, got, m.keys)
				}
				if used := d.Capacity() - d.FreeSpace(); used != m.used {
					t.Fatalf("op %d: used %d, model %d", i, used, m.used)
				}
			}
			if evictions < tc.ops/10 {
				t.Fatalf("only %d evicting sets: the test does not exercise eviction", evictions)
			}
		})
	}
}

// TestEvictAcrossShards checks that the budget is one for the whole dict:
// a write whose own shard has nothing to evict takes the room from the
// least recently used entries of the others.
func TestEvictAcrossShards(t *testing.T) {
	const capacity = 64 << 10
	d := New("striped", capacity, Options{Shards: 8})
	tests := []struct {
		name  string
		value int // bytes of each filler value
	}{
		{"small entries", 100},
		{"large entries", 8 << 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d.FlushAll()
			d.FlushExpired(0)
			v := String(strings.Repeat("f", tc.value))
			n := 0
			for ; d.FreeSpace() >= EntryOverhead+16+int64(tc.value); n++ {
				if forcible, err := d.Set(fmt.Sprintf("filler%d", n), v, 0, 0); forcible || err != nil {
					t.Fatalf("filling: forcible=%v err=%v", forcible, err)
				}
			}
			// A value needing half the dict must evict from every shard.
			big := String(strings.Repeat("b", capacity/2))
			forcible, err := d.Set("big", big, 0, 0)
			if !forcible || err != nil {
				t.Fatalf("big: forcible=%v err=%v, want true nil", forcible, err)
			}
			if got, _, _ := d.Get("big"); got.Str() != big.Str() {
				t.Fatal("big value lost")
			}
			if used := d.Capacity() - d.FreeSpace(); used > capacity {
				t.Fatalf("used %d > capacity %d", used, capacity)
			}
			checkInvariants(t, d)
			// Each shard lost its oldest fillers: its survivors are its newest.
			gone := map[*shard]bool{}
			for i := n - 1; i >= 0; i-- {
				k := fmt.Sprintf("filler%d", i)
				s := d.shardOf(k)
				got, _, _, _ := d.GetStale(k)
				if alive := got.Kind() != KindNil; alive && gone[s] {
					t.Fatalf("%s survived a newer filler of its shard", k)
				} else if !alive {
					gone[s] = true
				}
			}
		})
	}
}

// checkInvariants verifies a dict's internal state: each shard's map and
// LRU list hold the same entries, in the right shard, and the accounted
// total is the sum of the entries' sizes, within the capacity.
func checkInvariants(t *testing.T, d *Dict) {
	t.Helper()
	var sum int64
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.Lock()
		n := 0
		for e := s.lru.next; e != &s.lru; e = e.next {
			if e.next.prev != e {
				t.Fatalf("shard %d: broken links at %q", i, e.key)
			}
			if s.m[e.key] != e || d.shardOf(e.key) != s {
				t.Fatalf("shard %d: list entry %q not in its map", i, e.key)
			}
			want := EntryOverhead + int64(len(e.key)) + e.value().size()
			if e.list != nil {
				for j := range e.list.n {
					want += ListItemOverhead + e.list.items[(e.list.head+j)%len(e.list.items)].size()
				}
			}
			if e.size() != want {
				t.Fatalf("shard %d: %q accounted %d, holds %d", i, e.key, e.size(), want)
			}
			sum += want
			n++
		}
		if n != len(s.m) {
			t.Fatalf("shard %d: %d listed, %d mapped", i, n, len(s.m))
		}
		s.mu.Unlock()
	}
	if used := d.used.Load(); used != sum || used > d.capacity {
		t.Fatalf("used %d, entries %d, capacity %d", used, sum, d.capacity)
	}
}
