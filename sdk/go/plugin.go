package moongate

// validator checks a plugin's per-route config; nil accepts any.
var validator func(r *Request) error

// OnValidateConfig registers the check of a Wasm plugin's per-route
// config: the host calls it once for each route that uses the plugin when
// a config is loaded, with that route's config readable through Config.
// An error rejects the config (and is logged); nil accepts it.
func OnValidateConfig(f func(r *Request) error) { validator = f }
