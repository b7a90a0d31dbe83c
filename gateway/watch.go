package gateway

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/moongate/moongate/errlog"
)

// watcher reloads the config when the config file or a file it references
// (lua_file, wasm, plugin files) changes. It watches their directories,
// since editors and the admin API replace files by renaming over them.
//
// Two goroutines: drain takes fsnotify's events and never blocks (fsnotify
// may hold its lock while it sends), and loop debounces and reloads.
type watcher struct {
	fs       *fsnotify.Watcher
	debounce time.Duration
	kick     chan struct{}   // cap 1: a relevant change is pending
	drained  chan struct{}   // closed when drain has ended
	done     chan struct{}   // closed when loop has ended
	dirs     map[string]bool // the watched directories; reloadMu guards it

	mu      sync.Mutex
	files   map[string]bool // the paths whose changes matter
	changed map[string]bool // the relevant paths changed since the last reload
}

// startWatch starts watching the serving config's files; a burst of
// changes reloads once, debounce after the last one. When the system
// refuses a watcher (such as too many inotify instances), the gateway
// serves without one and logs why. The caller holds reloadMu.
func (g *Gateway) startWatch(debounce time.Duration) {
	fs, err := fsnotify.NewWatcher()
	if err != nil {
		g.snap.Load().log.Logf(errlog.Error, "watch: %s is not watched: %v", g.path, err)
		return
	}
	w := &watcher{fs: fs, debounce: debounce, kick: make(chan struct{}, 1), drained: make(chan struct{}),
		done: make(chan struct{}), dirs: map[string]bool{}, changed: map[string]bool{}}
	g.watch = w
	g.rearmWatch()
	go g.drainWatch(w)
	go g.watchLoop(w)
}

// stop ends the watcher's goroutines; w may be nil. Its owner has
// detached it from the Gateway first, under reloadMu.
func (w *watcher) stop() {
	if w != nil {
		w.fs.Close()
		<-w.done
	}
}

// rearmWatch points the watcher at the serving config's files: they may
// have changed with the config. The caller holds reloadMu.
func (g *Gateway) rearmWatch() {
	w := g.watch
	if w == nil {
		return
	}
	files := map[string]bool{filepath.Clean(g.path): true}
	for path := range g.snap.Load().src.files {
		files[filepath.Clean(path)] = true
	}
	dirs := map[string]bool{}
	for path := range files {
		dirs[filepath.Dir(path)] = true
	}
	w.mu.Lock()
	w.files = files
	w.mu.Unlock()
	log := g.snap.Load().log
	for dir := range w.dirs {
		if !dirs[dir] {
			w.fs.Remove(dir)
			delete(w.dirs, dir)
		}
	}
	for dir := range dirs {
		if w.dirs[dir] {
			continue
		}
		if err := w.fs.Add(dir); err != nil {
			log.Logf(errlog.Warn, "watch: %s: %v", dir, err)
			continue
		}
		w.dirs[dir] = true
	}
}

// drainWatch notes the relevant events and logs the watcher's errors until
// the fsnotify watcher is closed.
func (g *Gateway) drainWatch(w *watcher) {
	defer close(w.drained)
	for {
		select {
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if w.note(ev) {
				select {
				case w.kick <- struct{}{}:
				default:
				}
			}
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			g.snap.Load().log.Logf(errlog.Warn, "watch: %v", err)
		}
	}
}

// note records ev if it changes one of the watched files, and reports
// whether it did.
func (w *watcher) note(ev fsnotify.Event) bool {
	if !ev.Has(fsnotify.Write | fsnotify.Create | fsnotify.Rename | fsnotify.Remove) {
		return false
	}
	name := filepath.Clean(ev.Name)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.files[name] {
		return false
	}
	w.changed[name] = true
	return true
}

// takeChanged returns the changed paths, sorted, and forgets them.
func (w *watcher) takeChanged() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := slices.Sorted(maps.Keys(w.changed))
	clear(w.changed)
	return names
}

// watchLoop reloads through apply once changes have settled for the
// debounce time, skipping the reload when the files are those already
// serving (as after an admin API change). It ends with drainWatch.
func (g *Gateway) watchLoop(w *watcher) {
	defer close(w.done)
	timer := time.NewTimer(w.debounce)
	timer.Stop()
	for {
		select {
		case <-w.drained:
			timer.Stop()
			return
		case <-w.kick:
			timer.Reset(w.debounce)
		case <-timer.C:
			names := w.takeChanged()
			if len(names) == 0 {
				continue // noted by the previous reload already
			}
			// apply logs the outcome; an error keeps the old config serving.
			g.apply(change{source: "watch: " + strings.Join(names, ", ") + " changed", unlessServed: true})
		}
	}
}
