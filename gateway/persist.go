package gateway

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/moongate/moongate/errlog"
)

// change is one proposed config for apply.
type change struct {
	source string // who asks, for the log: "reload", "watch", "admin PUT /plugins/x"
	// data is the config file's new content; nil reads the file.
	data []byte
	// edit, if set, turns the config file's current content into the new
	// one, with the new files that refers to (by path, created before the
	// config is parsed and removed again if it is rejected). It runs
	// under reloadMu, so concurrent edits do not lose each other.
	edit func(data []byte) ([]byte, map[string][]byte, error)
	// persist writes data to the config file once the snapshot is built.
	persist bool
	// unlessServed skips the change when the config and every file it
	// references are those of the serving snapshot.
	unlessServed bool
}

// apply is the one way a config comes to serve: it parses the config,
// builds the snapshot fully (compiling every Lua chunk and Wasm module,
// running init), and only then persists the file and swaps the snapshot
// in; in-flight requests finish on the old one, which is closed once
// drained. A rejected change leaves everything as it was, on disk too, and
// is logged and returned. It returns the snapshot serving afterwards: the
// change's own, even when another change follows at once.
func (g *Gateway) apply(c change) (*snapshot, error) {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	if g.stopped {
		return nil, g.reject(c, errStopped)
	}
	data := c.data
	if data == nil {
		var err error
		if data, err = os.ReadFile(g.path); err != nil {
			return nil, g.reject(c, err)
		}
	}
	var files map[string][]byte
	if c.edit != nil {
		var err error
		if data, files, err = c.edit(data); err != nil {
			return nil, g.reject(c, err)
		}
	}
	if cur := g.snap.Load(); c.unlessServed && cur.src.same(data) {
		return cur, nil
	}
	created, err := createFiles(files)
	if err != nil {
		return nil, g.reject(c, fmt.Errorf("%w: %w", errPersist, err))
	}
	next, err := g.load(data)
	if err == nil && c.persist {
		if err = writeFileAtomic(g.path, data); err != nil {
			err = fmt.Errorf("%w: %w", errPersist, err)
			g.discard(next)
		}
	}
	if err != nil {
		removeFiles(created)
		return nil, g.reject(c, err)
	}
	old := g.commit(next)
	s := next.s
	if s.cfg.Listen != old.cfg.Listen || s.cfg.Admin.Listen != old.cfg.Admin.Listen {
		s.log.Logf(errlog.Warn, "listen addresses changed in %s; they take effect after a restart", s.cfg.File)
	}
	s.log.Logf(errlog.Notice, "config %s loaded as generation %d (%s)", s.cfg.File, s.gen, c.source)
	g.draining.Add(1)
	go func() {
		defer g.draining.Done()
		old.drain()
		g.closeLog(old.log)
	}()
	s.removeStalePlugins()
	g.rearmWatch()
	return s, nil
}

// errStopped refuses a change once Shutdown has begun.
var errStopped = errors.New("the gateway is shutting down")

// reject logs a rejected change and returns err.
func (g *Gateway) reject(c change, err error) error {
	s := g.snap.Load()
	s.log.Logf(errlog.Error, "%s: reload rejected, keeping generation %d: %v", c.source, s.gen, err)
	return err
}

// createFiles writes each file that does not exist yet, atomically, and
// returns the paths it created, with the directory it created for them if
// it did, in order of creation. On error it removes them again.
func createFiles(files map[string][]byte) ([]string, error) {
	var created []string
	for path, data := range files {
		if _, err := os.Stat(path); err == nil {
			continue // content-addressed: the same name holds the same bytes
		}
		dir := filepath.Dir(path)
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				removeFiles(created)
				return nil, err
			}
			created = append(created, dir)
		}
		if err := writeFileAtomic(path, data); err != nil {
			removeFiles(created)
			return nil, err
		}
		created = append(created, path)
	}
	return created, nil
}

// removeFiles removes what createFiles created, the files before their
// directory.
func removeFiles(paths []string) {
	for _, p := range slices.Backward(paths) {
		os.Remove(p)
	}
}

// writeFileAtomic replaces path with data so that a crash leaves either
// the old or the new content: it writes a temp file in the same directory,
// syncs it, renames it over path and syncs the directory. An existing
// file's permissions are kept.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// pluginFileName matches the files the admin API writes into
// admin.plugin_dir: "<plugin>-<16 hex digits of the code's sha256>.lua" or
// ".wasm".
var pluginFileName = regexp.MustCompile(`^[A-Za-z0-9_-]+-[0-9a-f]{16}\.(lua|wasm)$`)

// pluginFile returns the path in dir of the file holding a plugin's code.
func pluginFile(dir, name, sha256, ext string) string {
	return filepath.Join(dir, name+"-"+sha256[:16]+"."+ext)
}

// removeStalePlugins deletes the files in s's plugin dir that the admin
// API wrote and s's config no longer references. Retired snapshots do not need
// them: Lua sources and Wasm modules are read once, when a snapshot is
// built.
func (s *snapshot) removeStalePlugins() {
	dir := s.cfg.Admin.PluginDir
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // no plugin dir: nothing was uploaded
	}
	used := make(map[string]bool, len(s.src.files))
	for path := range s.src.files {
		used[filepath.Clean(path)] = true // the config may spell a path unclean
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if used[path] || !e.Type().IsRegular() || !pluginFileName.MatchString(e.Name()) {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Logf(errlog.Warn, "removing unused plugin file: %v", err)
		}
	}
}
