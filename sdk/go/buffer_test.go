package moongate

import (
	"bytes"
	"testing"
)

// host answers like a host function writing result: it writes only when
// the buffer is large enough, and counts its calls.
type host struct {
	result []byte
	status int32
	calls  int
}

func (h *host) call(b []byte) int32 {
	h.calls++
	if h.status < 0 {
		return h.status
	}
	if len(h.result) <= len(b) {
		copy(b, h.result)
	}
	return int32(len(h.result))
}

func TestBufferFetch(t *testing.T) {
	tests := []struct {
		name      string
		startCap  int
		result    []byte
		status    int32
		wantCalls int
		wantCap   int
	}{
		{name: "fits", startCap: 16, result: []byte("POST"), wantCalls: 1, wantCap: 16},
		{name: "empty result", startCap: 16, result: []byte{}, wantCalls: 1, wantCap: 16},
		{name: "first call grows", result: []byte("POST"), wantCalls: 2, wantCap: minBuffer},
		{name: "exact fit", startCap: 4, result: []byte("POST"), wantCalls: 1, wantCap: 4},
		{name: "doubles", startCap: 600, result: bytes.Repeat([]byte("x"), 601), wantCalls: 2, wantCap: 1200},
		{name: "grows past double", startCap: minBuffer, result: bytes.Repeat([]byte("y"), 5000), wantCalls: 2, wantCap: 8192},
		{name: "error", startCap: 16, status: -2, wantCalls: 1, wantCap: 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := buffer{b: make([]byte, 0, tt.startCap)}
			h := &host{result: tt.result, status: tt.status}
			got, n := buf.fetch(h.call)
			if h.calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", h.calls, tt.wantCalls)
			}
			if cap(buf.b) != tt.wantCap {
				t.Errorf("cap = %d, want %d", cap(buf.b), tt.wantCap)
			}
			if tt.status < 0 {
				if n != tt.status || got != nil {
					t.Errorf("fetch = %q, %d; want nil, %d", got, n, tt.status)
				}
				return
			}
			if !bytes.Equal(got, tt.result) || int(n) != len(tt.result) {
				t.Errorf("fetch = %q, %d; want %q", got, n, tt.result)
			}
		})
	}
}

// TestBufferReuse checks that a buffer large enough is reused: fetching
// allocates nothing.
func TestBufferReuse(t *testing.T) {
	buf := buffer{}
	h := &host{result: []byte("a header value")}
	buf.fetch(h.call)
	allocs := testing.AllocsPerRun(100, func() {
		buf.fetch(func(b []byte) int32 { return h.call(b) })
	})
	if allocs != 0 {
		t.Errorf("fetch allocates %v times per call, want 0", allocs)
	}
}
