// Package config parses and validates moongate.yaml, the gateway's
// configuration file (DESIGN §5).
//
// [Load] and [Parse] decode the YAML document, fill in the defaults, check
// every value and return either a complete [Config] or an [Errors] that
// lists every problem found, each with its file, line, route and key. They
// read the source of each lua_file hook so the gateway can compile it, and
// check that each wasm module exists; they compile nothing.
//
// Sizes use nginx size syntax ([ParseSize]) and times nginx time syntax
// ([ParseDuration]). A null value (an empty "key:") means the same as an
// absent key: the default applies. YAML anchors, aliases and merge keys
// ("<<") may be used anywhere; a problem in a value reached through an
// alias is reported at the anchored value's line, under the key that used
// it.
//
// This package imports only the standard library and gopkg.in/yaml.v3; it
// must not import any other moongate package.
package config
