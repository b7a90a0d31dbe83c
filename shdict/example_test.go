package shdict_test

import (
	"fmt"
	"time"

	"github.com/moongate/moongate/shdict"
)

func Example() {
	d := shdict.New("cache", 1<<20, shdict.Options{})

	d.Set("greeting", shdict.String("hello"), time.Minute, 7)
	v, flags, _ := d.Get("greeting")
	fmt.Println(v.Str(), flags)

	if _, err := d.Add("greeting", shdict.String("again"), 0, 0); err != nil {
		fmt.Println("add:", err)
	}

	n, _, _ := d.IncrInit("hits", 1, 0, 0)
	n, _ = d.Incr("hits", 1)
	fmt.Println("hits:", n)

	d.RPush("queue", shdict.String("job1"))
	d.RPush("queue", shdict.Number(2))
	job, _ := d.LPop("queue")
	fmt.Println("job:", job.Str())
	// Output:
	// hello 7
	// add: exists
	// hits: 2
	// job: job1
}

// ExampleCarry shows a reload: the dict whose size is unchanged keeps its
// entries, the resized one starts empty.
func ExampleCarry() {
	old, _ := shdict.Carry(nil, map[string]int64{"cache": 1 << 20, "locks": 100 << 10}, shdict.Options{})
	old["cache"].Set("k", shdict.String("kept"), 0, 0)
	old["locks"].Set("k", shdict.String("lost"), 0, 0)

	dicts, resized := shdict.Carry(old, map[string]int64{"cache": 1 << 20, "locks": 200 << 10}, shdict.Options{})
	cache, _, _ := dicts["cache"].Get("k")
	locks, _, _ := dicts["locks"].Get("k")
	fmt.Printf("%q %q %v\n", cache.Str(), locks.Str(), resized)
	// Output:
	// "kept" "" [locks]
}
