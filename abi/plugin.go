package abi

// ValidateExport is the optional guest export `on_validate_config() -> i32`
// of a Wasm plugin (a module named in the config's plugins section). The
// host calls it once for each route that uses the plugin, when the config
// is loaded, with that route's config readable through plugin_config and
// the init phase's API; 0 accepts the config, any other value rejects it
// and with it the whole config (the guest should log why with ngx_log
// first).
const ValidateExport = "on_validate_config"

// PluginPhases are the per-request phases a named plugin (Lua or Wasm)
// may hook, in lifecycle order. A plugin's init_worker runs once per VM
// or instance; plugins have no content phase, the route's own content or
// proxy_pass answers.
var PluginPhases = []Phase{PhaseRewrite, PhaseAccess, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog}

// PhasesExport is the optional guest export `moongate_phases() -> i32`: the
// set of phases (bit 1<<phase, as Phases) the guest handles. An SDK that
// exports every phase function, handled or not (the Go SDK does), exports
// it so that a Wasm plugin runs only in the phases it handles; without it,
// a plugin runs in every phase whose export it has.
const PhasesExport = "moongate_phases"
