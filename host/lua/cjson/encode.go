package cjson

import (
	"errors"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// errSparse and errInvalidNumber are lua-cjson's encode errors that carry no
// detail.
var (
	errSparse        = errors.New("Cannot serialise table: excessively sparse array")
	errInvalidNumber = errors.New("Cannot serialise number: must not be NaN or Infinity")
)

// unsupportedError is lua-cjson's error for a value or key it cannot write.
func unsupportedError(v lua.LValue, reason string) error {
	return errors.New("Cannot serialise " + v.Type().String() + ": " + reason)
}

// escapes holds the JSON escape lua-cjson writes for each byte, "" for bytes
// written as they are. It is filled once and only read.
var escapes = func() (t [256]string) {
	const hex = "0123456789abcdef"
	for c := 0; c < 0x20; c++ {
		t[c] = `\u00` + string(hex[c>>4]) + string(hex[c&0xf])
	}
	t['\b'], t['\t'], t['\n'], t['\f'], t['\r'] = `\b`, `\t`, `\n`, `\f`, `\r`
	t['"'], t['\\'], t['/'], t[0x7f] = `\"`, `\\`, `\/`, `\u007f`
	return t
}()

// pow10 holds 10^p for each encode_number_precision p: integers below it are
// written whole by "%.{p}g".
var pow10 = func() (t [17]float64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// encoder serialises Lua values into buf with one instance's settings.
type encoder struct {
	cfg *config
	vm  *vmValues
	buf []byte
}

// encode appends the JSON text of v to e.buf.
func (e *encoder) encode(v lua.LValue) error {
	_, err := e.value(v, 0)
	return err
}

// value appends v, nested depth tables deep. It reports skipped when v is of
// an unsupported type and encode_skip_unsupported_value_types is on.
func (e *encoder) value(v lua.LValue, depth int) (skipped bool, err error) {
	switch x := v.(type) {
	case lua.LString:
		e.buf = appendString(e.buf, string(x), e.cfg.escapeForwardSlash)
	case lua.LNumber:
		return false, e.number(float64(x))
	case lua.LBool:
		e.buf = strconv.AppendBool(e.buf, bool(x))
	case *lua.LNilType:
		e.buf = append(e.buf, "null"...)
	case *lua.LTable:
		return false, e.table(x, depth+1)
	case *lua.LUserData:
		switch x {
		case Null:
			e.buf = append(e.buf, "null"...)
			return false, nil
		case e.vm.emptyArray:
			e.buf = append(e.buf, "[]"...)
			return false, nil
		}
		return e.unsupported(v)
	default:
		return e.unsupported(v)
	}
	return false, nil
}

func (e *encoder) unsupported(v lua.LValue) (skipped bool, err error) {
	if e.cfg.skipUnsupportedTypes {
		return true, nil
	}
	return false, unsupportedError(v, "type not supported")
}

// number appends f as "%.{precision}g" does, or as the invalid-number
// setting says for NaN and ±Inf.
func (e *encoder) number(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		switch mode := e.cfg.encodeInvalidNumbers; {
		case mode == invalidNumbersOff:
			return errInvalidNumber
		case mode == invalidNumbersNull:
			e.buf = append(e.buf, "null"...)
		case math.IsNaN(f):
			e.buf = append(e.buf, "NaN"...)
		case f > 0:
			e.buf = append(e.buf, "Infinity"...)
		default:
			e.buf = append(e.buf, "-Infinity"...)
		}
		return nil
	}
	prec := e.cfg.numberPrecision
	if f == math.Trunc(f) && math.Abs(f) < pow10[prec] && (f != 0 || !math.Signbit(f)) {
		e.buf = strconv.AppendInt(e.buf, int64(f), 10)
		return nil
	}
	e.buf = strconv.AppendFloat(e.buf, f, 'g', prec, 64)
	return nil
}

// appendString appends s as a JSON string escaped as lua-cjson does: control
// characters, '"', '\\', DEL and optionally '/'; other bytes, including
// invalid UTF-8, pass through.
func appendString(buf []byte, s string, escapeSlash bool) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		esc := escapes[c]
		if esc == "" || (c == '/' && !escapeSlash) {
			continue
		}
		buf = append(buf, s[start:i]...)
		buf = append(buf, esc...)
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// table appends t, which sits at nesting level depth, as an array or object
// following lua-cjson's rules.
func (e *encoder) table(t *lua.LTable, depth int) error {
	if depth > e.cfg.encodeMaxDepth || depth > hardMaxDepth {
		return errors.New("Cannot serialise, excessive nesting (" + strconv.Itoa(depth) + ")")
	}
	mt, hasMT := t.Metatable.(*lua.LTable)
	if hasMT && (mt == e.vm.arrayMT || mt.RawGetString("__len") != lua.LNil) {
		return e.array(t, t.Len(), depth)
	}
	n, err := e.arrayLength(t)
	switch {
	case err != nil:
		return err
	case n > 0, n == 0 && (!e.cfg.emptyTableAsObject || hasMT && mt == e.vm.emptyArrayMT):
		return e.array(t, n, depth)
	}
	return e.object(t, depth)
}

// arrayLength returns the length of t when its keys are all positive
// integers (0 for an empty table), -1 when t is an object, and errSparse when
// t is an excessively sparse array that must not be converted.
func (e *encoder) arrayLength(t *lua.LTable) (int, error) {
	maxKey, items := 0.0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || n < 1 || float64(n) != math.Floor(float64(n)) {
			return -1, nil
		}
		maxKey = max(maxKey, float64(n))
		items++
	}
	c := e.cfg
	if c.sparseRatio > 0 && maxKey > float64(items)*float64(c.sparseRatio) && maxKey > float64(c.sparseSafe) {
		if !c.sparseConvert {
			return 0, errSparse
		}
		return -1, nil
	}
	if maxKey > math.MaxInt32 {
		return -1, nil
	}
	return int(maxKey), nil
}

// array appends t[1..n] as a JSON array, nil holes as null.
func (e *encoder) array(t *lua.LTable, n, depth int) error {
	e.buf = append(e.buf, '[')
	written := 0
	for i := 1; i <= n; i++ {
		mark := e.comma(written)
		if err := e.element(t.RawGetInt(i), depth, mark, &written); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// object appends t as a JSON object with string and number keys.
func (e *encoder) object(t *lua.LTable, depth int) error {
	e.buf = append(e.buf, '{')
	written := 0
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		mark := e.comma(written)
		switch key := k.(type) {
		case lua.LString:
			e.buf = appendString(e.buf, string(key), e.cfg.escapeForwardSlash)
		case lua.LNumber:
			e.buf = append(e.buf, '"')
			if err := e.number(float64(key)); err != nil {
				return err
			}
			e.buf = append(e.buf, '"')
		default:
			return unsupportedError(k, "table key must be a number or string")
		}
		e.buf = append(e.buf, ':')
		if err := e.element(v, depth, mark, &written); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// comma starts the next element of an array or object holding written
// elements so far, and returns where the element's text begins.
func (e *encoder) comma(written int) (mark int) {
	mark = len(e.buf)
	if written > 0 {
		e.buf = append(e.buf, ',')
	}
	return mark
}

// element appends v as an array element or member value whose text began at
// mark; an unsupported value being skipped takes that text back out.
func (e *encoder) element(v lua.LValue, depth, mark int, written *int) error {
	skipped, err := e.value(v, depth)
	switch {
	case skipped:
		e.buf = e.buf[:mark]
	case err == nil:
		*written++
	}
	return err
}
