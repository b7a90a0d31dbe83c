package shdict

import (
	"fmt"
	"strings"
	"testing"
)

// TestMethods runs a script per method and error path; the expected
// results are OpenResty's for the same calls (checked against nginx with
// lua-nginx-module 0.10.23 and lua-resty-core 0.1.25).
func TestMethods(t *testing.T) {
	tests := []struct {
		name   string
		script []string
	}{
		{"get missing and set types", []string{
			`get k => nil 0 nil`,
			`set s "str" => false nil`,
			`set n 1.5 => false nil`,
			`set t true => false nil`,
			`set f false => false nil`,
			`set e "" => false nil`,
			`get s => "str" 0 nil`,
			`get n => 1.5 0 nil`,
			`get t => true 0 nil`,
			`get f => false 0 nil`,
			`get e => "" 0 nil`,
		}},
		{"flags", []string{
			`set k "v" 0 7 => false nil`,
			`get k => "v" 7 nil`,
			`get_stale k => "v" 7 false nil`,
			`set k "w" => false nil`,
			`get k => "w" 0 nil`,
		}},
		{"key errors", []string{
			`get "" => nil 0 empty key`,
			`set k*65536 1 => false key too long`,
			`set k*65535 1 => false nil`,
			`get k*65535 => 1 0 nil`,
			`get_stale k*65536 => nil 0 false key too long`,
			`incr k*65536 1 => 0 key too long`,
			`lpush k*65536 1 => 0 key too long`,
			`lpop k*65536 => nil key too long`,
			`llen k*65536 => 0 key too long`,
			`ttl k*65536 => 0 key too long`,
			`expire k*65536 1 => key too long`,
			`delete k*65536 => key too long`,
		}},
		{"bad values", []string{
			`set k list => false bad value type`,
			`add k nil => false attempt to add or replace nil values`,
			`safe_add k nil => false attempt to add or replace nil values`,
			`replace k nil => false attempt to add or replace nil values`,
			`lpush k true => 0 bad value type`,
			`rpush k nil => 0 bad value type`,
		}},
		{"set nil deletes", []string{
			`set k 1 => false nil`,
			`set k nil => false nil`,
			`get k => nil 0 nil`,
			`set k nil => false nil`,
			`safe_set k nil => false nil`,
		}},
		{"add", []string{
			`add k "a" => false nil`,
			`add k "b" => false exists`,
			`safe_add k "b" => false exists`,
			`get k => "a" 0 nil`,
			`set x 1 1 => false nil`,
			`sleep 1`,
			`add x 2 => false nil`,
			`get x => 2 0 nil`,
			`ttl x => 0 nil`,
		}},
		{"replace", []string{
			`replace k 1 => false not found`,
			`set k 1 0 3 => false nil`,
			`replace k "longer_value" => false nil`,
			`get k => "longer_value" 0 nil`,
			`set x 1 0.5 => false nil`,
			`sleep 0.5`,
			`replace x 2 => false not found`,
		}},
		{"delete", []string{
			`set k 1 => false nil`,
			`delete k => nil`,
			`delete k => nil`,
			`get k => nil 0 nil`,
			`get_stale k => nil 0 false nil`,
		}},
		{"incr", []string{
			`incr n 1 => 0 not found`,
			`incr n 1 10 => 11 false nil`,
			`incr n 1 10 => 12 false nil`,
			`incr n 1 => 13 nil`,
			`incr n -100.5 => -87.5 nil`,
			`set s "x" => false nil`,
			`incr s 1 => 0 not a number`,
			`incr s 1 0 => 0 false not a number`,
			`lpush l 1 => 1 nil`,
			`incr l 1 => 0 not a number`,
			`set f 5 0 9 => false nil`,
			`incr f 1 => 6 nil`,
			`get f => 6 9 nil`,
		}},
		{"incr keeps ttl, init_ttl", []string{
			`set n 1 10 => false nil`,
			`incr n 1 => 2 nil`,
			`ttl n => 10 nil`,
			`incr m 1 0 3 => 1 false nil`,
			`ttl m => 3 nil`,
			`incr m 1 0 100 => 2 false nil`,
			`ttl m => 3 nil`,
			`sleep 3`,
			`incr m 1 => 0 not found`,
			`incr m 1 5 2 => 6 false nil`,
			`ttl m => 2 nil`,
		}},
		{"incr on expired string with init", []string{
			`set s "abc" 1 4 => false nil`,
			`sleep 1`,
			`incr s 2 1 => 3 false nil`,
			`get s => 3 0 nil`,
		}},
		{"ttl and expire", []string{
			`ttl k => 0 not found`,
			`expire k 1 => not found`,
			`set k 1 1.5 => false nil`,
			`ttl k => 1.5 nil`,
			`sleep 0.25`,
			`ttl k => 1.25 nil`,
			`expire k 0 => nil`,
			`ttl k => 0 nil`,
			`expire k 2.25 => nil`,
			`ttl k => 2.25 nil`,
			`expire k -1 => nil`,
			`ttl k => 0 nil`,
			`set t 1 0.0001 => false nil`,
			`ttl t => 0 nil`,
			`set t 1 0.0011 => false nil`,
			`ttl t => 0.001 nil`,
		}},
		{"expired entries", []string{
			`set k "v" 1 3 => false nil`,
			`sleep 0.999`,
			`get k => "v" 3 nil`,
			`sleep 0.001`,
			`get k => nil 0 nil`,
			`get_stale k => "v" 3 true nil`,
			`ttl k => 0 nil`,
			`sleep 1`,
			`ttl k => -1 nil`,
			`keys => []`,
			`expire k 10 => nil`,
			`get k => "v" 3 nil`,
		}},
		{"lists", []string{
			`lpush l "a" => 1 nil`,
			`rpush l 2 => 2 nil`,
			`lpush l "c" => 3 nil`,
			`llen l => 3 nil`,
			`get l => nil 0 value is a list`,
			`get_stale l => nil 0 false value is a list`,
			`ttl l => 0 nil`,
			`lpop l => "c" nil`,
			`rpop l => 2 nil`,
			`rpop l => "a" nil`,
			`rpop l => nil nil`,
			`llen l => 0 nil`,
			`get_stale l => nil 0 false nil`,
			`set s "x" => false nil`,
			`lpush s 1 => 0 value not a list`,
			`lpop s => nil value not a list`,
			`llen s => 0 value not a list`,
			`lpush l2 1 => 1 nil`,
			`set l2 "replaced" => false nil`,
			`get l2 => "replaced" 0 nil`,
			`rpush l3 1 => 1 nil`,
			`add l3 1 => false exists`,
			`replace l3 "r" => false nil`,
			`get l3 => "r" 0 nil`,
		}},
		{"expired list and expired scalar pushed", []string{
			`rpush l 1 => 1 nil`,
			`rpush l 2 => 2 nil`,
			`expire l 1 => nil`,
			`set s "x" 1 => false nil`,
			`sleep 1`,
			`llen l => 0 nil`,
			`lpop l => nil nil`,
			`lpush l 3 => 1 nil`,
			`ttl l => 0 nil`,
			`lpush s 4 => 1 nil`,
			`lpop s => 4 nil`,
			`get s => nil 0 nil`,
		}},
		{"long list wraps and shrinks", longListScript()},
		{"keys", []string{
			`keys => []`,
			`set k1 1 => false nil`,
			`set k2 2 => false nil`,
			`set k3 3 => false nil`,
			`get k1 => 1 0 nil`,
			`keys => [k2 k3 k1]`,
			`keys 2 => [k2 k3]`,
			`keys 0 => [k2 k3 k1]`,
			`keys -1 => [k2 k3 k1]`,
			`ttl k2 => 0 nil`,
			`keys => [k2 k3 k1]`,
		}},
		{"flush_all and flush_expired", []string{
			`flush_expired => 0`,
			`set a 1 0.001 => false nil`,
			`set b 2 0.001 => false nil`,
			`set c 3 => false nil`,
			`sleep 0.01`,
			`keys => [c]`,
			`flush_expired 1 => 1`,
			`flush_expired => 1`,
			`flush_expired => 0`,
			`flush_all`,
			`get c => nil 0 nil`,
			`get_stale c => 3 0 true nil`,
			`keys => []`,
			`used => 169`,
			`flush_expired => 1`,
			`used => 0`,
		}},
		{"accounting", []string{
			`capacity => 1048576`,
			`used => 0`,
			`set k "abcd" => false nil`,
			`used => 165`,
			`set k 1 => false nil`,
			`used => 169`,
			`set k true => false nil`,
			`used => 162`,
			`delete k => nil`,
			`used => 0`,
			`rpush l "abc" => 1 nil`,
			`used => 244`,
			`rpush l 1 => 2 nil`,
			`used => 332`,
			`lpop l => "abc" nil`,
			`used => 249`,
			`lpop l => 1 nil`,
			`used => 0`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			d := New("test", 1<<20, Options{Now: clk.Now, Shards: 1})
			runScript(t, d, clk, tc.script)
		})
	}
}

// longListScript pushes 100 items to each end and pops them all, so the
// ring wraps, grows and shrinks.
func longListScript() []string {
	var s []string
	for i := 1; i <= 100; i++ {
		s = append(s, fmt.Sprintf("lpush l %d => %d nil", i, 2*i-1), fmt.Sprintf("rpush l %d => %d nil", -i, 2*i))
	}
	for i := 100; i >= 1; i-- {
		s = append(s, fmt.Sprintf("lpop l => %d nil", i), fmt.Sprintf("rpop l => %d nil", -i))
	}
	return append(s, "llen l => 0 nil", "used => 0")
}

// TestMemory checks eviction, forcible and "no memory" in a dict with
// room for exactly three entries.
func TestMemory(t *testing.T) {
	const entry = EntryOverhead + 2 + 100 // a two-byte key and a 100-byte string
	v := `"` + strings.Repeat("v", 100) + `"`
	v2 := `"` + strings.Repeat("w", 200) + `"`
	tests := []struct {
		name   string
		script []string
	}{
		{"set evicts the least recently used", []string{
			`set k1 ` + v + ` => false nil`,
			`set k2 ` + v + ` => false nil`,
			`set k3 ` + v + ` => false nil`,
			`get k1 => ` + v + ` 0 nil`,
			`set k4 ` + v + ` => true nil`,
			`keys => [k3 k1 k4]`,
		}},
		{"safe_set and safe_add fail", []string{
			`set k1 ` + v + ` => false nil`,
			`set k2 ` + v + ` => false nil`,
			`set k3 ` + v + ` => false nil`,
			`safe_set k4 ` + v + ` => false no memory`,
			`safe_add k4 ` + v + ` => false no memory`,
			`delete k3 => nil`,
			`safe_set k4 ` + v + ` => false nil`,
			`keys => [k1 k2 k4]`,
		}},
		{"expired entries go first without forcible", []string{
			`set k1 ` + v + ` => false nil`,
			`set k2 ` + v + ` 1 => false nil`,
			`set k3 ` + v + ` => false nil`,
			`sleep 1`,
			`safe_set k4 ` + v + ` => false no memory`,
			`get k1 => ` + v + ` 0 nil`,
			`safe_set k4 ` + v + ` => false nil`,
			`get_stale k2 => nil 0 false nil`,
			`flush_all`,
			`set k5 ` + v + ` => false nil`,
			`keys => [k5]`,
		}},
		{"add and replace evict", []string{
			`set k1 ` + v + ` => false nil`,
			`set k2 ` + v + ` => false nil`,
			`set k3 "" => false nil`,
			`replace k3 ` + v2 + ` => true nil`,
			`keys => [k2 k3]`,
			`add k4 ` + v + ` => true nil`,
			`keys => [k3 k4]`,
		}},
		{"incr with init evicts", []string{
			`set k1 ` + v + ` => false nil`,
			`set k2 ` + v + ` => false nil`,
			`set k3 ` + v + ` => false nil`,
			`incr n1 1 0 => 1 true nil`,
			`keys => [k2 k3 n1]`,
		}},
		{"lists never evict", []string{
			`set k1 ` + v + ` => false nil`,
			`set k2 ` + v + ` => false nil`,
			`lpush l ` + v + ` => 0 no memory`,
			`rpush k3 "x" => 1 nil`,
			`lpush k3 ` + v + ` => 0 no memory`,
			`llen k3 => 1 nil`,
			`keys => [k1 k2 k3]`,
		}},
		{"too large for the dict", []string{
			`set k1 1 => false nil`,
			fmt.Sprintf(`set big "%s" => false no memory`, strings.Repeat("x", 3*entry)),
			`keys => [k1]`,
		}},
		{"failed write keeps the old value", []string{
			`set k1 ` + v + ` => false nil`,
			`set k2 ` + v + ` => false nil`,
			`set k3 ` + v + ` => false nil`,
			`safe_set k3 ` + v2 + ` => false no memory`,
			`get k3 => ` + v + ` 0 nil`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			d := New("test", 3*entry, Options{Now: clk.Now, Shards: 1})
			runScript(t, d, clk, tc.script)
		})
	}
}
