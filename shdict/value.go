package shdict

import "strings"

// Kind is the type of a stored value.
type Kind uint8

// The kinds of values. KindNil is the zero Value: no value (a missing key,
// or the value that makes Set delete). KindList is a list entry's kind; a
// list is read with LPop, RPop and LLen, never returned as a Value.
const (
	KindNil Kind = iota
	KindBool
	KindNumber
	KindString
	KindList
)

// Value is a stored value: nil, a boolean, a number or a string. It is
// small and passed by value; nothing is boxed.
type Value struct {
	str  string
	num  float64 // the number; 1 or 0 for a boolean
	kind Kind
}

// String returns a string Value.
func String(s string) Value { return Value{str: s, kind: KindString} }

// Number returns a number Value.
func Number(n float64) Value { return Value{num: n, kind: KindNumber} }

// Bool returns a boolean Value.
func Bool(b bool) Value {
	v := Value{kind: KindBool}
	if b {
		v.num = 1
	}
	return v
}

// Kind returns v's kind.
func (v Value) Kind() Kind { return v.kind }

// Str returns a string value's string ("" for other kinds).
func (v Value) Str() string { return v.str }

// Num returns a number value's number (0 for other kinds but booleans,
// which give 1 or 0).
func (v Value) Num() float64 { return v.num }

// Bool returns a boolean value's truth (false for other kinds).
func (v Value) Bool() bool { return v.kind == KindBool && v.num != 0 }

// size is the value's accounted bytes: a string's length, 8 for a
// number, 1 for a boolean (as OpenResty stores them).
func (v Value) size() int64 {
	switch v.kind {
	case KindString:
		return int64(len(v.str))
	case KindNumber:
		return 8
	case KindBool:
		return 1
	}
	return 0
}

// owned returns v with its own copy of a string, so that a stored value
// never keeps a caller's larger string alive (a Lua substring shares its
// parent's bytes).
func (v Value) owned() Value {
	if v.kind == KindString {
		v.str = strings.Clone(v.str)
	}
	return v
}
