package moongate

import (
	"encoding/binary"
	"reflect"
	"testing"
)

// offsets encodes re_match's result: each v as an i32, little-endian.
func offsets(vs ...int32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

func TestDecodeCaptures(t *testing.T) {
	const subject = "id 42-"
	tests := []struct {
		name    string
		b       []byte
		groups  []string // each group's text, "<nil>" for one that took no part
		next    int
		wantErr bool
	}{
		{"whole match only", offsets(3, 5), []string{"42"}, 5, false},
		{"groups", offsets(3, 6, 3, 5, -1, -1), []string{"42-", "42", "<nil>"}, 6, false},
		{"empty match", offsets(6, 6), []string{""}, 7, false},
		{"empty", nil, nil, 0, true},
		{"odd length", offsets(3, 5)[:7], nil, 0, true},
		{"one offset", offsets(3), nil, 0, true},
		{"no whole match", offsets(-1, -1), nil, 0, true},
		{"past the subject", offsets(3, 7), nil, 0, true},
		{"reversed", offsets(5, 3), nil, 0, true},
		{"half unmatched", offsets(3, 5, -1, 4), nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := decodeCaptures(subject, tt.b)
			if tt.wantErr {
				if err == nil {
					t.Errorf("decoded %+v, want an error", c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var groups []string
			for i := range c.Len() {
				g, ok := c.Group(i)
				if !ok {
					g = "<nil>"
				}
				groups = append(groups, g)
			}
			if !reflect.DeepEqual(groups, tt.groups) {
				t.Errorf("groups %q, want %q", groups, tt.groups)
			}
			if c.String() != tt.groups[0] {
				t.Errorf("String() = %q, want %q", c.String(), tt.groups[0])
			}
			if got := c.nextStart(); got != tt.next {
				t.Errorf("nextStart() = %d, want %d", got, tt.next)
			}
			if s, e := c.Index(c.Len()); s != -1 || e != -1 {
				t.Errorf("Index past the groups = %d, %d", s, e)
			}
		})
	}
}

func TestDecodeGroupNames(t *testing.T) {
	l := binary.LittleEndian.AppendUint32(nil, 2)
	for _, n := range []uint32{1, noValue, 0, noValue} {
		l = binary.LittleEndian.AppendUint32(l, n)
	}
	l = append(l, 'y')
	names, err := decodeGroupNames(l)
	if err != nil || !reflect.DeepEqual(names, []string{"y", ""}) {
		t.Errorf("decoded %q, %v; want [y \"\"]", names, err)
	}
}
