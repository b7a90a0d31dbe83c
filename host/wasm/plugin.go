package wasm

import (
	"fmt"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// PluginPhases returns the phases of abi.PluginPhases the guest handles as
// a plugin: those its moongate_phases export names, or without that
// export, those it exports a function for.
func (m *Module) PluginPhases() (abi.Phases, error) {
	exports := m.cm.ExportedFunctions()
	var handled abi.Phases
	if _, ok := exports[abi.PhasesExport]; ok {
		set, err := m.callOnce(abi.PhasesExport, nil)
		if err != nil {
			return 0, err
		}
		handled = abi.Phases(set)
	}
	var phases abi.Phases
	for _, p := range abi.PluginPhases {
		if _, ok := exports[abi.PhaseExports[p]]; ok && (handled == 0 || handled.Has(p)) {
			phases |= abi.SetOf(p)
		}
	}
	return phases, nil
}

// ValidateConfig calls the guest's on_validate_config export (if any) with
// config as plugin_config, in the init phase. A failed call, or a non-zero
// return, is an error.
func (m *Module) ValidateConfig(config []byte) error {
	if _, ok := m.cm.ExportedFunctions()[abi.ValidateExport]; !ok {
		return nil
	}
	code, err := m.callOnce(abi.ValidateExport, config)
	if err == nil && code != 0 {
		err = fmt.Errorf("%s: %s rejected the config (returned %d)", m.path, abi.ValidateExport, code)
	}
	return err
}

// callOnce calls export, which returns an i32, on an instance in the init
// phase with config as plugin_config.
func (m *Module) callOnce(export string, config []byte) (int32, error) {
	r := host.NewContext(abi.PhaseInit, m.rt.log)
	r.Dicts = m.dicts
	in, _, err := m.acquire(r)
	if err != nil {
		return 0, &HookError{Path: m.path, Phase: abi.PhaseInit, Err: err}
	}
	saved := in.state
	in.state = callState{r: r, config: config}
	code, err := in.callExport(in.mod.ExportedFunction(export), m.lim.Timeout)
	in.state = saved
	m.release(r, in)
	if err != nil {
		return 0, &HookError{Path: m.path, Phase: abi.PhaseInit, Err: fmt.Errorf("%s: %w", export, err)}
	}
	return code, nil
}
