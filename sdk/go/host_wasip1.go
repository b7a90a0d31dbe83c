//go:build wasip1

package moongate

import (
	"unsafe"

	"github.com/moongate/moongate/abi"
)

// results is the buffer every host call writes its result into.
var results buffer

// bytesPtr returns the address of b's data, for a (ptr, len) argument.
func bytesPtr(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

// strPtr returns the address of s's data, for a (ptr, len) argument.
func strPtr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

// size returns the length of a string or byte-slice argument.
func size[T ~string | ~[]byte](x T) uint32 { return uint32(len(x)) }

// boolArg is a flag argument: 1 for true, 0 for false.
func boolArg(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// fail returns the *Error of a call that returned the negative status n,
// with the message last_error gives for it.
func fail(n int32) error {
	e := &Error{Status: abi.Status(n)}
	msg, m := results.fetch(func(b []byte) int32 { return hostLastError(bytesPtr(b), size(b)) })
	if m >= 0 {
		e.Message = string(msg)
	}
	return e
}

// check returns the error of a call whose result is only a status.
func check(n int32) error {
	if n < 0 {
		return fail(n)
	}
	return nil
}

// intResult returns a call's result as a number.
func intResult(n int32) (int, error) {
	if n < 0 {
		return 0, fail(n)
	}
	return int(n), nil
}

// boolResult returns a call's result as a flag (1 or 0).
func boolResult(n int32) (bool, error) {
	if n < 0 {
		return false, fail(n)
	}
	return n != 0, nil
}

// fetch runs a call that writes its result to a buffer. The result is
// the shared buffer's: it is valid until the next call.
func fetch(call func(b []byte) int32) ([]byte, error) {
	b, n := results.fetch(call)
	if n < 0 {
		return nil, fail(n)
	}
	return b, nil
}

// fetchString runs a call that writes a string result.
func fetchString(call func(b []byte) int32) (string, error) {
	b, err := fetch(call)
	return string(b), err
}

// fetchBytes runs a call that writes a byte result, and copies it.
func fetchBytes(call func(b []byte) int32) ([]byte, error) {
	b, err := fetch(call)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// fetchList runs a call that writes a list, and decodes it with decode.
func fetchList[L any](decode func([]byte) (L, error), call func(b []byte) int32) (L, error) {
	b, err := fetch(call)
	if err != nil {
		var none L
		return none, err
	}
	return decode(b)
}
