package moongate

import (
	"errors"
	"testing"

	"github.com/moongate/moongate/abi"
)

func TestError(t *testing.T) {
	tests := []struct {
		name      string
		err       *Error
		wantText  string
		wantClass error
	}{
		{
			name:      "phase",
			err:       &Error{Status: abi.ErrPhase, Message: "API disabled in the context of log_by_lua*"},
			wantText:  "API disabled in the context of log_by_lua*",
			wantClass: ErrPhase,
		},
		{name: "not found without message", err: &Error{Status: abi.ErrNotFound}, wantText: "moongate: not found", wantClass: ErrNotFound},
		{name: "bad argument", err: &Error{Status: abi.ErrBadArgument, Message: "bad status"}, wantText: "bad status", wantClass: ErrBadArgument},
		{name: "failed", err: &Error{Status: abi.ErrFailed, Message: "seen eof"}, wantText: "seen eof", wantClass: ErrFailed},
		{name: "unknown status", err: &Error{Status: -9}, wantText: "moongate: host status -9"},
	}
	classes := []error{ErrPhase, ErrNotFound, ErrBadArgument, ErrFailed}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.wantText {
				t.Errorf("Error() = %q, want %q", got, tt.wantText)
			}
			var err error = tt.err
			for _, class := range classes {
				if got := errors.Is(err, class); got != (class == tt.wantClass) {
					t.Errorf("errors.Is(err, %v) = %v", class, got)
				}
			}
		})
	}
}
