package moongate

import (
	"math"
	"strconv"
	"testing"
	"time"
)

func TestMillis(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int32
	}{
		{0, 0},
		{1500 * time.Microsecond, 1},
		{2 * time.Second, 2000},
		{-time.Nanosecond, -1},
		{-time.Hour, -1},
		{math.MaxInt64, math.MaxInt32},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			if got := millis(tt.d); got != tt.want {
				t.Errorf("millis(%v) = %d, want %d", tt.d, got, tt.want)
			}
		})
	}
}

func TestI32(t *testing.T) {
	tests := []struct {
		n    int
		want int32
	}{
		{0, 0},
		{NoPort, -1},
		{65535, 65535},
		{math.MaxInt32 + 1, math.MaxInt32},
		{math.MinInt32 - 1, math.MinInt32},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			if got := i32(tt.n); got != tt.want {
				t.Errorf("i32(%d) = %d, want %d", tt.n, got, tt.want)
			}
		})
	}
}
