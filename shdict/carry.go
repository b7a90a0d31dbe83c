package shdict

import "slices"

// Carry returns the dicts a new config declares, sizes mapping each name
// to its capacity in bytes: a dict of prev with the same name and
// capacity is carried over with its entries; any other is new and empty,
// created with opts. resized names the dicts of prev whose capacity
// changed, sorted: they start empty, since entries cannot be carried into a
// different budget without choosing which to drop. nginx, too, recreates
// a shared memory zone whose size changed on reload.
func Carry[S ~int64](prev map[string]*Dict, sizes map[string]S, opts Options) (dicts map[string]*Dict, resized []string) {
	dicts = make(map[string]*Dict, len(sizes))
	for name, size := range sizes {
		old := prev[name]
		switch {
		case old != nil && old.capacity == int64(size):
			dicts[name] = old
			continue
		case old != nil:
			resized = append(resized, name)
		}
		dicts[name] = New(name, int64(size), opts)
	}
	slices.Sort(resized)
	return dicts, resized
}
