package wasm

import (
	"strings"
	"testing"

	"github.com/moongate/moongate/errlog"
)

func TestLineWriter(t *testing.T) {
	long := strings.Repeat("x", maxLine)
	tests := []struct {
		name   string
		writes []string
		lines  []string // the messages logged, flush included
	}{
		{name: "lines", writes: []string{"a\nb\n"}, lines: []string{"a", "b"}},
		{name: "split line", writes: []string{"he", "llo\nwor", "ld"}, lines: []string{"hello", "world"}},
		{name: "empty lines", writes: []string{"\n\nx\n"}, lines: []string{"x"}},
		{name: "long line", writes: []string{long + "yz\n"}, lines: []string{long, "yz"}},
		{name: "long line in pieces", writes: []string{"ab", long}, lines: []string{"ab" + long[2:], "xx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			w := newLineWriter(errlog.New(&out, errlog.Notice), "g.wasm: ")
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.flush()
			var got []string
			for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
				_, msg, ok := strings.Cut(line, "#0: g.wasm: ")
				if ok {
					got = append(got, msg)
				}
			}
			if g, w := strings.Join(got, "|"), strings.Join(tt.lines, "|"); g != w {
				t.Errorf("logged %d lines (%d bytes), want %d (%d bytes)", len(got), len(g), len(tt.lines), len(w))
			}
		})
	}
}
