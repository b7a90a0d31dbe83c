package host

import "time"

// maxHTTPTime is the last second nginx formats, 9999-12-31 23:59:59 UTC;
// later times are formatted as it.
const maxHTTPTime = 253402300799

// Layouts of the time strings of the ngx.* time API.
const (
	httpTimeLayout    = "Mon, 02 Jan 2006 15:04:05 GMT"
	cookieTimeLayout  = "Mon, 02-Jan-06 15:04:05 GMT"
	cookieTimeLayout4 = "Mon, 02-Jan-2006 15:04:05 GMT"
	dateLayout        = "2006-01-02"
	dateTimeLayout    = "2006-01-02 15:04:05"
)

// lastTwoDigitYear is the last year a cookie time shows as two digits.
const lastTwoDigitYear = 2037

// gmtime returns sec as a UTC time, clamped as nginx's ngx_gmtime clamps
// it: a negative sec is the epoch, one past maxHTTPTime is maxHTTPTime.
func gmtime(sec int64) time.Time {
	return time.Unix(min(max(sec, 0), maxHTTPTime), 0).UTC()
}

// HTTPTime is ngx.http_time(sec) (every phase but init): sec, seconds
// since the epoch, as an HTTP date ("Thu, 18 Nov 2010 11:27:35 GMT"),
// clamped to the years 1970 to 9999.
func HTTPTime(sec int64) string { return gmtime(sec).Format(httpTimeLayout) }

// CookieTime is ngx.cookie_time(sec) (every phase but init): sec as the
// expires date of a cookie ("Thu, 18-Nov-10 11:27:35 GMT"), with a
// two-digit year up to 2037 and all four digits after, clamped as
// HTTPTime is.
func CookieTime(sec int64) string {
	t := gmtime(sec)
	if t.Year() > lastTwoDigitYear {
		return t.Format(cookieTimeLayout4)
	}
	return t.Format(cookieTimeLayout)
}

// Now is ngx.now() for the cached time t (every phase but init): seconds
// since the epoch with millisecond precision.
func Now(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond()/int(time.Millisecond))/1000
}

// Today is ngx.today() for the cached time t (every phase but init):
// "yyyy-mm-dd" in t's location (nginx uses local time: pass time.Now()'s).
func Today(t time.Time) string { return t.Format(dateLayout) }

// LocalTime is ngx.localtime() for the cached time t (every phase but
// init): "yyyy-mm-dd hh:mm:ss" in t's location.
func LocalTime(t time.Time) string { return t.Format(dateTimeLayout) }

// UTCTime is ngx.utctime() for the cached time t (every phase but init):
// "yyyy-mm-dd hh:mm:ss" in UTC.
func UTCTime(t time.Time) string { return t.UTC().Format(dateTimeLayout) }

// ParseHTTPTime is ngx.parse_http_time(s) (every phase but init): the
// seconds since the epoch of an HTTP date, parsed as nginx's
// ngx_parse_http_time parses one. It accepts the three formats of RFC 9110
// — "Thu, 18 Nov 2010 11:27:35 GMT" (RFC 1123), "Thursday, 18-Nov-10
// 11:27:35 GMT" (RFC 850; years 70-99 are 19xx, 00-69 20xx) and
// "Thu Nov 18 11:27:35 2010" (asctime) — and nginx's leniency: the weekday
// is not checked, whatever follows the time (or the asctime year) is
// ignored, day 0 is the last day of the previous month. ok is false for
// anything else, for an impossible date (Feb 30, hour 24, second 60), and
// for the one date whose value is nginx's error value, -1.
func ParseHTTPTime(s string) (sec int64, ok bool) {
	p := httpDateParser{s: s}
	sec, ok = p.parse()
	return sec, ok && sec != -1
}

// httpDateParser reads an HTTP date; at returns 0 past the end, which no
// check accepts.
type httpDateParser struct {
	s string
	i int
}

func (p *httpDateParser) at(off int) byte {
	if j := p.i + off; j < len(p.s) {
		return p.s[j]
	}
	return 0
}

func (p *httpDateParser) left() int { return len(p.s) - p.i }

// digits reads n decimal digits.
func (p *httpDateParser) digits(n int) (int, bool) {
	v := 0
	for k := 0; k < n; k++ {
		c := p.at(k)
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

// expect consumes c.
func (p *httpDateParser) expect(c byte) bool {
	if p.at(0) != c {
		return false
	}
	p.i++
	return true
}

// httpDateFormat is the format an HTTP date is in.
type httpDateFormat int

const (
	rfc1123 httpDateFormat = iota // Tue, 10 Nov 2002 23:50:13
	rfc850                        // Tuesday, 10-Nov-02 23:50:13
	asctime                       // Tue Nov 10 23:50:13 2002
)

// daysIn are the days of each month of a common year.
var daysIn = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func (p *httpDateParser) parse() (int64, bool) {
	// The weekday ends at a comma, or at a space in asctime.
	format := rfc1123
	for p.i < len(p.s) && p.s[p.i] != ',' {
		if p.s[p.i] == ' ' {
			format = asctime
			break
		}
		p.i++
	}
	p.i++
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
	if p.left() < 18 {
		return 0, false
	}
	var day int
	if format != asctime {
		var ok bool
		if day, ok = p.digits(2); !ok {
			return 0, false
		}
		switch p.at(0) {
		case ' ':
			if p.left() < 18 {
				return 0, false
			}
		case '-':
			format = rfc850
		default:
			return 0, false
		}
		p.i++
	}
	month, ok := p.month()
	if !ok {
		return 0, false
	}
	switch {
	case format == rfc1123 && p.at(0) != ' ', format == rfc850 && p.at(0) != '-':
		return 0, false
	}
	p.i++
	var year int
	switch format {
	case rfc1123:
		if year, ok = p.digits(4); !ok {
			return 0, false
		}
	case rfc850:
		if year, ok = p.digits(2); !ok {
			return 0, false
		}
		if year < 70 {
			year += 2000
		} else {
			year += 1900
		}
	case asctime:
		if p.at(0) == ' ' {
			p.i++
		}
		if day, ok = p.digits(1); !ok {
			return 0, false
		}
		if p.at(0) != ' ' {
			d, ok := p.digits(1)
			if !ok {
				return 0, false
			}
			day = day*10 + d
		}
		if p.left() < 14 {
			return 0, false
		}
	}
	hh, mm, ss, ok := p.clock()
	if !ok {
		return 0, false
	}
	if format == asctime {
		if !p.expect(' ') {
			return 0, false
		}
		if year, ok = p.digits(4); !ok {
			return 0, false
		}
	}
	if hh > 23 || mm > 59 || ss > 59 || day > monthDays(month, year) {
		return 0, false
	}
	t := time.Date(year, time.Month(month+1), day, hh, mm, ss, 0, time.UTC)
	return t.Unix(), true
}

// month reads a month name by the letters nginx looks at, and skips its
// three letters.
func (p *httpDateParser) month() (int, bool) {
	var m int
	switch p.at(0) {
	case 'J':
		switch {
		case p.at(1) == 'a':
			m = 0
		case p.at(2) == 'n':
			m = 5
		default:
			m = 6
		}
	case 'F':
		m = 1
	case 'M':
		if p.at(2) == 'r' {
			m = 2
		} else {
			m = 4
		}
	case 'A':
		if p.at(1) == 'p' {
			m = 3
		} else {
			m = 7
		}
	case 'S':
		m = 8
	case 'O':
		m = 9
	case 'N':
		m = 10
	case 'D':
		m = 11
	default:
		return 0, false
	}
	p.i += 3
	return m, true
}

// clock reads " hh:mm:ss".
func (p *httpDateParser) clock() (hh, mm, ss int, ok bool) {
	if !p.expect(' ') {
		return 0, 0, 0, false
	}
	if hh, ok = p.digits(2); !ok || !p.expect(':') {
		return 0, 0, 0, false
	}
	if mm, ok = p.digits(2); !ok || !p.expect(':') {
		return 0, 0, 0, false
	}
	if ss, ok = p.digits(2); !ok {
		return 0, 0, 0, false
	}
	return hh, mm, ss, true
}

// monthDays returns the days of month (0-11) in year.
func monthDays(month, year int) int {
	if month == 1 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return daysIn[month]
}
