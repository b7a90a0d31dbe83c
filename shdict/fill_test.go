package shdict

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestFillStaysWithinBudget writes ten times a dict's capacity through
// each kind of write and checks that the accounted bytes never exceed the
// capacity and that the Go heap the dict holds stays close to them: the
// per-entry overheads are honest.
func TestFillStaysWithinBudget(t *testing.T) {
	const capacity = 1 << 20
	tests := []struct {
		name  string
		write func(d *Dict, i int) (int, error) // returns the bytes written
	}{
		{"small strings", func(d *Dict, i int) (int, error) {
			k, v := "k"+strconv.Itoa(i), strings.Repeat("v", i%32)
			_, err := d.Set(k, String(v), 0, 0)
			return EntryOverhead + len(k) + len(v), err
		}},
		{"numbers by incr", func(d *Dict, i int) (int, error) {
			k := "counter:" + strconv.Itoa(i)
			_, _, err := d.IncrInit(k, 1, 0, 0)
			return EntryOverhead + len(k) + 8, err
		}},
		{"large strings", func(d *Dict, i int) (int, error) {
			k, v := "page:"+strconv.Itoa(i), strings.Repeat("p", 1000+i%5000)
			_, err := d.Set(k, String(v), 0, 0)
			return EntryOverhead + len(k) + len(v), err
		}},
		{"list items", func(d *Dict, i int) (int, error) {
			v := strconv.Itoa(i)
			if _, err := d.RPush("q"+strconv.Itoa(i%1000), String(v)); err == ErrNoMemory {
				_, err = d.LPop("q" + strconv.Itoa((i+500)%1000))
				return 0, err
			} else if err != nil {
				return 0, err
			}
			return ListItemOverhead + len(v), nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := heapInUse()
			d := New("fill", capacity, Options{})
			written := int64(0)
			for i := 0; written < 10*capacity; i++ {
				n, err := tc.write(d, i)
				if err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				written += int64(n)
				if used := d.used.Load(); used > capacity {
					t.Fatalf("write %d: %d bytes accounted, capacity %d", i, used, capacity)
				}
			}
			checkInvariants(t, d)
			heap := heapInUse() - before
			used := d.Capacity() - d.FreeSpace()
			t.Logf("accounted %d, heap %d (%.2f)", used, heap, float64(heap)/float64(used))
			if heap > capacity*6/5 {
				t.Errorf("the dict holds %d bytes of heap, over its %d budget", heap, capacity)
			}
			runtime.KeepAlive(d)
		})
	}
}

// heapInUse returns the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
