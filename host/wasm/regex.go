package wasm

import (
	"encoding/binary"
	"errors"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host/regex"
	"github.com/tetratelabs/wazero/api"
)

// The regex functions of ABI.md ("Regular expressions"): ngx.re.match,
// ngx.re.sub and ngx.re.gsub on the engine of the Lua binding
// (host/regex). Every call names its pattern and flags; the request's
// cache keeps what they compiled to, so a guest pays for compiling a
// pattern once. A match that runs past the backtracking engine's limit is
// ERR_FAILED (regex.ErrMatchLimit).

// compile compiles the pattern and flags of arguments 0-1 and 2-3 with
// the request's cache (none outside a request). A pattern the engine
// refuses is ERR_BAD_ARGUMENT with the engine's message.
func compile(c call) (*regex.Regexp, error) {
	pattern, err := c.string(0)
	if err != nil {
		return nil, err
	}
	flags, err := c.string(2)
	if err != nil {
		return nil, err
	}
	re, err := c.r.Regex.Compile(pattern, flags)
	if err != nil {
		return nil, badArgument("%v", err)
	}
	return re, nil
}

// compileWithSubject is compile, then the subject of arguments 4 and 5.
func compileWithSubject(c call) (*regex.Regexp, []byte, error) {
	re, err := compile(c)
	if err != nil {
		return nil, nil, err
	}
	subject, err := c.bytes(4)
	return re, subject, err
}

// reMatch is re_match(pattern, flags, subject, start, buf): the first
// match at or after byte start, as the start and end offsets (i32) of
// each group, group 0 the whole match; ERR_NOT_FOUND for no match.
func reMatch(c call) (int32, error) {
	re, subject, err := compileWithSubject(c)
	if err != nil {
		return 0, err
	}
	start := c.i32(6)
	switch {
	case start < 0:
		return 0, badArgument("bad start offset %d", start)
	case int(start) > len(subject):
		return 0, notFound("no match")
	}
	caps, err := re.MatchAt(subject, int(start))
	if err != nil {
		return 0, err
	}
	if caps == nil {
		return 0, notFound("no match")
	}
	b := c.in.state.scratch[:0]
	for _, off := range caps {
		b = binary.LittleEndian.AppendUint32(b, uint32(max(int32(off), abi.NoCapture)))
	}
	c.in.state.scratch = b
	return result(c, 7, b)
}

// reGroupNames is re_group_names(pattern, flags, buf): the names of the
// pattern's groups, from group 1, as a list of keys without values, ""
// for a group without a name.
func reGroupNames(c call) (int32, error) {
	re, err := compile(c)
	if err != nil {
		return 0, err
	}
	names := re.GroupNames()[1:]
	l := newList(c.in.state.scratch, len(names))
	for _, name := range names {
		l.lengths(len(name), noValue)
		l.b = append(l.b, name...)
	}
	c.in.state.scratch = l.b
	return result(c, 4, l.b)
}

// reSub makes re_sub (global false) and re_gsub: (pattern, flags,
// subject, template, count_ptr, buf), the subject with the first match or
// every match replaced by the template; the number of replacements goes
// to count_ptr as an i32. A malformed template is ERR_BAD_ARGUMENT.
func reSub(global bool) impl {
	return status(func(c call) (int32, error) {
		re, subject, err := compileWithSubject(c)
		if err != nil {
			return 0, err
		}
		template, err := c.string(6)
		if err != nil {
			return 0, err
		}
		countPtr := api.DecodeU32(c.stack[8])
		if c.mem == nil || !c.mem.WriteUint32Le(countPtr, 0) {
			return 0, badPointer(countPtr, 4)
		}
		out, n, err := re.Replace(subject, template, global)
		switch {
		case errors.Is(err, regex.ErrTemplate):
			return 0, badArgument("%v", err)
		case err != nil:
			return 0, err
		}
		c.mem.WriteUint32Le(countPtr, uint32(n))
		return result(c, 9, out)
	})
}
