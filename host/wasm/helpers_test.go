package wasm

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/valyala/fasthttp"
)

// guestDir holds the Go test guests built during this test run.
var guestDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wasm-guests-")
	if err != nil {
		panic(err)
	}
	guestDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var guestBuilds sync.Map // guest name -> *guestBuild

type guestBuild struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// goGuest builds testdata/guests/name as a wasip1 reactor, once per test
// run, and returns the module's path.
func goGuest(tb testing.TB, name string) string {
	tb.Helper()
	v, _ := guestBuilds.LoadOrStore(name, new(guestBuild))
	b := v.(*guestBuild)
	b.once.Do(func() {
		b.path = filepath.Join(guestDir, name+".wasm")
		cmd := exec.Command(goTool(), "build", "-buildmode=c-shared", "-o", b.path, "./testdata/guests/"+name)
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		tb.Fatalf("building guest %s: %v\n%s", name, b.err, b.out)
	}
	return b.path
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// Hand-assembled modules, for what a Go guest cannot do (a plain trap, a
// bad signature) or does slowly (instantiate).

// Wasm instructions the test modules use.
const (
	opUnreachable = 0x00
	opLoop        = 0x03
	opBr          = 0x0c
	opBrIf        = 0x0d
	opEnd         = 0x0b
	opCall        = 0x10
	opDrop        = 0x1a
	opI32Const    = 0x41
	opI32Ne       = 0x47
	opMemoryGrow  = 0x40
	blockVoid     = 0x40
	i32           = 0x7f
)

// wfunc is a function of a test module: imported when module is set,
// defined by body (its instructions, without the final end) otherwise.
type wfunc struct {
	module, name    string // import
	export          string
	params, results []byte
	body            []byte
}

// wmodule is a test module: its functions (imports first in the index
// space, whatever their place in funcs) and a memory of
// memPages, exported as "memory" unless noMemory.
type wmodule struct {
	funcs    []wfunc
	memPages uint32
	noMemory bool
}

// guestModule is the usual test module: ABI version 1, one page of
// memory, and the given functions.
func guestModule(funcs ...wfunc) wmodule {
	return wmodule{memPages: 1, funcs: append([]wfunc{versionFunc(1)}, funcs...)}
}

func versionFunc(v int32) wfunc {
	return wfunc{export: abi.VersionExport, results: []byte{i32}, body: i32Const(v)}
}

// phaseFunc is a () -> (i32) phase export running body.
func phaseFunc(export string, body ...byte) wfunc {
	return wfunc{export: export, results: []byte{i32}, body: body}
}

// importFunc imports moongate.name with its abi.Funcs signature.
func importFunc(name string) wfunc {
	for _, f := range abi.Funcs {
		if f.Name == name {
			return wfunc{module: abi.Module, name: name, params: valTypes(f.Params), results: valTypes(f.Results)}
		}
	}
	panic("no host function " + name)
}

func valTypes(ts []abi.ValType) []byte {
	b := make([]byte, len(ts))
	for i, t := range ts {
		b[i] = byte(t)
	}
	return b
}

func i32Const(v int32) []byte { return append([]byte{opI32Const}, sleb(v)...) }

// sleb encodes v as a signed LEB128.
func sleb(v int32) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func uleb(v int) []byte { return binary.AppendUvarint(nil, uint64(v)) }

func vec(items ...[]byte) []byte {
	b := uleb(len(items))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func name(s string) []byte { return append(uleb(len(s)), s...) }

func section(id byte, items ...[]byte) []byte {
	body := vec(items...)
	return append(append([]byte{id}, uleb(len(body))...), body...)
}

// encode writes the module in the Wasm binary format.
func (m wmodule) encode() []byte {
	var types, imports, funcs, exports, code [][]byte
	ordered := slices.Clone(m.funcs) // imports come first in the index space
	slices.SortStableFunc(ordered, func(a, b wfunc) int {
		return cmp.Compare(boolInt(a.module == ""), boolInt(b.module == ""))
	})
	for i, f := range ordered {
		types = append(types, append(append([]byte{0x60}, vec(bytesOf(f.params)...)...), vec(bytesOf(f.results)...)...))
		if f.module != "" {
			imports = append(imports, append(append(name(f.module), name(f.name)...), append([]byte{0}, uleb(i)...)...))
			continue
		}
		funcs = append(funcs, uleb(i))
		body := append(append([]byte{0}, f.body...), opEnd)
		code = append(code, append(uleb(len(body)), body...))
		if f.export != "" {
			exports = append(exports, append(name(f.export), append([]byte{0}, uleb(i)...)...))
		}
	}
	out := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	out = append(out, section(1, types...)...)
	if len(imports) > 0 {
		out = append(out, section(2, imports...)...)
	}
	out = append(out, section(3, funcs...)...)
	out = append(out, section(5, append([]byte{0}, uleb(int(m.memPages))...))...)
	if !m.noMemory {
		exports = append(exports, append(name("memory"), 2, 0))
	}
	out = append(out, section(7, exports...)...)
	return append(out, section(10, code...)...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func bytesOf(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

// writeModule writes m to a file in a test directory.
func writeModule(tb testing.TB, m wmodule) string {
	tb.Helper()
	return writeFile(tb, "guest.wasm", m.encode())
}

func writeFile(tb testing.TB, file string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), file)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// newTestRuntime returns a Runtime logging to the returned buffer.
func newTestRuntime(tb testing.TB, opts Options) (*Runtime, *syncBuffer) {
	tb.Helper()
	logs := new(syncBuffer)
	if opts.Log == nil {
		opts.Log = errlog.New(logs, errlog.Debug)
	}
	if opts.CacheDir == "" { // share compiled Go guests between the tests
		opts.CacheDir = filepath.Join(guestDir, "cache")
	}
	rt, err := NewRuntime(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rt.Close() })
	return rt, logs
}

// load loads path with the given limits and phases, failing the test on
// error; the module is closed at the test's end.
func load(tb testing.TB, rt *Runtime, path string, lim Limits, phases ...abi.Phase) *Module {
	tb.Helper()
	m, err := rt.Load(path, lim, phases, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	return m
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testRequest describes a request for newRequest.
type testRequest struct {
	method, uri string
	headers     []string // name, value, ...
	body        string
}

// newRequest returns a host.Request for tr in phase p, served on a
// connection that discards what is written to it.
func newRequest(tb testing.TB, tr testRequest, p abi.Phase) *host.Request {
	tb.Helper()
	ctx := new(fasthttp.RequestCtx)
	ctx.Init2(discardConn{}, nil, false)
	if tr.method == "" {
		tr.method = "GET"
	}
	if tr.uri == "" {
		tr.uri = "/"
	}
	ctx.Request.Header.SetMethod(tr.method)
	ctx.Request.SetRequestURI(tr.uri)
	ctx.Request.Header.SetHost("example.com")
	for i := 0; i+1 < len(tr.headers); i += 2 {
		ctx.Request.Header.Add(tr.headers[i], tr.headers[i+1])
	}
	if tr.body != "" {
		ctx.Request.SetBodyString(tr.body)
	}
	path, _, _ := bytes.Cut([]byte(tr.uri), []byte("?"))
	r := host.NewRequest(ctx, string(path), host.Vars{"user_var": "default"}, errlog.New(io.Discard, errlog.Stderr))
	r.SetPhase(p)
	return r
}

// discardConn is a connection that reads nothing and discards writes.
type discardConn struct{}

func (discardConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) Close() error                     { return nil }
func (discardConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }
func (discardConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000} }
func (discardConn) SetDeadline(time.Time) error      { return nil }
func (discardConn) SetReadDeadline(time.Time) error  { return nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }

// hostCall calls host function fn for instance in, as its guest would,
// with the instance bound to r, and returns the raw result.
func hostCall(in *instance, r *host.Request, fn string, args ...uint64) uint64 {
	f := in.m.rt.byName[fn]
	stack := make([]uint64, max(len(f.def.Params), len(f.def.Results)))
	copy(stack, args)
	saved := in.state.r
	in.state.r = r
	defer func() { in.state.r = saved }()
	f.Call(in.ctx, in.mod, stack)
	return stack[0]
}

// borrow takes an instance of m for a test, and gives it back at the
// test's end.
func borrow(tb testing.TB, m *Module) *instance {
	tb.Helper()
	in, err := m.take()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.release(nil, in) })
	return in
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// instances returns the number of m's live instances.
func (m *Module) instances() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.alive
}
