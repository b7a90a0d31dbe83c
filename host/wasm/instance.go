package wasm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// instanceKey keys the instance in the context of its calls, where the
// host functions find it.
type instanceKey struct{}

// instance is one instantiation of a module: a worker, in OpenResty's
// terms. One request at a time uses it.
type instance struct {
	m       *Module
	id      int
	mod     api.Module
	ctx     context.Context                  // carries the instance to its host calls
	exports [abi.PhaseTimer + 1]api.Function // on_timer's at abi.PhaseTimer
	stdout  *lineWriter
	stderr  *lineWriter

	state   callState // the running call
	spare   []byte    // scratch space kept between calls
	lastErr string    // last_error
	failed  bool      // a call failed: never reuse
	clock   clock     // the time limit of export calls, once started
}

// maxSpare is the most scratch space an idle instance keeps.
const maxSpare = 64 << 10

// callState is what the host functions of one export call work with.
type callState struct {
	r        *host.Request
	config   []byte
	arg      *filterArg          // body_filter's ngx.arg; nil in other phases
	scratch  []byte              // output and list encoding space
	abort    error               // a filter hook failed under a host call: fail the call
	socks    []*tcpConn          // the sockets the call connected (socket.go)
	untils   []*untilIter        // the iterators tcp_receiveuntil made (socket.go)
	udps     []*udpConn          // the datagram sockets the call opened (udpsocket.go)
	timer    *timerRun           // the timer of an on_timer call (timer.go)
	subs     []host.SubRequest   // the subrequests capture_add queued (capture.go)
	captures []*host.SubResponse // the responses capture_multi got, by handle
}

// filterArg is ngx.arg in body_filter: the chunk and the eof flag.
type filterArg struct {
	chunk []byte
	eof   bool
}

// newInstance instantiates m's code as instance id: _initialize, the ABI
// version check, then on_init_worker.
func newInstance(m *Module, id int) (*instance, error) {
	in := &instance{
		m:      m,
		id:     id,
		stdout: newLineWriter(m.rt.log, m.path+": "),
		stderr: newLineWriter(m.rt.log, m.path+": "),
	}
	in.ctx = context.WithValue(context.Background(), instanceKey{}, in)
	in.state.r = host.NewContext(abi.PhaseInitWorker, m.rt.log)
	in.state.r.Dicts = m.dicts
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions(initializeExport).
		WithStdout(in.stdout).
		WithStderr(in.stderr).
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(rand.Reader)
	ctx, cancel := context.WithTimeout(in.ctx, m.lim.startTimeout())
	mod, err := m.eng.wr.InstantiateModule(ctx, m.cm, cfg)
	cancel()
	if err != nil {
		in.close()
		return nil, fmt.Errorf("instantiate: %w", in.cause(err, m.lim.startTimeout()))
	}
	in.mod = mod
	for p, name := range abi.PhaseExports {
		in.exports[p] = mod.ExportedFunction(name)
	}
	in.exports[abi.PhaseTimer] = mod.ExportedFunction(abi.TimerExport)
	if err := in.start(); err != nil {
		in.close()
		return nil, err
	}
	in.state = callState{}
	m.rt.watchdog.watch(in)
	return in, nil
}

// start checks the guest's ABI version and runs on_init_worker.
func (in *instance) start() error {
	v, err := in.callExport(in.mod.ExportedFunction(abi.VersionExport), in.m.lim.startTimeout())
	if err != nil {
		return fmt.Errorf("%s: %w", abi.VersionExport, err)
	}
	if v < 1 || v > abi.Version {
		return fmt.Errorf("was built for ABI version %d, this host speaks %d", v, abi.Version)
	}
	if in.exports[abi.PhaseInitWorker] == nil {
		return nil
	}
	name := abi.PhaseExports[abi.PhaseInitWorker]
	action, err := in.callExport(in.exports[abi.PhaseInitWorker], in.m.lim.startTimeout())
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", name, err)
	case action != abi.ActionContinue:
		return fmt.Errorf("%s returned %d", name, action)
	}
	return nil
}

// run calls phase's export with st as the call's state. A nested call
// (made from inside one of this instance's host calls) gets scratch space
// of its own, so it cannot overwrite what the outer call is writing.
func (in *instance) run(phase abi.Phase, st callState, nested bool) (int32, error) {
	saved := in.state
	if !nested {
		st.scratch = in.spare
	}
	in.state = st
	action, err := in.invoke(phase)
	in.state.closeSockets()
	if !nested && cap(in.state.scratch) <= maxSpare {
		in.spare = in.state.scratch[:0]
	}
	in.state = saved
	return action, err
}

// invoke calls phase's export: on_timer(id, premature) for the timer
// phase.
func (in *instance) invoke(phase abi.Phase) (int32, error) {
	fn := in.exports[phase]
	if fn == nil {
		return 0, fmt.Errorf("no guest export for the %s phase", phase)
	}
	if t := in.state.timer; t != nil {
		return in.callExport(fn, in.m.lim.Timeout, api.EncodeI32(t.id), api.EncodeI32(boolean(t.premature)))
	}
	return in.callExport(fn, in.m.lim.Timeout)
}

// callExport calls an export returning an i32, with args, under a time
// limit; a failure marks the instance failed. Calls of a started instance
// are timed by the runtime's watchdog; start-up calls by a context of
// their own.
func (in *instance) callExport(fn api.Function, limit time.Duration, args ...uint64) (int32, error) {
	var stack [2]uint64 // the most params or results of an export
	copy(stack[:], args)
	var err error
	if c := &in.clock; c.ctx != nil {
		c.deadline.Store(time.Now().Add(limit).UnixNano())
		err = fn.CallWithStack(c.ctx, stack[:])
		c.deadline.Store(0)
		if c.expired.Load() {
			err = context.DeadlineExceeded
		}
	} else {
		ctx, cancel := context.WithTimeout(in.ctx, limit)
		err = fn.CallWithStack(ctx, stack[:])
		cancel()
	}
	if abort := in.state.abort; abort != nil {
		in.failed = true
		return 0, abort
	}
	if err != nil {
		in.failed = true
		return 0, in.cause(err, limit)
	}
	return api.DecodeI32(stack[0]), nil
}

// cause turns the error of a failed call, made with a time limit of
// deadline, into its cause: ErrDeadline, ErrExit or ErrTrap, as
// ErrOutOfMemory too when the guest failed with its memory at the limit.
func (in *instance) cause(err error, deadline time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w (%v)", ErrDeadline, deadline)
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case sys.ExitCodeDeadlineExceeded:
			return fmt.Errorf("%w (%v)", ErrDeadline, deadline)
		case sys.ExitCodeContextCanceled:
			return context.Canceled
		}
		err = fmt.Errorf("%w with code %d", ErrExit, exit.ExitCode())
	} else {
		err = fmt.Errorf("%w: %s", ErrTrap, trapMessage(err))
	}
	if in.atMemoryLimit() {
		return fmt.Errorf("%w (limit %s): %w", ErrOutOfMemory, formatBytes(in.m.lim.Memory), err)
	}
	return err
}

// trapMessage returns the first line of a wazero error without its
// "wasm error: " prefix: "unreachable", "out of bounds memory access"...
func trapMessage(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "wasm error: "); ok {
		msg = after
	}
	msg, _, _ = strings.Cut(msg, "\n")
	return msg
}

// atMemoryLimit reports whether the instance's memory is within the
// slack of a failed growth from its limit: an eighth of the limit, or
// 4 MiB (a Go guest's heap arena) if that is less than half the limit.
func (in *instance) atMemoryLimit() bool {
	if in.mod == nil || in.mod.Memory() == nil {
		return false
	}
	limit := uint64(in.m.lim.pages())
	slack := max(limit/8, min(64, limit/2))
	return uint64(in.mod.Memory().Size())/pageSize+slack >= limit
}

// formatBytes writes a size as "64 MiB", "640 KiB" or "100 bytes".
func formatBytes(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// close closes the instance and writes out what its last output lines
// left unterminated.
func (in *instance) close() {
	in.m.rt.watchdog.forget(in)
	if in.mod != nil {
		in.mod.Close(context.Background())
	}
	in.stdout.flush()
	in.stderr.flush()
}
