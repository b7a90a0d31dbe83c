package wasm_test

import (
	"fmt"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/moongate/moongate/host/wasm"
)

// A gateway keeps one Runtime, loads each plugin module of a config with
// the phases its hooks name, and runs the hook for each request.
func Example() {
	log, _ := errlog.Open("stderr", errlog.Notice)
	rt, err := wasm.NewRuntime(wasm.Options{CacheDir: "/var/cache/moongate/wasm", Log: log})
	if err != nil {
		panic(err)
	}
	defer rt.Close()

	auth, err := rt.Load("guests/auth.wasm", wasm.Limits{Memory: 16 << 20}, []abi.Phase{abi.PhaseAccess}, nil)
	if err != nil {
		panic(err) // e.g. "guests/auth.wasm: guest export on_access should be () -> (i32)"
	}
	defer auth.Close()
	if err := auth.Init([]byte(`{"header":"x-token"}`)); err != nil {
		panic(err)
	}

	// Per request, in the access phase (r comes from the gateway):
	var r *host.Request
	action, err := auth.Run(r, abi.PhaseAccess, []byte(`{"header":"x-token"}`))
	switch {
	case err != nil: // the instance trapped, timed out or ran out of memory: 500
		fmt.Println(err)
	case action != abi.ActionContinue: // as ngx.exit(action)
		fmt.Println("finish with", action)
	}
}
