package shdict

import (
	"strconv"
	"sync/atomic"
	"testing"
)

// benchKeys are the keys the benchmarks cycle through, preloaded so that
// Get hits and Set replaces.
var benchKeys = func() []string {
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	return keys
}()

func benchDict(b *testing.B, v Value, shards int) *Dict {
	d := New("bench", 10<<20, Options{Shards: shards})
	for _, k := range benchKeys {
		if _, err := d.Set(k, v, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// benchOps are the operations measured, each on keys holding preload.
var benchOps = []struct {
	name    string
	preload Value
	op      func(d *Dict, key string)
}{
	{"get", String("a value of 24 bytes....."), func(d *Dict, key string) { d.Get(key) }},
	{"set", String("a value of 24 bytes....."), func(d *Dict, key string) { d.Set(key, String("another value, 24 bytes"), 0, 0) }},
	{"set_number", Number(1), func(d *Dict, key string) { d.Set(key, Number(42), 0, 0) }},
	{"incr", Number(1), func(d *Dict, key string) { d.IncrInit(key, 1, 0, 0) }},
}

// BenchmarkSerial runs each operation from one goroutine.
func BenchmarkSerial(b *testing.B) {
	for _, bo := range benchOps {
		b.Run(bo.name, func(b *testing.B) {
			d := benchDict(b, bo.preload, 0)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				bo.op(d, benchKeys[i&1023])
				i++
			}
		})
	}
}

// BenchmarkParallel runs each operation from GOMAXPROCS goroutines (more
// with -cpu), each walking the keys from its own starting point, on the
// default 64 lock stripes of a 10 MiB dict and, for comparison, on one.
func BenchmarkParallel(b *testing.B) {
	for _, bo := range benchOps {
		for _, stripes := range []struct {
			name   string
			shards int
		}{{"striped", 0}, {"one_lock", 1}} {
			b.Run(bo.name+"/"+stripes.name, func(b *testing.B) {
				d := benchDict(b, bo.preload, stripes.shards)
				var seed atomic.Int64
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					i := int(seed.Add(397))
					for pb.Next() {
						bo.op(d, benchKeys[i&1023])
						i++
					}
				})
			})
		}
	}
}

// BenchmarkParallelPrivate runs each operation as BenchmarkParallel does,
// but each goroutine on a dict of its own: nothing is shared, so it shows
// how far the machine itself scales, the bound for BenchmarkParallel.
func BenchmarkParallelPrivate(b *testing.B) {
	for _, bo := range benchOps {
		b.Run(bo.name, func(b *testing.B) {
			var seed atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				d := benchDict(b, bo.preload, 0)
				i := int(seed.Add(397))
				for pb.Next() {
					bo.op(d, benchKeys[i&1023])
					i++
				}
			})
		})
	}
}
