package moongate

import (
	"errors"
	"strconv"

	"github.com/moongate/moongate/abi"
)

// The error classes of the ABI. An *Error matches the one of its Status
// under errors.Is.
var (
	// ErrPhase: the API may not be called in the current phase.
	ErrPhase = errors.New("moongate: API disabled in this phase")
	// ErrNotFound: no such value (a missing header, variable, body or key).
	ErrNotFound = errors.New("moongate: not found")
	// ErrBadArgument: an invalid value, such as an unknown method or a
	// redirect status other than 301, 302, 303, 307 or 308.
	ErrBadArgument = errors.New("moongate: bad argument")
	// ErrFailed: the operation failed; the message says why.
	ErrFailed = errors.New("moongate: operation failed")
)

// Error is the error of a host call that failed: its status and the
// message the host gave for it (OpenResty's, such as "API disabled in the
// context of log_by_lua*" or "seen eof").
type Error struct {
	// Status is the negative status the host function returned.
	Status abi.Status
	// Message is what last_error gave for it; "" when nothing.
	Message string
}

// Error returns the host's message, or the status's class when the host
// gave none.
func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	if class := e.Unwrap(); class != nil {
		return class.Error()
	}
	return "moongate: host status " + strconv.Itoa(int(e.Status))
}

// Unwrap returns the class of e's status: ErrPhase, ErrNotFound,
// ErrBadArgument or ErrFailed (nil for a status outside the ABI).
func (e *Error) Unwrap() error {
	switch e.Status {
	case abi.ErrPhase:
		return ErrPhase
	case abi.ErrNotFound:
		return ErrNotFound
	case abi.ErrBadArgument:
		return ErrBadArgument
	case abi.ErrFailed:
		return ErrFailed
	}
	return nil
}
