package wasm

import (
	"encoding/binary"
	"testing"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/shdict"
)

// FuzzHostCalls calls host functions with arbitrary arguments (pointers,
// lengths, numbers) in arbitrary phases against a live instance's memory:
// a call may fail with a status, never panic.
func FuzzHostCalls(f *testing.F) {
	f.Add(funcIndex("req_get_method"), uint8(abi.PhaseAccess), []byte{0, 1, 0, 0, 16, 0, 0, 0})
	f.Add(funcIndex("last_error"), uint8(abi.PhaseLog), []byte{0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0})
	f.Add(funcIndex("print"), uint8(abi.PhaseContent), []byte{0xf0, 0xff, 0, 0, 0xff, 0xff, 0, 0})
	f.Add(funcIndex("arg_get_chunk"), uint8(abi.PhaseBodyFilter), []byte{0, 0, 0, 0, 0, 0, 1, 0})
	// Shared dicts: handle 0, key "x-test" at 0x100, the value at 0x200
	// (5 + 4 bytes), the buffer at 0x300.
	f.Add(funcIndex("shdict_set"), uint8(abi.PhaseContent), le32(0, 0x100, 6, 0x200, 9, 0))
	f.Add(funcIndex("shdict_lpush"), uint8(abi.PhaseTimer), le32(0, 0x100, 6, 0x200, 9))
	f.Add(funcIndex("shdict_rpop"), uint8(abi.PhaseLog), le32(0, 0x100, 6, 0x300, 3))
	f.Add(funcIndex("shdict_incr"), uint8(abi.PhaseInit), le32(0, 0x100, 6, 0, 1, 0, 0, 0xfffc))
	f.Add(funcIndex("shdict_get_keys"), uint8(abi.PhaseAccess), le32(0, 0, 0x300, 64))
	// Waiting: a sleep of a denormal time (an f64 from 32 bits), a
	// connect without the request's pool, a receive on no socket, an
	// iterator of pattern "x-", a sized read of no iterator, the option
	// "x-test".
	f.Add(funcIndex("sleep"), uint8(abi.PhaseContent), le32(1, 0))
	f.Add(funcIndex("tcp_connect"), uint8(abi.PhaseAccess), le32(0x100, 6, 80, 0, 0))
	f.Add(funcIndex("tcp_receive"), uint8(abi.PhaseRewrite), le32(0, 0xffffffff, 0x300, 16))
	f.Add(funcIndex("tcp_receiveuntil"), uint8(abi.PhaseAccess), le32(0, 0x100, 2, 1))
	f.Add(funcIndex("tcp_until_read"), uint8(abi.PhaseContent), le32(0, 4, 0x300, 16))
	f.Add(funcIndex("tcp_setoption"), uint8(abi.PhaseTimer), le32(0, 0x100, 6, 1))
	// Regex: pattern "x" and subject "x-test" at 0x100, template "test"
	// at 0x102, the count at 0x300. Body, exec and subrequests: the path
	// "/a" at 0x107, the args "b=c" at 0x10a, "POST" at 0x110, a body at
	// 0x200.
	f.Add(funcIndex("re_match"), uint8(abi.PhaseAccess), le32(0x100, 1, 0, 0, 0x100, 6, 0, 0x300, 64))
	f.Add(funcIndex("re_gsub"), uint8(abi.PhaseLog), le32(0x100, 1, 0, 0, 0x100, 6, 0x102, 4, 0x300, 0x304, 64))
	f.Add(funcIndex("re_group_names"), uint8(abi.PhaseTimer), le32(0x100, 6, 0, 0, 0x300, 64))
	f.Add(funcIndex("req_append_body"), uint8(abi.PhaseContent), le32(0x200, 9))
	f.Add(funcIndex("req_set_body_file"), uint8(abi.PhaseRewrite), le32(0x107, 2, 1))
	f.Add(funcIndex("exec"), uint8(abi.PhaseRewrite), le32(0x107, 2, 0x10a, 3))
	f.Add(funcIndex("capture_add"), uint8(abi.PhaseAccess), le32(0x110, 4, 0x107, 2, 0x10a, 3, 0x200, 9, 15))
	f.Add(funcIndex("capture_multi"), uint8(abi.PhaseContent), []byte{})
	f.Add(funcIndex("capture_body"), uint8(abi.PhaseContent), le32(0, 0x300, 64))
	rt, _ := newTestRuntime(f, Options{})
	m := load(f, rt, writeModule(f, guestModule()), Limits{})
	in := borrow(f, m)
	mem := in.mod.Memory()
	mem.WriteString(0x100, "x-test\x00/a?b=c&d\nPOST")
	mem.WriteString(0x200, "\x03\x00\x00\x00\x00abcd")
	dicts := []*shdict.Dict{shdict.New("fuzz", 4<<10, shdict.Options{})}
	f.Fuzz(func(t *testing.T, fn, phase uint8, args []byte) {
		def := abi.Funcs[int(fn)%len(abi.Funcs)]
		r := newRequest(t, conformanceRequest, abi.Phase(phase%uint8(abi.PhaseTimer+1)))
		defer r.Release()
		r.Dicts = dicts
		in.state = callState{r: r, config: []byte(`{"n":3}`)}
		if r.Phase() == abi.PhaseBodyFilter {
			in.state.arg = &filterArg{chunk: []byte("chunk")}
		}
		defer func() { in.state = callState{} }()
		stack := make([]uint64, len(def.Params))
		for i := range stack {
			if len(args) >= 4 {
				stack[i] = uint64(binary.LittleEndian.Uint32(args))
				args = args[4:]
			}
		}
		hostCall(in, r, def.Name, stack...)
	})
}

// le32 encodes fuzz arguments: each v as a little-endian u32.
func le32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// funcIndex returns the index of host function name in abi.Funcs.
func funcIndex(name string) uint8 {
	for i, f := range abi.Funcs {
		if f.Name == name {
			return uint8(i)
		}
	}
	panic("no host function " + name)
}
