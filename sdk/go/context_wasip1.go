//go:build wasip1

package moongate

import "github.com/moongate/moongate/abi"

// Phase returns the current phase (ngx.get_phase).
func Phase() abi.Phase {
	p := hostGetPhase()
	if p < 0 {
		return abi.PhaseNone
	}
	return abi.Phase(p)
}

// Log writes msg to the error log at level, with the request's context
// (ngx.log).
func Log(level Level, msg string) error {
	return check(hostLog(int32(level), strPtr(msg), size(msg)))
}

// pluginConfig returns the hook's config as JSON, in the shared buffer.
func pluginConfig() ([]byte, error) {
	return fetch(func(b []byte) int32 { return hostPluginConfig(bytesPtr(b), size(b)) })
}

// Config decodes the hook's config (its `config:` in the gateway's YAML,
// null when absent) into v, as json.Unmarshal does. A handler that reads its
// config on every call can use a CachedConfig instead.
func Config(v any) error {
	raw, err := pluginConfig()
	if err != nil {
		return err
	}
	return decodeConfig(raw, v)
}

// Get returns the hook's config, decoded only when it changed since the
// last call.
func (c *CachedConfig[T]) Get() (T, error) {
	raw, err := pluginConfig()
	if err != nil {
		var zero T
		return zero, err
	}
	return c.update(raw)
}

// WorkerID returns this instance's number within its module's pool
// (ngx.worker.id).
func WorkerID() (int, error) { return intResult(hostWorkerID()) }

// WorkerCount returns the size of the module's pool (ngx.worker.count).
func WorkerCount() (int, error) { return intResult(hostWorkerCount()) }

// WorkerPID returns the gateway's process id (ngx.worker.pid).
func WorkerPID() (int, error) { return intResult(hostWorkerPID()) }

// WorkerExiting reports whether the gateway is shutting down
// (ngx.worker.exiting).
func WorkerExiting() (bool, error) { return boolResult(hostWorkerExiting()) }
