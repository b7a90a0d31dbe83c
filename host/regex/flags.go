package regex

// flagSet is a parsed options string: OpenResty's ngx.re option letters.
type flagSet struct {
	caseless, multiline, dotall, extended, anchored bool
}

// FlagError is an unknown option letter. OpenResty raises it as a Lua error
// rather than returning it, and so should the bindings.
type FlagError struct {
	Flag  string // the unknown letter
	Flags string // the whole options string
}

// Error returns OpenResty's message: unknown flag "z" (flags "zi").
func (e *FlagError) Error() string {
	return `unknown flag "` + e.Flag + `" (flags "` + e.Flags + `")`
}

// parseFlags parses OpenResty's option letters. i, m, s, x and a change
// matching; o (compile once: the Cache does it), j (JIT), d (DFA), D
// (duplicate names), J (JavaScript compatibility), u and U (UTF-8: Go is
// always UTF-8) are accepted without effect.
func parseFlags(flags string) (flagSet, error) {
	var f flagSet
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case 'i':
			f.caseless = true
		case 'm':
			f.multiline = true
		case 's':
			f.dotall = true
		case 'x':
			f.extended = true
		case 'a':
			f.anchored = true
		case 'o', 'j', 'd', 'D', 'J', 'u', 'U':
		default:
			return f, &FlagError{Flag: flags[i : i+1], Flags: flags}
		}
	}
	return f, nil
}

// prefix returns the Go regexp flag group for f, such as "(?ims)", or "".
func (f flagSet) prefix() string {
	p := ""
	if f.caseless {
		p += "i"
	}
	if f.multiline {
		p += "m"
	}
	if f.dotall {
		p += "s"
	}
	if p == "" {
		return ""
	}
	return "(?" + p + ")"
}
