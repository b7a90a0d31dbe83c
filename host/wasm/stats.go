package wasm

// PoolStats counts a Module's instances, for monitoring.
type PoolStats struct {
	Size  int `json:"size"`   // Limits.Pool: the most instances at once
	Alive int `json:"alive"`  // instances created and not yet closed
	InUse int `json:"in_use"` // alive instances not idle: in a call, or being handed out
}

// Stats returns the module's instance counts. They are read without
// stopping the pool, so under load they are a close estimate.
func (m *Module) Stats() PoolStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return PoolStats{Size: m.lim.Pool, Alive: m.alive, InUse: max(m.alive-len(m.idle), 0)}
}
