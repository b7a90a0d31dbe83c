package shdict

import "errors"

// The errors of dict operations. Their texts are OpenResty's, word for
// word: bindings hand them to scripts unchanged, and scripts compare them
// (`if err == "exists" then`), so they carry no further context.
var (
	// ErrEmptyKey is a zero-length key.
	ErrEmptyKey = errors.New("empty key")
	// ErrKeyTooLong is a key over MaxKeyLen bytes.
	ErrKeyTooLong = errors.New("key too long")
	// ErrExists is Add or SafeAdd on a live key.
	ErrExists = errors.New("exists")
	// ErrNotFound is Replace, Incr without init, TTL or Expire on a
	// missing (for Replace and Incr also an expired) key.
	ErrNotFound = errors.New("not found")
	// ErrNotANumber is Incr on a value that is not a number.
	ErrNotANumber = errors.New("not a number")
	// ErrNoMemory is a write that does not fit: safe_* and list pushes
	// never evict live entries, the others evict and still found no room,
	// or the entry is larger than the whole dict.
	ErrNoMemory = errors.New("no memory")
	// ErrNotAList is a list operation on a value that is not a list.
	ErrNotAList = errors.New("value not a list")
	// ErrIsList is Get or GetStale on a list.
	ErrIsList = errors.New("value is a list")
	// ErrNilValue is Add or Replace with a nil Value.
	ErrNilValue = errors.New("attempt to add or replace nil values")
	// ErrBadValue is a value a write cannot store: a list kind, or for a
	// list push anything but a string or a number.
	ErrBadValue = errors.New("bad value type")
)

// MaxKeyLen is the longest key, in bytes, as in OpenResty.
const MaxKeyLen = 65535

// CheckKey returns ErrEmptyKey or ErrKeyTooLong for a key no operation
// accepts, nil otherwise. Every operation checks its key; bindings call it
// to report key errors before argument errors, in OpenResty's order.
func CheckKey(key string) error {
	switch {
	case key == "":
		return ErrEmptyKey
	case len(key) > MaxKeyLen:
		return ErrKeyTooLong
	}
	return nil
}
