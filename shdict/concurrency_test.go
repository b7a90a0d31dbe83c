package shdict

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// parallel runs f(g) in n goroutines released together, and waits.
func parallel(n int, f func(g int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(g)
		}()
	}
	close(start)
	wg.Wait()
}

func TestConcurrentIncr(t *testing.T) {
	const goroutines, each = 8, 2000
	tests := []struct {
		name string
		keys int
	}{
		{"one key", 1},
		{"many keys", 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New("counters", 1<<20, Options{})
			parallel(goroutines, func(g int) {
				for i := range each {
					k := fmt.Sprintf("c%d", (g+i)%tc.keys)
					if _, _, err := d.IncrInit(k, 1, 0, 0); err != nil {
						t.Error(err)
						return
					}
				}
			})
			total := 0.0
			for i := range tc.keys {
				v, _, _ := d.Get(fmt.Sprintf("c%d", i))
				total += v.Num()
			}
			if total != goroutines*each {
				t.Errorf("total %v, want %d", total, goroutines*each)
			}
		})
	}
}

func TestConcurrentAddHasOneWinner(t *testing.T) {
	const goroutines, rounds = 8, 200
	tests := []struct {
		name string
		add  func(d *Dict, key string) (bool, error)
	}{
		{"add", func(d *Dict, key string) (bool, error) { return d.Add(key, Number(1), 0, 0) }},
		{"safe_add", func(d *Dict, key string) (bool, error) { return d.SafeAdd(key, Number(1), 0, 0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New("locks", 100<<10, Options{})
			for r := range rounds {
				key := fmt.Sprintf("lock%d", r)
				var wins atomic.Int32
				parallel(goroutines, func(int) {
					_, err := tc.add(d, key)
					switch err {
					case nil:
						wins.Add(1)
					case ErrExists:
					default:
						t.Error(err)
					}
				})
				if n := wins.Load(); n != 1 {
					t.Fatalf("round %d: %d winners", r, n)
				}
			}
		})
	}
}

// TestConcurrentMixed runs every kind of operation from many goroutines
// on a dict small enough to evict across shards all the time, then checks
// its internal consistency.
func TestConcurrentMixed(t *testing.T) {
	const goroutines, each = 8, 3000
	d := New("mixed", 64<<10, Options{Shards: 8})
	parallel(goroutines, func(g int) {
		rng := rand.New(rand.NewPCG(uint64(g), 7))
		for range each {
			k := fmt.Sprintf("k%d", rng.IntN(200))
			v := String(strings.Repeat("x", rng.IntN(2000)))
			var err error
			switch rng.IntN(10) {
			case 0:
				_, _, err = d.Get(k)
			case 1:
				_, err = d.Set(k, v, 0, 0)
			case 2:
				_, err = d.SafeSet(k, v, 0, 0)
			case 3:
				_, err = d.Add(k, v, 0, 0)
			case 4:
				_, _, err = d.IncrInit(k, 1, 0, 0)
			case 5:
				_, err = d.RPush(k, v)
			case 6:
				_, err = d.LPop(k)
			case 7:
				err = d.Delete(k)
			case 8:
				d.Keys(10)
				d.FlushExpired(5)
			case 9:
				_, err = d.Set(k, String(strings.Repeat("b", 20000)), 0, 0)
			}
			switch err {
			case nil, ErrExists, ErrNotANumber, ErrNotAList, ErrIsList, ErrNoMemory:
			default:
				t.Error(err)
				return
			}
		}
	})
	checkInvariants(t, d)
}
