package errlog

import (
	"bytes"
	"regexp"
	"testing"
)

func TestLogger(t *testing.T) {
	tests := []struct {
		name  string
		min   Level
		level Level
		msg   string
		want  string // regexp of the output; "" for nothing
	}{
		{"at the level", Error, Error, "boom", `^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[error\] \d+#0: boom\n$`},
		{"more severe", Warn, Crit, "worse", `\[crit\] \d+#0: worse\n$`},
		{"less severe is dropped", Error, Info, "chatter", ""},
		{"stderr level", Notice, Stderr, "raw", `\[stderr\] \d+#0: raw\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			New(&buf, tt.min).Logf(tt.level, "%s", tt.msg)
			if tt.want == "" {
				if buf.Len() != 0 {
					t.Errorf("wrote %q, want nothing", buf.String())
				}
				return
			}
			if !regexp.MustCompile(tt.want).MatchString(buf.String()) {
				t.Errorf("wrote %q, want a match for %s", buf.String(), tt.want)
			}
		})
	}
}

func TestParseLevel(t *testing.T) {
	for _, name := range []string{"stderr", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"} {
		lv, err := ParseLevel(name)
		if err != nil || lv.String() != name {
			t.Errorf("ParseLevel(%q) = %v, %v", name, lv, err)
		}
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("ParseLevel accepted an unknown level")
	}
}
