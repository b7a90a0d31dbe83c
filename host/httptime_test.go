package host

import (
	"testing"
	"time"
)

func TestHTTPTime(t *testing.T) {
	tests := []struct {
		sec          int64
		http, cookie string
	}{
		{0, "Thu, 01 Jan 1970 00:00:00 GMT", "Thu, 01-Jan-70 00:00:00 GMT"},
		{1290079655, "Thu, 18 Nov 2010 11:27:35 GMT", "Thu, 18-Nov-10 11:27:35 GMT"},
		{86399, "Thu, 01 Jan 1970 23:59:59 GMT", "Thu, 01-Jan-70 23:59:59 GMT"},
		{-1, "Thu, 01 Jan 1970 00:00:00 GMT", "Thu, 01-Jan-70 00:00:00 GMT"},
		{2147483647, "Tue, 19 Jan 2038 03:14:07 GMT", "Tue, 19-Jan-2038 03:14:07 GMT"},
		{2145916799, "Thu, 31 Dec 2037 23:59:59 GMT", "Thu, 31-Dec-37 23:59:59 GMT"},
		{8589934592, "Wed, 16 Mar 2242 12:56:32 GMT", "Wed, 16-Mar-2242 12:56:32 GMT"},
		{253402300799, "Fri, 31 Dec 9999 23:59:59 GMT", "Fri, 31-Dec-9999 23:59:59 GMT"},
		{253402300800, "Fri, 31 Dec 9999 23:59:59 GMT", "Fri, 31-Dec-9999 23:59:59 GMT"},
		{-1 << 63, "Thu, 01 Jan 1970 00:00:00 GMT", "Thu, 01-Jan-70 00:00:00 GMT"},
	}
	for _, tt := range tests {
		t.Run(tt.http, func(t *testing.T) {
			if got := HTTPTime(tt.sec); got != tt.http {
				t.Errorf("HTTPTime(%d) = %q, want %q", tt.sec, got, tt.http)
			}
			if got := CookieTime(tt.sec); got != tt.cookie {
				t.Errorf("CookieTime(%d) = %q, want %q", tt.sec, got, tt.cookie)
			}
		})
	}
}

func TestClockFormats(t *testing.T) {
	east := time.FixedZone("east", 9*3600)
	tests := []struct {
		name                      string
		t                         time.Time
		now                       float64
		today, localtime, utctime string
	}{
		{name: "utc", t: time.Date(2010, 11, 18, 11, 27, 35, 123456789, time.UTC), now: 1290079655.123,
			today: "2010-11-18", localtime: "2010-11-18 11:27:35", utctime: "2010-11-18 11:27:35"},
		{name: "next day east", t: time.Date(2010, 11, 19, 3, 4, 5, 999999999, east), now: 1290103445.999,
			today: "2010-11-19", localtime: "2010-11-19 03:04:05", utctime: "2010-11-18 18:04:05"},
		{name: "whole second", t: time.Unix(1, 0), now: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Now(tt.t); got != tt.now {
				t.Errorf("Now = %v, want %v", got, tt.now)
			}
			if tt.today == "" {
				return
			}
			if got := Today(tt.t); got != tt.today {
				t.Errorf("Today = %q, want %q", got, tt.today)
			}
			if got := LocalTime(tt.t); got != tt.localtime {
				t.Errorf("LocalTime = %q, want %q", got, tt.localtime)
			}
			if got := UTCTime(tt.t); got != tt.utctime {
				t.Errorf("UTCTime = %q, want %q", got, tt.utctime)
			}
		})
	}
}

func TestParseHTTPTime(t *testing.T) {
	const bad = int64(-1 << 63) // want: not parsed
	tests := []struct {
		in   string
		want int64
	}{
		{"Thu, 18 Nov 2010 11:27:35 GMT", 1290079655},
		{"Thursday, 18-Nov-10 11:27:35 GMT", 1290079655},
		{"Thu Nov 18 11:27:35 2010", 1290079655},
		{"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
		{"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
		{"Sun Nov  6 08:49:37 1994", 784111777},
		{"Sun Nov 6 08:49:37 1994", 784111777},
		{"Thu, 01 Jan 1970 00:00:00 GMT", 0},
		// nginx's leniency.
		{"Thu, 18 Nov 2010 11:27:35", 1290079655},
		{"Thu, 18 Nov 2010 11:27:35 UTC", 1290079655},
		{"Thu, 18 Nov 2010 11:27:35GMTjunk", 1290079655},
		{"Thu, 18 Nov 2010 11:27:35 +0000", 1290079655},
		{"Fri, 18 Nov 2010 11:27:35 GMT", 1290079655},
		{"X, 18 Nov 2010 11:27:35 GMT", 1290079655},
		{"Thu,18 Nov 2010 11:27:35 GMT", 1290079655},
		{"Thu, 18-Nov-10 11:27:35 GMT", 1290079655},
		{"Thu, 00 Nov 2010 11:27:35 GMT", 1288524455},
		{"Thu, 18 Nvx 2010 11:27:35 GMT", 1290079655},
		// Years.
		{"Thu, 18-Nov-70 11:27:35 GMT", 27775655},
		{"Thu, 18-Nov-69 11:27:35 GMT", 3151999655},
		{"Thu, 18 Nov 1969 11:27:35 GMT", -3760345},
		{"Mon, 01 Jan 1601 00:00:00 GMT", -11644473600},
		{"Thu, 18 Nov 9999 23:59:59 GMT", 253398585599},
		{"Wed, 29 Feb 2012 11:27:35 GMT", 1330514855},
		{"Tue, 29 Feb 2000 00:00:00 GMT", 951782400},
		// Refused.
		{"", bad},
		{"garbage", bad},
		{"18 Nov 2010 11:27:35 GMT", bad},
		{"Thu 18 Nov 2010 11:27:35 GMT", bad},
		{"  Thu, 18 Nov 2010 11:27:35 GMT", bad},
		{"Thu, 8 Nov 2010 11:27:35 GMT", bad},
		{"Thu, 18 nov 2010 11:27:35 GMT", bad},
		{"Thu, 18 Nov 10 11:27:35 GMT", bad},
		{"Thu, 18-Nov-2010 11:27:35 GMT", bad},
		{"Thu, 18 Nov 10000 23:59:59 GMT", bad},
		{"Thu, 18 Nov 2010 1:27:35 GMT", bad},
		{"Thu, 18 Nov 2010 24:00:00 GMT", bad},
		{"Thu, 18 Nov 2010 23:60:00 GMT", bad},
		{"Thu, 18 Nov 2010 23:59:60 GMT", bad},
		{"Thu, 31 Nov 2010 11:27:35 GMT", bad},
		{"Tue, 29 Feb 2011 11:27:35 GMT", bad},
		{"Mon, 29 Feb 1900 11:27:35 GMT", bad},
		{"Thu, 30 Feb 2012 11:27:35 GMT", bad},
		{"Thu, 18 Nov 2010 11:27", bad},
		{"Thu Nov 18 11:27:35 10", bad},
		{"Thu Nov 18 11:27:35", bad},
		{"Wed, 31 Dec 1969 23:59:59 GMT", bad}, // -1, nginx's error value
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseHTTPTime(tt.in)
			if !ok {
				got = bad
			}
			if got != tt.want {
				t.Errorf("ParseHTTPTime(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
			}
		})
	}
}
