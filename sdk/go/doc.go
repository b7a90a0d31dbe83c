// Package moongate is the Go SDK for moongate Wasm plugins: standard Go,
// built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm .
//
// A plugin registers one handler per phase in an init function; the SDK
// defines the guest exports of the moongate ABI (abi/ABI.md) and calls the
// registered handler from each. A phase without a handler continues.
//
//	package main
//
//	import moongate "github.com/moongate/moongate/sdk/go"
//
//	func main() {} // required, never called
//
//	func init() {
//		moongate.OnAccess(func(r *moongate.Request) moongate.Action {
//			if token, err := r.Header("x-token"); err != nil || token != "secret" {
//				return r.Exit(401)
//			}
//			return moongate.Continue
//		})
//	}
//
// Every function carries out one host function of the ABI, which carries out
// one OpenResty API: r.Header is ngx.req.get_headers()[name], r.Say is
// ngx.say, moongate.Log is ngx.log, and each is allowed in the phases where
// OpenResty allows its API. A call that fails returns an *Error whose message
// is OpenResty's ("API disabled in the context of log_by_lua*") and which
// matches one of ErrPhase, ErrNotFound, ErrBadArgument and ErrFailed under
// errors.Is. A value that is absent (a header, a variable, a ctx key) is
// ErrNotFound, where Lua would see nil.
//
// SharedDict opens one of the config's shared dicts (ngx.shared.NAME), whose
// methods are ngx.shared.DICT's over Values: strings, numbers, booleans or
// nil, each entry with user flags.
//
// Sleep (ngx.sleep), Connect (ngx.socket.tcp) and UDP (ngx.socket.udp),
// whose Conn and UDPConn send and receive as cosockets do, wait without
// holding up other requests: the request's instance waits, and the wait
// does not count against the hook's time limit. A Conn or UDPConn lives as
// long as the handler that opened it;
// SetKeepalive hands its connection to the gateway's keep-alive pool for a
// later request. Conn.ReceiveUntil returns an Until, which reads the
// stream up to each occurrence of a delimiter (tcpsock:receiveuntil).
//
// TimerAt and TimerEvery (ngx.timer.at, ngx.timer.every) arm timers that
// run the OnTimer handler later, outside any request, on one of the
// plugin's instances; the handler learns the timer's id, its argument and
// whether it runs prematurely because the plugin is being closed.
//
// Match, MatchAll, Sub and GSub (ngx.re.*) run regular expressions on the
// host's engine, which compiles each pattern once and caches it.
// Request.Capture and CaptureMulti (ngx.location.capture) run subrequests
// to the gateway's routes; Request.Exec (ngx.exec) redirects internally.
// Encoding and hashing are left to Go's standard library.
//
// Results are read into one reusable buffer that grows as needed, so a call
// allocates only the value it returns. Lists (headers, query and form
// arguments) come back as Headers and Args, which keep the host's order,
// repeated names and arguments without a value.
//
// The functions that reach the host exist only when GOOS is wasip1; on other
// platforms the package holds its types, for documentation and tests. A
// module is one instance running one call at a time, so the package keeps its
// handlers and buffer in package variables and is not safe for concurrent
// use from several goroutines. What a plugin prints to stdout or stderr goes
// to the gateway's error log.
//
// The package imports only moongate's abi package, never the host.
package moongate
