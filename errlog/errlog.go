// Package errlog is moongate's error log: nginx's levels and line format,
// written to stderr, stdout or a file. It is shared by the gateway and the
// host API (ngx.log) and imports nothing from moongate.
package errlog

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// Level is an nginx log level; lower is more severe.
type Level int

// The levels, with the values ngx.STDERR ... ngx.DEBUG have in OpenResty.
const (
	Stderr Level = iota
	Emerg
	Alert
	Crit
	Error
	Warn
	Notice
	Info
	Debug
)

var levelNames = [...]string{"stderr", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"}

// String returns the level's name as nginx writes it.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "unknown"
	}
	return levelNames[l]
}

// ParseLevel parses a level name ("error", "warn", ...).
func ParseLevel(name string) (Level, error) {
	for i, n := range levelNames {
		if n == name {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown log level %q", name)
}

// Logger writes lines at or above its level. It is safe for concurrent use.
type Logger struct {
	mu    sync.Mutex
	w     io.Writer
	c     io.Closer
	level Level
	pid   string
	buf   []byte
}

// New returns a logger writing to w the lines of level min or more severe.
func New(w io.Writer, min Level) *Logger {
	return &Logger{w: w, level: min, pid: strconv.Itoa(os.Getpid())}
}

// Open returns a logger for path: "stderr", "stdout" or a file, which is
// created or appended to.
func Open(path string, min Level) (*Logger, error) {
	switch path {
	case "", "stderr":
		return New(os.Stderr, min), nil
	case "stdout":
		return New(os.Stdout, min), nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("error_log: %w", err)
	}
	l := New(f, min)
	l.c = f
	return l, nil
}

// Close closes the log file, if the logger owns one.
func (l *Logger) Close() error {
	if l.c == nil {
		return nil
	}
	return l.c.Close()
}

// Enabled reports whether a line of level lv would be written.
func (l *Logger) Enabled(lv Level) bool { return lv <= l.level }

// Log writes one line: "2006/01/02 15:04:05 [level] pid#0: msg".
func (l *Logger) Log(lv Level, msg string) {
	if !l.Enabled(lv) {
		return
	}
	l.mu.Lock()
	b := time.Now().AppendFormat(l.buf[:0], "2006/01/02 15:04:05 [")
	b = append(b, lv.String()...)
	b = append(b, "] "...)
	b = append(b, l.pid...)
	b = append(b, "#0: "...)
	b = append(b, msg...)
	b = append(b, '\n')
	l.w.Write(b)
	l.buf = b
	l.mu.Unlock()
}

// Logf formats and writes one line.
func (l *Logger) Logf(lv Level, format string, args ...any) {
	if l.Enabled(lv) {
		l.Log(lv, fmt.Sprintf(format, args...))
	}
}
