package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/moongate/moongate/gateway/config"
)

// sources describes what the serving snapshot was built from: the config
// file's content, the files it references and its plugins' versions. It
// is immutable; apply replaces it with each swap.
type sources struct {
	data    []byte                  // the config file's content
	files   map[string]string       // sha256 (hex) of each file the config references (lua_file, wasm), by path
	plugins map[string]*pluginState // by plugin name
}

// pluginState is what the admin API reports of a plugin besides its
// config.
type pluginState struct {
	Kind    string `json:"kind"`           // "lua" or "wasm"
	File    string `json:"file,omitempty"` // lua_file or wasm path; "" for inline Lua
	SHA256  string `json:"sha256"`         // of the code
	Version int    `json:"version"`        // bumped each time the code or a setting changes
	digest  string // of the code and settings, to tell a change
}

// readSources hashes cfg's referenced files and numbers its plugins'
// versions from prev (nil for the first config): a plugin keeps its
// version while its code and settings stay the same, and a new plugin
// starts at 1.
func readSources(cfg *config.Config, data []byte, prev *sources) (*sources, error) {
	src := &sources{data: data, files: map[string]string{}, plugins: map[string]*pluginState{}}
	hash := func(h *config.Hook) (string, error) {
		if h.Wasm == "" {
			sum := sha256Hex([]byte(h.Lua))
			if h.File != "" {
				src.files[h.File] = sum
			}
			return sum, nil
		}
		if sum, ok := src.files[h.Wasm]; ok {
			return sum, nil
		}
		bin, err := os.ReadFile(h.Wasm)
		if err != nil {
			return "", fmt.Errorf("%s: %w", cfg.File, err)
		}
		src.files[h.Wasm] = sha256Hex(bin)
		return src.files[h.Wasm], nil
	}
	for _, ref := range cfg.Hooks() {
		if _, err := hash(ref.Hook); err != nil {
			return nil, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Plugins)) {
		p := cfg.Plugins[name]
		sum, err := hash(&p.Hook)
		if err != nil {
			return nil, err
		}
		st := &pluginState{Kind: "lua", File: p.File, SHA256: sum, Version: 1}
		if p.Wasm != "" {
			st.Kind, st.File = "wasm", p.Wasm
		}
		settings, err := json.Marshal([]any{sum, p.Priority, p.Config, p.Limits})
		if err != nil {
			return nil, fmt.Errorf("%s: plugins.%s: %w", cfg.File, name, err)
		}
		st.digest = sha256Hex(settings)
		if old := prev.plugin(name); old != nil {
			st.Version = old.Version
			if old.digest != st.digest {
				st.Version++
			}
		}
		src.plugins[name] = st
	}
	return src, nil
}

// plugin returns the state of the named plugin, or nil; src may be nil.
func (src *sources) plugin(name string) *pluginState {
	if src == nil {
		return nil
	}
	return src.plugins[name]
}

// same reports whether data (the config file's content) and the files on
// disk are those src was built from.
func (src *sources) same(data []byte) bool {
	if src == nil || !bytes.Equal(src.data, data) {
		return false
	}
	for path, sum := range src.files {
		b, err := os.ReadFile(path)
		if err != nil || sha256Hex(b) != sum {
			return false
		}
	}
	return true
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
