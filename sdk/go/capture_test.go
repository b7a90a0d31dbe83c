package moongate

import (
	"testing"

	"github.com/moongate/moongate/abi"
)

func TestSubRequestFlags(t *testing.T) {
	tests := []struct {
		name string
		sub  SubRequest
		want int32
	}{
		{"none", SubRequest{URI: "/a"}, 0},
		{"body", SubRequest{URI: "/a", Body: []byte("x")}, abi.CaptureBody},
		{"empty body", SubRequest{URI: "/a", Body: []byte{}}, abi.CaptureBody},
		{"copy vars", SubRequest{URI: "/a", CopyAllVars: true}, abi.CaptureCopyAllVars},
		{"forward body", SubRequest{URI: "/a", AlwaysForwardBody: true}, abi.CaptureAlwaysForwardBody},
		{"all", SubRequest{URI: "/a", Body: []byte{}, CopyAllVars: true, ShareAllVars: true, AlwaysForwardBody: true},
			abi.CaptureBody | abi.CaptureCopyAllVars | abi.CaptureShareAllVars | abi.CaptureAlwaysForwardBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sub.flags(); got != tt.want {
				t.Errorf("flags() = %#x, want %#x", got, tt.want)
			}
		})
	}
}
