package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    Size
		wantErr string
	}{
		{in: "0", want: 0},
		{in: "1024", want: 1024},
		{in: "8k", want: 8 << 10},
		{in: "8K", want: 8 << 10},
		{in: "10m", want: 10 << 20},
		{in: "10M", want: 10 << 20},
		{in: "1g", want: 1 << 30},
		{in: "2G", want: 2 << 30},
		{in: "9223372036854775807", want: 1<<63 - 1},
		{in: "", wantErr: `invalid size ""`},
		{in: "k", wantErr: `invalid size "k"`},
		{in: "10x", wantErr: `invalid size "10x"`},
		{in: "-1", wantErr: `invalid size "-1"`},
		{in: "+1", wantErr: `invalid size "+1"`},
		{in: "1.5m", wantErr: `invalid size "1.5m"`},
		{in: "1 m", wantErr: `invalid size "1 m"`},
		{in: "10kb", wantErr: `invalid size "10kb"`},
		{in: "9223372036854775808", wantErr: `invalid size "9223372036854775808"`},
		{in: "9007199254740992k", wantErr: `invalid size "9007199254740992k"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseSize(%q) = %d, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "0", want: 0},
		{in: "30", want: 30 * time.Second},
		{in: "0.5", want: 500 * time.Millisecond},
		{in: "500ms", want: 500 * time.Millisecond},
		{in: "5s", want: 5 * time.Second},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "1m", want: time.Minute},
		{in: "2h", want: 2 * time.Hour},
		{in: "1d", want: 24 * time.Hour},
		{in: "1w", want: 7 * 24 * time.Hour},
		{in: "1M", want: 30 * 24 * time.Hour},
		{in: "1y", want: 365 * 24 * time.Hour},
		{in: "1m30s", want: 90 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1h500ms", want: time.Hour + 500*time.Millisecond},
		{in: "1d2h3m4s5ms", want: 26*time.Hour + 3*time.Minute + 4*time.Second + 5*time.Millisecond},
		{in: "", wantErr: `invalid time ""`},
		{in: "5x", wantErr: `invalid time "5x"`},
		{in: "s", wantErr: `invalid time "s"`},
		{in: "-1s", wantErr: `invalid time "-1s"`},
		{in: "1s1m", wantErr: `invalid time "1s1m"`},
		{in: "1s1s", wantErr: `invalid time "1s1s"`},
		{in: "1m30", wantErr: `invalid time "1m30"`},
		{in: ".5s", wantErr: `invalid time ".5s"`},
		{in: "5.s", wantErr: `invalid time "5.s"`},
		{in: "1e3s", wantErr: `invalid time "1e3s"`},
		{in: "1 s", wantErr: `invalid time "1 s"`},
		{in: "1us", wantErr: `invalid time "1us"`},
		{in: "300y", wantErr: `invalid time "300y"`},
		{in: "290y200M", wantErr: `invalid time "290y200M"`},
		{in: strings.Repeat("9", 400), wantErr: fmt.Sprintf("invalid time %q", strings.Repeat("9", 400))},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseDuration(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}
