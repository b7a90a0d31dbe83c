package wasm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/tetratelabs/wazero/api"
)

// hostFunc is one function of the moongate host module: an abi.Funcs
// entry with its implementation. It is a wazero GoModuleFunction.
type hostFunc struct {
	impl
	def     abi.Func
	sig     signature
	allowed abi.Phases // the phases of def.API
	guarded bool       // def.API is set: check allowed
}

// impl is a host function's body: i32 for the functions returning a
// status, f64 for those returning a number. It runs after the phase
// check; an error it returns becomes the negative status, and its message
// the last error.
type impl struct {
	i32 func(c call) (int32, error)
	f64 func(c call) (float64, error)
	// keepErr: the function's own errors leave last_error as it was
	// (last_error itself).
	keepErr bool
}

// newHostFuncs pairs every entry of abi.Funcs with its implementation.
func newHostFuncs() ([]*hostFunc, error) {
	impls := hostImpls()
	funcs := make([]*hostFunc, 0, len(abi.Funcs))
	for _, d := range abi.Funcs {
		im, ok := impls[d.Name]
		if !ok {
			return nil, fmt.Errorf("wasm: host function %s has no implementation", d.Name)
		}
		delete(impls, d.Name)
		f := &hostFunc{impl: im, def: d, sig: signature{valueTypes(d.Params), valueTypes(d.Results)}}
		if (im.f64 != nil) != slices.Equal(d.Results, []abi.ValType{abi.F64}) {
			return nil, fmt.Errorf("wasm: host function %s is implemented with the wrong result type", d.Name)
		}
		if d.API != "" {
			f.allowed, f.guarded = abi.Contexts(d.API), true
		}
		funcs = append(funcs, f)
	}
	if len(impls) > 0 {
		extra := make([]string, 0, len(impls))
		for name := range impls {
			extra = append(extra, name)
		}
		sort.Strings(extra)
		return nil, fmt.Errorf("wasm: host functions %v are not in abi.Funcs", extra)
	}
	return funcs, nil
}

// Call runs the function for the guest instance the call's context
// carries, on the request of its running call.
func (f *hostFunc) Call(ctx context.Context, mod api.Module, stack []uint64) {
	in := ctx.Value(instanceKey{}).(*instance)
	c := call{in: in, r: in.state.r, mem: mod.Memory(), stack: stack}
	var err error
	if f.guarded {
		err = c.r.Check(f.allowed)
	}
	if f.f64 != nil {
		var v float64
		if err == nil {
			v, err = f.f64(c)
		}
		if err != nil {
			v = float64(in.fail(err, f.keepErr))
		}
		stack[0] = api.EncodeF64(v)
		return
	}
	var v int32
	if err == nil {
		v, err = f.i32(c)
	}
	if err != nil {
		v = int32(in.fail(err, f.keepErr))
	}
	stack[0] = api.EncodeI32(v)
}

// fail returns the status for err and records its message as the last
// error, unless keep. A filter hook that failed under this call (a guest
// filter export trapped while say sent the headers, say) fails this call
// too, as it fails a Lua hook: the guest is unwound at once.
func (in *instance) fail(err error, keep bool) abi.Status {
	var herr *HookError
	if errors.As(err, &herr) {
		in.state.abort = err
		panic(err)
	}
	if !keep {
		in.lastErr = err.Error()
	}
	return statusOf(err)
}

// statusError is an error with its status.
type statusError struct {
	status abi.Status
	msg    string
}

func (e *statusError) Error() string { return e.msg }

func notFound(format string, a ...any) error {
	return &statusError{abi.ErrNotFound, fmt.Sprintf(format, a...)}
}

func badArgument(format string, a ...any) error {
	return &statusError{abi.ErrBadArgument, fmt.Sprintf(format, a...)}
}

func badPointer(ptr, n uint32) error {
	return badArgument("pointer %#x with length %d is outside the guest's memory", ptr, n)
}

// statusOf maps an error to its status: ERR_PHASE for the phase guard,
// ERR_FAILED for the host API's own errors.
func statusOf(err error) abi.Status {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	var pe *host.PhaseError
	if errors.As(err, &pe) {
		return abi.ErrPhase
	}
	return abi.ErrFailed
}

// call is one host call: the guest's arguments on stack, its memory, and
// the request of the running export call.
type call struct {
	in    *instance
	r     *host.Request
	mem   api.Memory
	stack []uint64
}

// i32 returns argument i.
func (c *call) i32(i int) int32 { return api.DecodeI32(c.stack[i]) }

// bytes returns the guest string (ptr, len) at arguments i and i+1: a
// view of guest memory, valid until the guest runs again.
func (c *call) bytes(i int) ([]byte, error) {
	ptr, n := api.DecodeU32(c.stack[i]), api.DecodeU32(c.stack[i+1])
	if c.mem != nil {
		if b, ok := c.mem.Read(ptr, n); ok {
			return b, nil
		}
	}
	return nil, badPointer(ptr, n)
}

// string returns a copy of the guest string at arguments i and i+1.
func (c *call) string(i int) (string, error) {
	b, err := c.bytes(i)
	return string(b), err
}

// buffer returns the guest buffer (ptr, cap) at arguments i and i+1 cut
// to a result of n bytes, or nil when the result does not fit, which
// includes a cap of 0 (the guest asks for the length).
func (c *call) buffer(i, n int) ([]byte, error) {
	ptr, capacity := api.DecodeU32(c.stack[i]), api.DecodeU32(c.stack[i+1])
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("result of %d bytes is over the 2 GiB a status can give", n)
	}
	if capacity == 0 {
		return nil, nil
	}
	if c.mem == nil {
		return nil, badPointer(ptr, capacity)
	}
	b, ok := c.mem.Read(ptr, capacity)
	switch {
	case !ok:
		return nil, badPointer(ptr, capacity)
	case n > len(b):
		return nil, nil
	}
	return b[:n], nil
}

// result writes v to the guest buffer at arguments i and i+1 if it fits,
// and returns its length: the buffer protocol of ABI.md.
func result[T ~string | ~[]byte](c call, i int, v T) (int32, error) {
	dst, err := c.buffer(i, len(v))
	if err != nil {
		return 0, err
	}
	copy(dst, v)
	return int32(len(v)), nil
}
