package cjson

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// tokenKind is a JSON token class; its name appears in parse errors.
type tokenKind uint8

const (
	tObjBegin tokenKind = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber // a number strtoll would stop short of: fraction, exponent, Infinity, NaN
	tInteger
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tError
)

// tokenNames are lua-cjson's names for each tokenKind but tError, whose
// token carries its own description.
var tokenNames = [...]string{
	tObjBegin: "T_OBJ_BEGIN",
	tObjEnd:   "T_OBJ_END",
	tArrBegin: "T_ARR_BEGIN",
	tArrEnd:   "T_ARR_END",
	tString:   "T_STRING",
	tNumber:   "T_NUMBER",
	tInteger:  "T_INTEGER",
	tBoolean:  "T_BOOLEAN",
	tNull:     "T_NULL",
	tColon:    "T_COLON",
	tComma:    "T_COMMA",
	tEnd:      "T_END",
}

// token is one lexed token. str is a string's value or, for tError, what
// was wrong.
type token struct {
	kind  tokenKind
	index int // 0-based offset of the token, or of the error in it
	str   string
	num   float64
	truth bool
}

func errorToken(index int, what string) token {
	return token{kind: tError, index: index, str: what}
}

// parseError is lua-cjson's syntax error for finding tok where expected was due.
func parseError(expected string, tok *token) error {
	found := tok.str
	if tok.kind != tError {
		found = tokenNames[tok.kind]
	}
	return fmt.Errorf("Expected %s but found %s at character %d", expected, found, tok.index+1)
}

// decoder parses one JSON text. Like lua-cjson, which reads a C string, it
// treats a NUL byte as the end of the input.
type decoder struct {
	cfg   *config
	vm    *vmValues
	L     *lua.LState
	s     string
	pos   int
	depth int
	buf   []byte       // unescaped string being built
	vals  []lua.LValue // elements and member values of the open arrays and objects
	keys  []string     // member keys of the open objects
}

// decode parses the whole input as one JSON value.
func (d *decoder) decode() (lua.LValue, error) {
	if len(d.s) >= 2 && (d.s[0] == 0 || d.s[1] == 0) {
		return nil, errors.New("JSON parser does not support UTF-16 or UTF-32")
	}
	tok := d.next()
	v, err := d.value(&tok)
	if err != nil {
		return nil, err
	}
	if tok = d.next(); tok.kind != tEnd {
		return nil, parseError("the end", &tok)
	}
	return v, nil
}

// value returns the value that starts with tok.
func (d *decoder) value(tok *token) (lua.LValue, error) {
	switch tok.kind {
	case tString:
		return lua.LString(tok.str), nil
	case tNumber, tInteger:
		return lua.LNumber(tok.num), nil
	case tBoolean:
		return lua.LBool(tok.truth), nil
	case tNull:
		return Null, nil
	case tObjBegin:
		return d.object()
	case tArrBegin:
		return d.array()
	}
	return nil, parseError("value", tok)
}

// descend enters an array or object whose opening bracket was just read.
func (d *decoder) descend() error {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth || d.depth > hardMaxDepth {
		return fmt.Errorf("Found too many nested data structures (%d) at character %d", d.depth, d.pos)
	}
	return nil
}

// array parses the rest of an array into a table t[1..n].
func (d *decoder) array() (lua.LValue, error) {
	if err := d.descend(); err != nil {
		return nil, err
	}
	base := len(d.vals)
	if tok := d.next(); tok.kind != tArrEnd {
		for {
			v, err := d.value(&tok)
			if err != nil {
				return nil, err
			}
			d.vals = append(d.vals, v)
			if tok = d.next(); tok.kind == tArrEnd {
				break
			}
			if tok.kind != tComma {
				return nil, parseError("comma or array end", &tok)
			}
			tok = d.next()
		}
	}
	elems := d.vals[base:]
	t := d.L.CreateTable(len(elems), 0)
	for i, v := range elems {
		t.RawSetInt(i+1, v)
	}
	clear(elems)
	d.vals = d.vals[:base]
	if d.cfg.decodeArrayWithArrayMT {
		t.Metatable = d.vm.arrayMT
	}
	d.depth--
	return t, nil
}

// object parses the rest of an object into a table with string keys; a
// repeated key keeps its last value.
func (d *decoder) object() (lua.LValue, error) {
	if err := d.descend(); err != nil {
		return nil, err
	}
	keyBase, valBase := len(d.keys), len(d.vals)
	if tok := d.next(); tok.kind != tObjEnd {
		for {
			if tok.kind != tString {
				return nil, parseError("object key string", &tok)
			}
			key := tok.str
			if tok = d.next(); tok.kind != tColon {
				return nil, parseError("colon", &tok)
			}
			tok = d.next()
			v, err := d.value(&tok)
			if err != nil {
				return nil, err
			}
			d.keys = append(d.keys, key)
			d.vals = append(d.vals, v)
			if tok = d.next(); tok.kind == tObjEnd {
				break
			}
			if tok.kind != tComma {
				return nil, parseError("comma or object end", &tok)
			}
			tok = d.next()
		}
	}
	keys, vals := d.keys[keyBase:], d.vals[valBase:]
	t := d.L.CreateTable(0, len(keys))
	for i, k := range keys {
		t.RawSetString(k, vals[i])
	}
	clear(keys)
	clear(vals)
	d.keys, d.vals = d.keys[:keyBase], d.vals[:valBase]
	d.depth--
	return t, nil
}

// next lexes the token at d.pos, skipping white space, and moves past it
// (an error token or the end stays put).
func (d *decoder) next() token {
	s, i := d.s, d.pos
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	d.pos = i
	if i == len(s) || s[i] == 0 {
		return token{kind: tEnd, index: i}
	}
	if kind, ok := punctuation(s[i]); ok {
		d.pos++
		return token{kind: kind, index: i}
	}
	switch c := s[i]; {
	case c == '"':
		return d.stringToken()
	case c == '-' || isDigit(c):
		if !d.cfg.decodeInvalidNumbers && invalidNumberAt(s, i) {
			return errorToken(i, "invalid number")
		}
		return d.numberToken()
	case strings.HasPrefix(s[i:], "true"):
		d.pos += 4
		return token{kind: tBoolean, index: i, truth: true}
	case strings.HasPrefix(s[i:], "false"):
		d.pos += 5
		return token{kind: tBoolean, index: i}
	case strings.HasPrefix(s[i:], "null"):
		d.pos += 4
		return token{kind: tNull, index: i}
	case d.cfg.decodeInvalidNumbers && invalidNumberAt(s, i):
		return d.numberToken()
	}
	return errorToken(i, "invalid token")
}

// punctuation returns the kind of a one-byte token.
func punctuation(c byte) (tokenKind, bool) {
	switch c {
	case '{':
		return tObjBegin, true
	case '}':
		return tObjEnd, true
	case '[':
		return tArrBegin, true
	case ']':
		return tArrEnd, true
	case ',':
		return tComma, true
	case ':':
		return tColon, true
	}
	return tError, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix,
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// invalidNumberAt reports whether the number at s[i] is one JSON forbids but
// strtod accepts: a leading '+', leading zeros, hex, Infinity or NaN.
func invalidNumberAt(s string, i int) bool {
	if s[i] == '+' {
		return true
	}
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		if i+1 == len(s) {
			return false
		}
		c := s[i+1]
		return c|0x20 == 'x' || isDigit(c)
	case i == len(s) || s[i] <= '9':
		return false
	}
	return hasPrefixFold(s[i:], "inf") || hasPrefixFold(s[i:], "nan")
}

// numberToken lexes the number at d.pos.
func (d *decoder) numberToken() token {
	start := d.pos
	f, end, integer := scanNumber(d.s, start)
	if end == start {
		return errorToken(start, "invalid number")
	}
	d.pos = end
	kind := tNumber
	if integer {
		kind = tInteger
	}
	return token{kind: kind, index: start, num: f}
}

// scanNumber reads the longest number at s[start:] that C's strtod accepts
// (decimal, hex, Infinity, NaN), returning its value and end (start when
// there is none). integer reports whether strtoll would have stopped at the
// same place, which lua-cjson names T_INTEGER.
func scanNumber(s string, start int) (f float64, end int, integer bool) {
	i := start
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	sign := 1.0
	if i > start && s[start] == '-' {
		sign = -1
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return sign * math.Inf(1), i + len("infinity"), false
	case hasPrefixFold(rest, "inf"):
		return sign * math.Inf(1), i + len("inf"), false
	case hasPrefixFold(rest, "nan"):
		return math.NaN(), i + len("nan") + nanPayloadLen(rest[len("nan"):]), false
	case len(rest) > 2 && rest[0] == '0' && rest[1]|0x20 == 'x':
		if end, ok := scanHex(s, i+2); ok {
			digits := s[i+2 : end]
			if !strings.ContainsAny(digits, "pP") {
				f = parseFloat(s[start:end] + "p0") // Go needs the exponent
			} else {
				f = parseFloat(s[start:end])
			}
			return f, end, !strings.Contains(digits, ".")
		}
	}
	intEnd := scanDigits(s, i, isDigit)
	end = intEnd
	if end < len(s) && s[end] == '.' {
		end = scanDigits(s, end+1, isDigit)
	}
	if end == i || end == i+1 && s[i] == '.' {
		return 0, start, false // no digits
	}
	end = scanExponent(s, end, 'e')
	integer = intEnd == len(s) || (s[intEnd] != '.' && s[intEnd]|0x20 != 'e')
	return parseFloat(s[start:end]), end, integer
}

// scanHex reads the hex digits, point and binary exponent of a hex number
// whose digits start at i; ok is false when there are no digits.
func scanHex(s string, i int) (end int, ok bool) {
	end = scanDigits(s, i, isHexDigit)
	digits := end - i
	if end < len(s) && s[end] == '.' {
		after := scanDigits(s, end+1, isHexDigit)
		digits += after - end - 1
		end = after
	}
	if digits == 0 {
		return i, false
	}
	return scanExponent(s, end, 'p'), true
}

func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// scanDigits returns the end of the run of digits starting at i.
func scanDigits(s string, i int, digit func(byte) bool) int {
	for i < len(s) && digit(s[i]) {
		i++
	}
	return i
}

// scanExponent returns the end of an exponent (marker in either case,
// optional sign, decimal digits) at i, or i when there is no complete one.
func scanExponent(s string, i int, marker byte) int {
	if i == len(s) || s[i]|0x20 != marker {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if end := scanDigits(s, j, isDigit); end > j {
		return end
	}
	return i
}

// nanPayloadLen returns the length of an optional "(chars)" after "nan".
func nanPayloadLen(s string) int {
	if s == "" || s[0] != '(' {
		return 0
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ')':
			return i + 1
		case c != '_' && !isDigit(c) && !('a' <= c|0x20 && c|0x20 <= 'z'):
			return 0
		}
	}
	return 0
}

// parseFloat converts number text scanNumber accepted, whose syntax
// ParseFloat always takes; out-of-range values become ±Inf or 0 as with
// strtod, so the range error is of no interest.
func parseFloat(text string) float64 {
	f, _ := strconv.ParseFloat(text, 64)
	return f
}

// stringToken lexes the string whose opening quote is at d.pos.
func (d *decoder) stringToken() token {
	s, start := d.s, d.pos
	i := start + 1
	j := i
	for j < len(s) && s[j] != '"' && s[j] != '\\' && s[j] != 0 {
		j++
	}
	if j < len(s) && s[j] == '"' {
		d.pos = j + 1
		return token{kind: tString, index: start, str: strings.Clone(s[i:j])}
	}
	buf := append(d.buf[:0], s[i:j]...)
	for {
		if j == len(s) || s[j] == 0 {
			return errorToken(j, "unexpected end of string")
		}
		c := s[j]
		if c == '"' {
			break
		}
		if c != '\\' {
			buf = append(buf, c)
			j++
			continue
		}
		var esc byte
		if j+1 < len(s) {
			esc = s[j+1]
		}
		switch esc {
		case '"', '\\', '/':
		case 'b':
			esc = '\b'
		case 'f':
			esc = '\f'
		case 'n':
			esc = '\n'
		case 'r':
			esc = '\r'
		case 't':
			esc = '\t'
		case 'u':
			r, n, ok := unicodeEscape(s, j)
			if !ok {
				return errorToken(j, "invalid unicode escape code")
			}
			buf = utf8.AppendRune(buf, r)
			j += n
			continue
		default:
			return errorToken(j, "invalid escape code")
		}
		buf = append(buf, esc)
		j += 2
	}
	d.buf = buf
	d.pos = j + 1
	return token{kind: tString, index: start, str: string(buf)}
}

// unicodeEscape decodes the \uXXXX escape at s[i], or a UTF-16 surrogate
// pair of two, returning the code point and the escape's length.
func unicodeEscape(s string, i int) (r rune, n int, ok bool) {
	cp, ok := hex4(s, i+2)
	if !ok {
		return 0, 0, false
	}
	if cp&0xF800 != 0xD800 {
		return cp, 6, true
	}
	if cp&0x400 != 0 || !strings.HasPrefix(s[i+6:], `\u`) {
		return 0, 0, false // a low surrogate first, or a high one alone
	}
	low, ok := hex4(s, i+8)
	if !ok || low&0xFC00 != 0xDC00 {
		return 0, 0, false
	}
	return ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000, 12, true
}

// hex4 decodes the four hex digits at s[i].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var v rune
	for _, c := range []byte(s[i : i+4]) {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			d = c | 0x20 - 'a' + 10
		default:
			return 0, false
		}
		v = v<<4 | rune(d)
	}
	return v, true
}
