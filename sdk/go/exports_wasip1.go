//go:build wasip1

package moongate

import "github.com/moongate/moongate/abi"

// The guest exports of the ABI: the version the host checks at load, and
// one export per phase that runs the phase's handler.

//go:wasmexport moongate_abi_version
func abiVersion() int32 { return abi.Version }

//go:wasmexport on_init
func onInit() int32 { return run(abi.PhaseInit) }

//go:wasmexport on_init_worker
func onInitWorker() int32 { return run(abi.PhaseInitWorker) }

//go:wasmexport on_rewrite
func onRewrite() int32 { return run(abi.PhaseRewrite) }

//go:wasmexport on_access
func onAccess() int32 { return run(abi.PhaseAccess) }

//go:wasmexport on_content
func onContent() int32 { return run(abi.PhaseContent) }

//go:wasmexport on_header_filter
func onHeaderFilter() int32 { return run(abi.PhaseHeaderFilter) }

//go:wasmexport on_body_filter
func onBodyFilter() int32 { return run(abi.PhaseBodyFilter) }

//go:wasmexport on_log
func onLog() int32 { return run(abi.PhaseLog) }

// request is the handle every handler gets.
var request Request

// run calls the handler of phase p and returns its action: Continue when
// there is none. A handler that panics traps the instance: the Go runtime
// writes the panic to stderr, which goes to the error log, and the host
// fails the request with a 500 and throws the instance away, so no
// half-updated module state serves another request.
func run(p abi.Phase) int32 {
	if h := handlers[p]; h != nil {
		return int32(h(&request))
	}
	return abi.ActionContinue
}
