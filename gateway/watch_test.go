package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitServes polls GET path (up to 5 seconds) until X-Ver is want, and
// returns the last X-Ver seen.
func (tg *testGateway) waitServes(path, want string) string {
	tg.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := tg.get(path).header.Get("X-Ver")
		if got == want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// edit replaces old by new in the file name (relative to the gateway's
// directory), atomically, as the admin API and most editors do.
func (tg *testGateway) edit(name, old, new string) {
	tg.t.Helper()
	path := filepath.Join(tg.dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		tg.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		tg.t.Fatalf("%s lacks %q:\n%s", name, old, b)
	}
	if err := writeFileAtomic(path, []byte(strings.Replace(string(b), old, new, 1))); err != nil {
		tg.t.Fatal(err)
	}
}

func TestWatchReloadsEditedFiles(t *testing.T) {
	tg := startGateway(t, "watch: {debounce: 10ms}\n"+adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	tests := []struct {
		name      string
		file      string
		old, new  string
		ver       string // X-Ver of GET /r1 afterwards
		rejection string // in the error log, for an edit that must be rejected
	}{
		{name: "plugin file", file: "plugins/ver.lua", old: `"a"`, new: `"b"`, ver: "b1"},
		{name: "config file", file: "moongate.yaml", old: `v: "1"`, new: `v: "2"`, ver: "b2"},
		{name: "lua syntax error", file: "plugins/ver.lua", old: "return M", new: "return {", ver: "b2",
			rejection: "watch: " + filepath.Join(tg.dir, "plugins/ver.lua") + " changed: reload rejected, keeping generation 3: "},
		{name: "fixed", file: "plugins/ver.lua", old: "return {", new: "return M", ver: "b2"},
		{name: "plugin file again", file: "plugins/ver.lua", old: `"b"`, new: `"c"`, ver: "c2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg.edit(tt.file, tt.old, tt.new)
			if tt.rejection != "" {
				if log := tg.waitLog(tt.rejection); !strings.Contains(log, tt.rejection) || !strings.Contains(log, "plugins.ver") {
					t.Fatalf("error log lacks %q naming the plugin:\n%s", tt.rejection, log)
				}
			}
			if got := tg.waitServes("/r1", tt.ver); got != tt.ver {
				t.Errorf("X-Ver %q, want %q", got, tt.ver)
			}
		})
	}
}

// TestWatchSkipsAdminWrites checks that the watcher does not reload again
// what the admin API just applied: after an admin change and one edit, the
// generation has grown by exactly two.
func TestWatchSkipsAdminWrites(t *testing.T) {
	tg := startGateway(t, "watch: {debounce: 10ms}\n"+adminTestConfig, map[string]string{"plugins/ver.lua": verPlugin("a")})
	if resp := tg.adminDo("PUT", "/plugins/ver", verPlugin("admin")); resp.status != 200 {
		t.Fatalf("PUT /plugins/ver = %d %s", resp.status, resp.body)
	}
	tg.edit("moongate.yaml", `v: "1"`, `v: "2"`)
	if got := tg.waitServes("/r1", "admin2"); got != "admin2" {
		t.Fatalf("X-Ver %q, want admin2", got)
	}
	if gen := tg.Generation(); gen != 3 {
		t.Errorf("generation %d, want 3 (the admin change, then the edit):\n%s", gen, tg.errorLog())
	}
}
