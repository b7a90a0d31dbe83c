//go:build wasip1

package moongate

import "github.com/moongate/moongate/abi"

//go:wasmexport on_validate_config
func onValidateConfig() int32 {
	if validator == nil {
		return 0
	}
	if err := validator(&request); err != nil {
		Log(ERR, "invalid plugin config: "+err.Error())
		return 1
	}
	return 0
}

// phases tells the host which phases have handlers: the SDK exports every
// phase function, so a plugin would otherwise run in all of them.
//
//go:wasmexport moongate_phases
func phases() int32 {
	var set abi.Phases
	for p, h := range handlers {
		if h != nil {
			set |= abi.SetOf(abi.Phase(p))
		}
	}
	return int32(set)
}
