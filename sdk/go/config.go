package moongate

import (
	"bytes"
	"encoding/json"
)

// CachedConfig is a hook's config decoded into a T, decoded again only when
// the config's JSON changes. Instances are shared by every hook that names
// the module, each with its own config, so a plugin cannot decode its
// config once at start; Get costs a comparison while the config stays the
// same, and allocates nothing. The zero value is ready to use.
type CachedConfig[T any] struct {
	raw    []byte
	value  T
	err    error
	loaded bool
}

// update returns the value decoded from raw, decoding only when raw differs
// from the last JSON decoded.
func (c *CachedConfig[T]) update(raw []byte) (T, error) {
	if c.loaded && bytes.Equal(raw, c.raw) {
		return c.value, c.err
	}
	var v T
	c.err = decodeConfig(raw, &v)
	c.raw = append(c.raw[:0], raw...)
	c.value, c.loaded = v, true
	return c.value, c.err
}

// decodeConfig decodes a hook's JSON config into v.
func decodeConfig(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return &configError{err}
	}
	return nil
}

// configError is the error of a config that does not decode.
type configError struct{ err error }

func (e *configError) Error() string { return "moongate: plugin config: " + e.err.Error() }

func (e *configError) Unwrap() error { return e.err }
