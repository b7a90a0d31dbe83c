package wasm

import (
	"bytes"

	"github.com/moongate/moongate/errlog"
)

// maxLine is the longest output line kept whole; a longer one is logged
// in pieces.
const maxLine = 4096

// lineWriter writes a guest's stdout or stderr to the error log, one line
// per log entry at level notice, each prefixed. One instance writes to it
// at a time.
type lineWriter struct {
	log    *errlog.Logger
	prefix string
	buf    []byte // the unterminated last line
}

func newLineWriter(log *errlog.Logger, prefix string) *lineWriter {
	return &lineWriter{log: log, prefix: prefix}
}

// Write logs each complete line of p, in pieces of at most maxLine bytes,
// and keeps the rest for later.
func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		end := bytes.IndexByte(p, '\n')
		if end < 0 {
			end = len(p)
		}
		if room := maxLine - len(w.buf); end > room {
			w.buf = append(w.buf, p[:room]...)
			w.flush()
			p = p[room:]
			continue
		}
		w.buf = append(w.buf, p[:end]...)
		if end == len(p) {
			break
		}
		w.flush()
		p = p[end+1:]
	}
	return n, nil
}

// flush logs the kept partial line, if any.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.log.Log(errlog.Notice, w.prefix+string(w.buf))
		w.buf = w.buf[:0]
	}
}
