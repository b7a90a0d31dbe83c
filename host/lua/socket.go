package lua

import (
	"errors"
	"fmt"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
	glua "github.com/yuin/gopher-lua"
)

// The cosockets: ngx.socket.tcp (and its alias ngx.socket.stream),
// ngx.socket.udp and ngx.socket.connect, whose objects are userdata over
// host.TCPSocket and host.UDPSocket. Their methods check and return as
// lua-nginx-module 0.10.23's (with lua-resty-core's sslhandshake and
// setoption); all are allowed in rewrite, access, content and timer
// contexts (abi: "ngx.socket.*", "tcpsock.*", "udpsock.*"). Every
// operation that waits does so through VM.wait, so the request's
// coroutine yields (or, under pcall, its goroutine blocks) without
// holding the VM.
//
// A socket belongs to the request, or timer, that connected it: another
// request using it gets "bad request", and its connection is closed when
// its request ends (Session.closeSockets).

// socketSet is the sockets a request connected.
type socketSet struct {
	socks []interface{ Abort() }
	ended bool // the request ended: its sockets are closed
}

// tcpSock is a tcpsock object.
type tcpSock struct {
	sock  *host.TCPSocket
	owner *socketSet // the request that last connected it; nil if never connected
}

// udpSock is a udpsock object.
type udpSock struct {
	sock  *host.UDPSocket
	owner *socketSet
}

// sslSession is the userdata of an sslhandshake session.
type sslSession struct{ s *host.SSLSession }

// socketSet returns the sockets of the request, creating the set.
func (s *Session) socketSet() *socketSet {
	if s.sockets == nil {
		s.sockets = &socketSet{}
	}
	return s.sockets
}

// closeSockets closes the connections of the request's sockets: the
// request has ended.
func (s *Session) closeSockets() {
	if s.sockets == nil {
		return
	}
	s.sockets.ended = true
	for _, sock := range s.sockets.socks {
		sock.Abort()
	}
	s.sockets = nil
}

// own makes the running request the owner of sock, whose owner field is
// *owner.
func (vm *VM) own(owner **socketSet, sock interface{ Abort() }) {
	set := vm.cur.socketSet()
	if *owner != set {
		*owner = set
		set.socks = append(set.socks, sock)
	}
}

// checkOwner raises "bad request" when a request other than the running
// one owns an open socket.
func (vm *VM) checkOwner(L *glua.LState, owner *socketSet, open bool) {
	if open && owner != nil && !owner.ended && owner != vm.cur.sockets {
		L.RaiseError("bad request")
	}
}

// socketTable builds ngx.socket.
func (vm *VM) socketTable() *glua.LTable {
	L := vm.L
	tcpMeta, udpMeta := L.NewTable(), L.NewTable()
	tcpMethods, udpMethods := L.NewTable(), L.NewTable()
	tcpMeta.RawSetString("__index", tcpMethods)
	udpMeta.RawSetString("__index", udpMethods)
	vm.set(tcpMethods, "tcpsock", map[string]hostFunc{
		"connect":        vm.tcpConnect,
		"sslhandshake":   vm.sslHandshake,
		"send":           vm.tcpSend,
		"receive":        vm.tcpReceive,
		"receiveany":     vm.tcpReceiveAny,
		"receiveuntil":   vm.tcpReceiveUntil,
		"close":          vm.tcpClose,
		"settimeout":     tcpSetTimeout,
		"settimeouts":    tcpSetTimeouts,
		"setoption":      tcpSetOption,
		"setkeepalive":   vm.tcpSetKeepalive,
		"getreusedtimes": tcpGetReusedTimes,
	})
	vm.set(udpMethods, "udpsock", map[string]hostFunc{
		"setpeername": vm.udpSetPeerName,
		"send":        vm.udpSend,
		"receive":     vm.udpReceive,
		"settimeout":  udpSetTimeout,
		"close":       vm.udpClose,
	})
	newTCP := func(L *glua.LState) *glua.LUserData {
		ud := L.NewUserData()
		ud.Value = &tcpSock{sock: host.NewTCPSocket(vm.e.opts.Sockets, &vm.e.opts.Socket)}
		ud.Metatable = tcpMeta
		return ud
	}
	tcp := func(L *glua.LState, _ *host.Request) int {
		if n := L.GetTop(); n != 0 {
			L.RaiseError("expecting zero arguments, but got %d", n)
		}
		L.Push(newTCP(L))
		return 1
	}
	t := L.NewTable()
	vm.set(t, "ngx.socket", map[string]hostFunc{
		"tcp":    tcp,
		"stream": tcp,
		"udp": func(L *glua.LState, _ *host.Request) int {
			if n := L.GetTop(); n != 0 {
				L.RaiseError("expecting zero arguments, but got %d", n)
			}
			ud := L.NewUserData()
			ud.Value = &udpSock{sock: host.NewUDPSocket(&vm.e.opts.Socket)}
			ud.Metatable = udpMeta
			L.Push(ud)
			return 1
		},
		// ngx.socket.connect(...) is ngx.socket.tcp() and sock:connect(...):
		// the socket, or nil and the error.
		"connect": func(L *glua.LState, _ *host.Request) int {
			ud := newTCP(L)
			L.Insert(ud, 1)
			return vm.connect(L, func(err error) []glua.LValue {
				if err != nil {
					return []glua.LValue{glua.LNil, glua.LString(err.Error())}
				}
				return []glua.LValue{ud}
			})
		},
	})
	return t
}

// tcpOf returns the tcpsock a method was called on.
func tcpOf(L *glua.LState) *tcpSock {
	if ud, ok := L.Get(1).(*glua.LUserData); ok {
		if t, ok := ud.Value.(*tcpSock); ok {
			return t
		}
	}
	L.ArgError(1, "tcp socket expected (call it as sock:method())")
	return nil
}

// udpOf returns the udpsock a method was called on.
func udpOf(L *glua.LState) *udpSock {
	if ud, ok := L.Get(1).(*glua.LUserData); ok {
		if u, ok := ud.Value.(*udpSock); ok {
			return u
		}
	}
	L.ArgError(1, "udp socket expected (call it as sock:method())")
	return nil
}

// pushFail pushes nil and err's message and returns 2.
func pushFail(L *glua.LState, err error) int {
	L.Push(glua.LNil)
	L.Push(glua.LString(err.Error()))
	return 2
}

// okOrFail is the result of an operation returning 1 or nil and an error.
func okOrFail(err error) []glua.LValue {
	if err != nil {
		return []glua.LValue{glua.LNil, glua.LString(err.Error())}
	}
	return []glua.LValue{glua.LNumber(1)}
}

// readResult is the result of a read: the data, or nil, the error and
// the partial data.
func readResult(data []byte, err error) []glua.LValue {
	if err != nil {
		return []glua.LValue{glua.LNil, glua.LString(err.Error()), glua.LString(data)}
	}
	return []glua.LValue{glua.LString(data)}
}

// isNumber is lua_isnumber: a number or a string that converts to one.
func isNumber(v glua.LValue) bool {
	_, ok := toNumber(v)
	return ok
}

// checkInteger is luaL_checkinteger for argument i.
func checkInteger(L *glua.LState, i int) int {
	n, ok := toNumber(L.Get(i))
	if !ok {
		argError(L, i, "number expected, got "+typeName(L, i))
	}
	return int(n)
}

// tcpConnect is tcpsock:connect(host, port?, options?).
func (vm *VM) tcpConnect(L *glua.LState, _ *host.Request) int {
	return vm.connect(L, okOrFail)
}

// connect runs tcpsock:connect on the arguments of L and returns
// result(err) to Lua.
func (vm *VM) connect(L *glua.LState, result func(error) []glua.LValue) int {
	n := L.GetTop()
	if n < 2 || n > 4 {
		L.RaiseError("ngx.socket connect: expecting 2, 3, or 4 arguments (including the object), but seen %d", n)
	}
	t := tcpOf(L)
	hostName := checkString(L, 2)
	var o host.ConnectOptions
	if opts, ok := L.Get(n).(*glua.LTable); ok {
		o = connectOptions(L, n, opts)
		n--
	}
	port := host.NoPort
	if n >= 3 && isNumber(L.Get(3)) {
		f, _ := toNumber(L.Get(3))
		port = int(f)
	}
	vm.checkOwner(L, t.owner, true)
	job, err := t.sock.Connect(hostName, port, o)
	if err != nil {
		return pushFail(L, err)
	}
	vm.own(&t.owner, t.sock)
	return vm.wait(L, func() []glua.LValue { return result(job()) })
}

// connectOptions reads the options table of connect, argument n.
func connectOptions(L *glua.LState, n int, opts *glua.LTable) host.ConnectOptions {
	var o host.ConnectOptions
	switch v := opts.RawGetString("pool_size"); {
	case isNumber(v):
		f, _ := toNumber(v)
		if o.PoolSize = int(f); o.PoolSize <= 0 {
			argError(L, n, fmt.Sprintf(`bad "pool_size" option value: %d`, o.PoolSize))
		}
	case v != glua.LNil:
		argError(L, n, `bad "pool_size" option type: `+v.Type().String())
	}
	if v := opts.RawGetString("backlog"); isNumber(v) {
		f, _ := toNumber(v)
		if o.Backlog = int(f); o.Backlog < 0 {
			argError(L, n, fmt.Sprintf(`bad "backlog" option value: %d`, o.Backlog))
		}
		o.HasBacklog = true
	}
	switch v := opts.RawGetString("pool").(type) {
	case glua.LString:
		o.Pool = string(v)
	case glua.LNumber:
		o.Pool = formatNumber(v)
	case *glua.LNilType:
	default:
		argError(L, n, `bad "pool" option type: `+v.Type().String())
	}
	return o
}

// sslHandshake is tcpsock:sslhandshake(reused_session?, server_name?,
// ssl_verify?, send_status_req?): the session (a userdata), true when
// reused_session is false, or nil and the error. send_status_req (OCSP
// stapling) is ignored.
func (vm *VM) sslHandshake(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n > 5 {
		L.RaiseError("ngx.socket sslhandshake: expecting 1 ~ 5 arguments (including the object), but seen %d", n)
	}
	t := tcpOf(L)
	if t.owner == nil {
		L.RaiseError("socket is never created nor connected")
	}
	var session *host.SSLSession
	reused := L.Get(2)
	if ud, ok := reused.(*glua.LUserData); ok {
		if s, ok := ud.Value.(*sslSession); ok {
			session = s.s
		}
	}
	serverName := ""
	if name, ok := L.Get(3).(glua.LString); ok {
		serverName = string(name)
	}
	verify := glua.LVAsBool(L.Get(4))
	if t.owner != vm.cur.sockets && !t.owner.ended && !t.sock.Closed() {
		return pushFail(L, errors.New("bad request"))
	}
	job, err := t.sock.SSLHandshake(session, serverName, verify)
	if err != nil {
		return pushFail(L, err)
	}
	return vm.wait(L, func() []glua.LValue {
		s, err := job()
		switch {
		case err != nil:
			return []glua.LValue{glua.LNil, glua.LString(err.Error())}
		case reused == glua.LFalse:
			return []glua.LValue{glua.LTrue}
		case s == session:
			return []glua.LValue{reused}
		}
		return []glua.LValue{&glua.LUserData{Value: &sslSession{s: s}, Metatable: glua.LNil}}
	})
}

// sendData converts the argument of send as lua-nginx-module does: a
// string, a number, a boolean, nil, or an array table of strings, numbers
// and such tables.
func (vm *VM) sendData(L *glua.LState) []byte {
	buf := vm.scratch[:0]
	var err error
	switch v := L.Get(2).(type) {
	case *glua.LTable:
		buf, err = appendStrict(buf, v, 0)
	case glua.LString, glua.LNumber, glua.LBool, *glua.LNilType:
		buf, err = appendValue(buf, v, 0)
	default:
		err = errors.New("string, number, boolean, nil, or array table expected, got " + v.Type().String())
	}
	if err != nil {
		argError(L, 2, err.Error())
	}
	vm.scratch = buf[:0]
	return append([]byte(nil), buf...)
}

// appendStrict appends the array table t as send writes it: only strings,
// numbers and array tables of them.
func appendStrict(buf []byte, t *glua.LTable, depth int) ([]byte, error) {
	if depth >= maxTableDepth {
		return buf, fmt.Errorf("nested tables deeper than %d", maxTableDepth)
	}
	n, ok := arrayLen(t)
	if !ok {
		return buf, errors.New("non-array table found")
	}
	var err error
	for i := 1; i <= n && err == nil; i++ {
		switch v := t.RawGetInt(i).(type) {
		case glua.LString, glua.LNumber:
			buf, err = appendValue(buf, v, depth+1)
		case *glua.LTable:
			buf, err = appendStrict(buf, v, depth+1)
		default:
			err = errors.New("bad data type " + v.Type().String() + " found")
		}
	}
	return buf, err
}

// tcpSend is tcpsock:send(data): the number of bytes sent, or nil and the
// error.
func (vm *VM) tcpSend(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 2 {
		L.RaiseError("expecting 2 arguments (including the object), but got %d", n)
	}
	t := tcpOf(L)
	data := vm.sendData(L)
	vm.checkOwner(L, t.owner, !t.sock.Closed())
	job, err := t.sock.Send(data)
	if err != nil {
		return pushFail(L, err)
	}
	return vm.wait(L, func() []glua.LValue {
		n, err := job()
		if err != nil {
			return []glua.LValue{glua.LNil, glua.LString(err.Error())}
		}
		return []glua.LValue{glua.LNumber(n)}
	})
}

// read waits for a read job started by start, pushing OpenResty's
// results: the data, or nil, the error and the partial data; nil and the
// error when it cannot start.
func (vm *VM) read(L *glua.LState, t *tcpSock, start func() (func() ([]byte, error), error)) int {
	vm.checkOwner(L, t.owner, !t.sock.Closed())
	job, err := start()
	if err != nil {
		return pushFail(L, err)
	}
	return vm.wait(L, func() []glua.LValue { return readResult(job()) })
}

// tcpReceive is tcpsock:receive(pattern?): pattern "*l" (the default),
// "*a" or a byte count.
func (vm *VM) tcpReceive(L *glua.LState, _ *host.Request) int {
	n := L.GetTop()
	if n != 1 && n != 2 {
		L.RaiseError("expecting 1 or 2 arguments (including the object), but got %d", n)
	}
	t := tcpOf(L)
	p := host.ReadLine
	if n == 2 {
		switch v := L.Get(2); {
		case isNumber(v):
			f, _ := toNumber(v)
			if f < 0 {
				argError(L, 2, "bad pattern argument")
			}
			p = host.ReadPattern(f)
		case v.Type() == glua.LTString:
			switch s := v.String(); {
			case len(s) != 2 || s[0] != '*':
				argError(L, 2, "bad pattern argument: "+s)
			case s == "*a":
				p = host.ReadAll
			case s != "*l":
				argError(L, 2, "bad pattern argument")
			}
		default:
			argError(L, 2, "bad pattern argument")
		}
	}
	return vm.read(L, t, func() (func() ([]byte, error), error) { return t.sock.Receive(p) })
}

// tcpReceiveAny is tcpsock:receiveany(max).
func (vm *VM) tcpReceiveAny(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 2 {
		L.RaiseError("expecting 2 arguments (including the object), but got %d", n)
	}
	t := tcpOf(L)
	max, ok := toNumber(L.Get(2))
	if !ok || max < 1 {
		argError(L, 2, "bad max argument")
	}
	return vm.read(L, t, func() (func() ([]byte, error), error) { return t.sock.ReceiveAny(int(max)) })
}

// tcpReceiveUntil is tcpsock:receiveuntil(pattern, {inclusive = bool}?):
// an iterator, iter(size?), or nil and "pattern is empty".
func (vm *VM) tcpReceiveUntil(L *glua.LState, _ *host.Request) int {
	n := L.GetTop()
	if n != 2 && n != 3 {
		L.RaiseError("expecting 2 or 3 arguments (including the object), but got %d", n)
	}
	inclusive := false
	if n == 3 {
		switch v := L.CheckTable(3).RawGetString("inclusive").(type) {
		case glua.LBool:
			inclusive = bool(v)
		case *glua.LNilType:
		default:
			L.RaiseError(`bad "inclusive" option value type: %s`, v.Type().String())
		}
	}
	t := tcpOf(L)
	until, err := t.sock.ReceiveUntil(checkString(L, 2), inclusive)
	if err != nil {
		return pushFail(L, err)
	}
	allowed := abi.Contexts("tcpsock.receiveuntil")
	L.Push(L.NewFunction(func(L *glua.LState) int {
		vm.guard(L, allowed)
		n := L.GetTop()
		if n > 1 {
			L.RaiseError("expecting 0 or 1 arguments, but seen %d", n)
		}
		size := 0
		if n == 1 {
			size = checkInteger(L, 1)
		}
		vm.checkOwner(L, t.owner, !t.sock.Closed())
		job, err := until.Read(size)
		if err != nil {
			return pushFail(L, err)
		}
		return vm.wait(L, func() []glua.LValue {
			data, err := job()
			if data == nil && err == nil {
				return []glua.LValue{glua.LNil, glua.LNil, glua.LNil}
			}
			return readResult(data, err)
		})
	}))
	return 1
}

// tcpClose is tcpsock:close().
func (vm *VM) tcpClose(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 1 {
		L.RaiseError("expecting 1 argument (including the object) but seen %d", n)
	}
	t := tcpOf(L)
	vm.checkOwner(L, t.owner, !t.sock.Closed())
	if err := t.sock.Close(); err != nil {
		return pushFail(L, err)
	}
	L.Push(glua.LNumber(1))
	return 1
}

// timeoutArg converts the milliseconds of argument i of settimeout(s),
// raising "bad timeout value" outside [0, 2^31).
func timeoutArg(L *glua.LState, i int) time.Duration {
	ms, _ := toNumber(L.Get(i))
	if ms < 0 || ms >= 1<<31 {
		L.RaiseError("bad timeout value")
	}
	return time.Duration(int64(ms)) * time.Millisecond
}

// tcpSetTimeout is tcpsock:settimeout(ms): the connect, send and read
// timeouts; 0 goes back to the config's.
func tcpSetTimeout(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 2 {
		L.RaiseError("ngx.socket settimeout: expecting 2 arguments (including the object) but seen %d", n)
	}
	d := timeoutArg(L, 2)
	tcpOf(L).sock.SetTimeouts(d, d, d)
	return 0
}

// tcpSetTimeouts is tcpsock:settimeouts(connect, send, read), in ms.
func tcpSetTimeouts(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 4 {
		L.RaiseError("ngx.socket settimeout: expecting 4 arguments (including the object) but seen %d", n)
	}
	connect, send, read := timeoutArg(L, 2), timeoutArg(L, 3), timeoutArg(L, 4)
	tcpOf(L).sock.SetTimeouts(connect, send, read)
	return 0
}

// tcpSetOption is tcpsock:setoption(option, value), as lua-resty-core's:
// true, or nil and the error.
func tcpSetOption(L *glua.LState, _ *host.Request) int {
	t := tcpOf(L)
	if t.owner == nil {
		L.RaiseError("socket is never created nor connected")
	}
	name, value := L.Get(2), L.Get(3)
	switch {
	case name == glua.LNil:
		return pushFail(L, errors.New(`missing the "option" argument`))
	case value == glua.LNil:
		return pushFail(L, errors.New(`missing the "value" argument`))
	}
	v := 0
	switch x := value.(type) {
	case glua.LBool:
		if x {
			v = 1
		}
	case glua.LNumber:
		v = int(x)
	default:
		argError(L, 3, "number expected, got "+typeName(L, 3))
	}
	if err := t.sock.SetOption(name.String(), v); err != nil {
		return pushFail(L, err)
	}
	L.Push(glua.LTrue)
	return 1
}

// tcpSetKeepalive is tcpsock:setkeepalive(timeout?, size?): timeout in ms
// (0: no limit; nil: the config's), size of the pool if this creates it
// (nil: the config's).
func (vm *VM) tcpSetKeepalive(L *glua.LState, _ *host.Request) int {
	n := L.GetTop()
	if n < 1 || n > 3 {
		L.RaiseError("expecting 1 to 3 arguments (including the object), but got %d", n)
	}
	t := tcpOf(L)
	timeout := vm.e.opts.Socket.KeepaliveTimeout
	if timeout == 0 {
		timeout = host.DefaultKeepaliveTimeout
	}
	if n >= 2 && L.Get(2) != glua.LNil {
		timeout = time.Duration(checkInteger(L, 2)) * time.Millisecond
	}
	size := vm.e.opts.Socket.PoolSize
	if size == 0 {
		size = host.DefaultSocketPoolSize
	}
	if n >= 3 && L.Get(3) != glua.LNil {
		size = checkInteger(L, 3)
	}
	vm.checkOwner(L, t.owner, !t.sock.Closed())
	err := t.sock.SetKeepalive(timeout, size)
	var bad *host.BadArgError
	if errors.As(err, &bad) {
		argError(L, n, bad.Msg)
	}
	if err != nil {
		return pushFail(L, err)
	}
	L.Push(glua.LNumber(1))
	return 1
}

// tcpGetReusedTimes is tcpsock:getreusedtimes().
func tcpGetReusedTimes(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 1 {
		L.RaiseError("expecting 1 argument (including the object), but got %d", n)
	}
	count, err := tcpOf(L).sock.GetReusedTimes()
	if err != nil {
		return pushFail(L, err)
	}
	L.Push(glua.LNumber(count))
	return 1
}

// udpSetPeerName is udpsock:setpeername(host, port) or
// setpeername("unix:/path").
func (vm *VM) udpSetPeerName(L *glua.LState, _ *host.Request) int {
	n := L.GetTop()
	if n != 2 && n != 3 {
		L.RaiseError("ngx.socket.udp setpeername: expecting 2 or 3 arguments (including the object), but seen %d", n)
	}
	u := udpOf(L)
	hostName := checkString(L, 2)
	port := host.NoPort
	if n == 3 && isNumber(L.Get(3)) {
		f, _ := toNumber(L.Get(3))
		port = int(f)
	}
	vm.checkOwner(L, u.owner, true)
	job, err := u.sock.SetPeerName(hostName, port)
	if err != nil {
		return pushFail(L, err)
	}
	vm.own(&u.owner, u.sock)
	return vm.wait(L, func() []glua.LValue { return okOrFail(job()) })
}

// udpSend is udpsock:send(data): 1, or nil and the error.
func (vm *VM) udpSend(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 2 {
		L.RaiseError("expecting 2 arguments (including the object), but got %d", n)
	}
	u := udpOf(L)
	data := vm.sendData(L)
	vm.checkOwner(L, u.owner, true)
	if err := u.sock.Send(data); err != nil {
		return pushFail(L, err)
	}
	L.Push(glua.LNumber(1))
	return 1
}

// udpReceive is udpsock:receive(size?): a datagram, or nil and the error.
func (vm *VM) udpReceive(L *glua.LState, _ *host.Request) int {
	n := L.GetTop()
	if n != 1 && n != 2 {
		L.RaiseError("expecting 1 or 2 arguments (including the object), but got %d", n)
	}
	u := udpOf(L)
	size := 0
	if n == 2 {
		size = checkInteger(L, 2)
	}
	vm.checkOwner(L, u.owner, true)
	job, err := u.sock.Receive(size)
	if err != nil {
		return pushFail(L, err)
	}
	return vm.wait(L, func() []glua.LValue {
		data, err := job()
		if err != nil {
			return []glua.LValue{glua.LNil, glua.LString(err.Error())}
		}
		return []glua.LValue{glua.LString(data)}
	})
}

// udpSetTimeout is udpsock:settimeout(ms).
func udpSetTimeout(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n < 2 {
		L.RaiseError("ngx.socket settimeout: expecting at least 2 arguments (including the object) but seen %d", n)
	}
	ms, _ := toNumber(L.Get(2))
	udpOf(L).sock.SetTimeout(time.Duration(int64(ms)) * time.Millisecond)
	return 0
}

// udpClose is udpsock:close().
func (vm *VM) udpClose(L *glua.LState, _ *host.Request) int {
	if n := L.GetTop(); n != 1 {
		L.RaiseError("expecting 1 argument (including the object) but seen %d", n)
	}
	u := udpOf(L)
	vm.checkOwner(L, u.owner, true)
	if err := u.sock.Close(); err != nil {
		return pushFail(L, err)
	}
	L.Push(glua.LNumber(1))
	return 1
}
