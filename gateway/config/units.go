package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Size is a byte count parsed from nginx size syntax: "1024", "8k", "8K",
// "10m", "1g" (see [ParseSize]).
type Size int64

// ParseSize parses nginx size syntax: a decimal byte count optionally
// followed by k/K (KiB), m/M (MiB) or g/G (GiB), as nginx's
// client_max_body_size and lua_shared_dict accept. An invalid input gives
// the error `invalid size "10x"`.
func ParseSize(s string) (Size, error) {
	digits, mult := s, int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			digits, mult = s[:len(s)-1], 1<<10
		case 'm', 'M':
			digits, mult = s[:len(s)-1], 1<<20
		case 'g', 'G':
			digits, mult = s[:len(s)-1], 1<<30
		}
	}
	if !allDigits(digits) {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return Size(n * mult), nil
}

// timeUnits are nginx's time units, largest first; a time value must use
// them in this order, each at most once.
var timeUnits = []struct {
	name string
	d    time.Duration
}{
	{"y", 365 * 24 * time.Hour},
	{"M", 30 * 24 * time.Hour},
	{"w", 7 * 24 * time.Hour},
	{"d", 24 * time.Hour},
	{"h", time.Hour},
	{"m", time.Minute},
	{"s", time.Second},
	{"ms", time.Millisecond},
}

// ParseDuration parses nginx time syntax: a bare number of seconds ("30"),
// or numbers each followed by a unit, largest unit first ("500ms", "5s",
// "1m", "2h", "1d", "1w", "1M", "1y", "1m30s"). Numbers may have a decimal
// fraction, as in Go ("1.5s", "0.5"). An invalid input gives the error
// `invalid time "5x"`.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid time %q", s)
	if s == "" {
		return 0, bad
	}
	if isNumber(s) {
		return scaleDuration(s, time.Second, bad)
	}
	var total time.Duration
	next := 0 // index into timeUnits of the largest unit still allowed
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && (rest[i] == '.' || isDigit(rest[i])) {
			i++
		}
		num := rest[:i]
		rest = rest[i:]
		if !isNumber(num) {
			return 0, bad
		}
		u := next
		for u < len(timeUnits) && !hasUnit(rest, timeUnits[u].name) {
			u++
		}
		if u == len(timeUnits) {
			return 0, bad
		}
		rest = rest[len(timeUnits[u].name):]
		next = u + 1
		d, err := scaleDuration(num, timeUnits[u].d, bad)
		if err != nil || total > math.MaxInt64-d {
			return 0, bad
		}
		total += d
	}
	return total, nil
}

// hasUnit reports whether s starts with the time unit name, and is not "m"
// at the start of "ms".
func hasUnit(s, name string) bool {
	if len(s) < len(name) || s[:len(name)] != name {
		return false
	}
	return name != "m" || len(s) == 1 || s[1] != 's'
}

// scaleDuration returns num (digits with an optional fraction) times unit,
// or bad if it overflows.
func scaleDuration(num string, unit time.Duration, bad error) (time.Duration, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, bad
	}
	v := math.Round(f * float64(unit))
	if v >= math.MaxInt64 {
		return 0, bad
	}
	return time.Duration(v), nil
}

// isNumber reports whether s is digits with an optional decimal fraction
// ("5", "1.5"; not ".5" or "5.").
func isNumber(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	return allDigits(whole) && (!dot || allDigits(frac))
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
