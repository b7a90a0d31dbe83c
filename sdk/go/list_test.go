package moongate

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// encodeList builds a list in the ABI's encoding; a nil value is "no value".
func encodeList(pairs ...[2]*string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(pairs)))
	var data []byte
	for _, p := range pairs {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(*p[0])))
		data = append(data, *p[0]...)
		if p[1] == nil {
			b = binary.LittleEndian.AppendUint32(b, noValue)
			continue
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(len(*p[1])))
		data = append(data, *p[1]...)
	}
	return append(b, data...)
}

// pair is a list entry with a value, bare one without.
func pair(key, value string) [2]*string { return [2]*string{&key, &value} }
func bare(key string) [2]*string        { return [2]*string{&key, nil} }

func TestDecodeArgs(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    Args
		wantErr string
	}{
		{name: "empty", in: encodeList(), want: Args{}},
		{
			name: "order, repeats and no value",
			in:   encodeList(pair("a", "1"), pair("b", "2"), pair("b", "3"), bare("flag"), pair("e", "")),
			want: Args{
				{Key: "a", Value: "1", HasValue: true},
				{Key: "b", Value: "2", HasValue: true},
				{Key: "b", Value: "3", HasValue: true},
				{Key: "flag"},
				{Key: "e", HasValue: true},
			},
		},
		{name: "no count", in: []byte{1, 0}, wantErr: "truncated"},
		{name: "count past the end", in: []byte{9, 0, 0, 0, 1, 0, 0, 0}, wantErr: "9 pairs in 8 bytes"},
		{name: "huge count", in: []byte{0xff, 0xff, 0xff, 0xff}, wantErr: "pairs in 4 bytes"},
		{name: "key past the end", in: encodeList(pair("abc", "d"))[:14], wantErr: "truncated"},
		{name: "value past the end", in: encodeList(pair("abc", "def"))[:15], wantErr: "truncated"},
		{name: "bytes left over", in: append(encodeList(pair("a", "b")), 'x'), wantErr: "1 bytes left over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeArgs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeHeaders(t *testing.T) {
	got, err := decodeHeaders(encodeList(pair("x-test", "yes"), pair("x-multi", "1"), pair("x-multi", "2")))
	if err != nil {
		t.Fatal(err)
	}
	want := Headers{{"x-test", "yes"}, {"x-multi", "1"}, {"x-multi", "2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestArgsLookups(t *testing.T) {
	args := Args{{Key: "a", Value: "1", HasValue: true}, {Key: "b", Value: "2", HasValue: true}, {Key: "flag"}, {Key: "b", Value: "3", HasValue: true}}
	tests := []struct {
		key        string
		wantValue  string
		wantFound  bool
		wantValues []string
	}{
		{key: "a", wantValue: "1", wantFound: true, wantValues: []string{"1"}},
		{key: "b", wantValue: "2", wantFound: true, wantValues: []string{"2", "3"}},
		{key: "flag", wantValue: "", wantFound: true, wantValues: []string{""}},
		{key: "A"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			v, found := args.Get(tt.key)
			if v != tt.wantValue || found != tt.wantFound {
				t.Errorf("Get = %q, %v; want %q, %v", v, found, tt.wantValue, tt.wantFound)
			}
			if vs := args.Values(tt.key); !reflect.DeepEqual(vs, tt.wantValues) {
				t.Errorf("Values = %q, want %q", vs, tt.wantValues)
			}
		})
	}
}

func TestHeadersLookups(t *testing.T) {
	hs := Headers{{"X-Test", "yes"}, {"x-multi", "1"}, {"X-Multi", "2"}}
	tests := []struct {
		name       string
		wantValue  string
		wantFound  bool
		wantValues []string
	}{
		{name: "x-test", wantValue: "yes", wantFound: true, wantValues: []string{"yes"}},
		{name: "X-MULTI", wantValue: "1", wantFound: true, wantValues: []string{"1", "2"}},
		{name: "x-none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, found := hs.Get(tt.name)
			if v != tt.wantValue || found != tt.wantFound {
				t.Errorf("Get = %q, %v; want %q, %v", v, found, tt.wantValue, tt.wantFound)
			}
			if vs := hs.Values(tt.name); !reflect.DeepEqual(vs, tt.wantValues) {
				t.Errorf("Values = %q, want %q", vs, tt.wantValues)
			}
		})
	}
}

func TestArgsEncode(t *testing.T) {
	tests := []struct {
		name string
		args Args
		want string
	}{
		{name: "none", want: ""},
		{
			name: "order and no value",
			args: Args{{Key: "b", Value: "2", HasValue: true}, {Key: "flag"}, {Key: "a", Value: "", HasValue: true}},
			want: "b=2&flag&a=",
		},
		{
			name: "escaped",
			args: Args{{Key: "a b", Value: "x&y=z/\xff", HasValue: true}},
			want: "a%20b=x%26y%3Dz%2F%FF",
		},
		{
			name: "kept as they are",
			args: Args{{Key: "Az09", Value: "-._~!'()*", HasValue: true}},
			want: "Az09=-._~!'()*",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.args.Encode(); got != tt.want {
				t.Errorf("Encode = %q, want %q", got, tt.want)
			}
		})
	}
}
