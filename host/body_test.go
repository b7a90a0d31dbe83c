package host

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// bodyRequest returns a request whose client body streams from body:
// with a Content-Length, or chunked when chunked is set.
func bodyRequest(body io.Reader, size int, chunked bool) *Request {
	ctx := new(fasthttp.RequestCtx)
	ctx.Request.Header.SetMethod("POST")
	if chunked {
		size = -1
	}
	ctx.Request.SetBodyStream(body, size)
	return NewRequest(ctx, "/", nil, nil)
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// dirEntries returns the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestReceiveBody(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		chunked  bool
		buffer   int
		max      int64
		fail     bool   // the client's stream fails after the body's bytes
		wantFile bool   // the body goes to a file
		wantErr  string // the error, if any
	}{
		{name: "empty", size: 0, buffer: 8},
		{name: "fits", size: 8, buffer: 8},
		{name: "one byte more", size: 9, buffer: 8, wantFile: true},
		{name: "chunked fits", size: 8, chunked: true, buffer: 8},
		{name: "chunked one byte more", size: 9, chunked: true, buffer: 8, wantFile: true},
		{name: "large", size: 100000, buffer: 1000, wantFile: true},
		{name: "large chunked", size: 100000, chunked: true, buffer: 1000, wantFile: true},
		{name: "at the limit", size: 100, buffer: 10, max: 100, wantFile: true},
		{name: "length over the limit", size: 101, buffer: 10, max: 100,
			wantErr: "client intended to send too large body: 101 bytes"},
		{name: "chunked over the limit", size: 101, chunked: true, buffer: 10, max: 100,
			wantErr: "client intended to send too large chunked body: 0+101 bytes"},
		{name: "client fails in memory", size: 5, chunked: true, buffer: 10, fail: true,
			wantErr: "reading client request body: connection reset"},
		{name: "client fails in a file", size: 50, chunked: true, buffer: 10, fail: true,
			wantErr: "reading client request body: connection reset"},
		{name: "body shorter than its length", size: 50, buffer: 10, fail: true,
			wantErr: "reading client request body: connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			body := bytes.Repeat([]byte("0123456789"), tt.size/10+1)[:tt.size]
			var src io.Reader = bytes.NewReader(body)
			length := tt.size
			if tt.fail {
				src = &failingReader{data: body, err: errors.New("connection reset")}
				length = tt.size * 2
			}
			r := bodyRequest(src, length, tt.chunked)
			err := r.ReceiveBody(BodyOptions{BufferSize: tt.buffer, TempDir: dir, MaxSize: tt.max})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				r.Release()
				if left := dirEntries(t, dir); len(left) > 0 {
					t.Errorf("temp files left: %v", left)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.BodyFile(); got != "" {
				t.Errorf("BodyFile before ReadBody = %q", got)
			}
			r.ReadBody()
			file := r.BodyFile()
			if (file != "") != tt.wantFile {
				t.Fatalf("BodyFile = %q, want a file: %v", file, tt.wantFile)
			}
			if tt.wantFile {
				got, err := os.ReadFile(file)
				if err != nil || !bytes.Equal(got, body) || filepath.Dir(file) != dir {
					t.Errorf("file %s holds %d bytes (%v), want %d in %s", file, len(got), err, len(body), dir)
				}
				if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
					t.Errorf("file mode %v (%v), want 0600", info.Mode(), err)
				}
				if r.BodyData(0) != nil {
					t.Error("BodyData is not nil for a body in a file")
				}
				if _, _, err := r.PostArgs(0); !errors.Is(err, ErrBodyInFile) {
					t.Errorf("PostArgs error %v, want %v", err, ErrBodyInFile)
				}
				if r.in.bodyWire != tt.size {
					t.Errorf("request length counts %d body bytes, want %d", r.in.bodyWire, tt.size)
				}
			} else if got := r.BodyData(0); !bytes.Equal(got, body) {
				t.Errorf("BodyData = %q, want %q", got, body)
			}
			r.Release()
			if left := dirEntries(t, dir); len(left) > 0 {
				t.Errorf("temp files left after Release: %v", left)
			}
		})
	}
}

func TestBuildBody(t *testing.T) {
	tests := []struct {
		name     string
		buffer   int // InitBody's argument
		appends  []string
		wantFile bool
	}{
		{name: "empty", buffer: 8},
		{name: "in memory", buffer: 8, appends: []string{"hello", "!"}},
		{name: "outgrows its buffer", buffer: 4, appends: []string{"hel", "lo"}, wantFile: true},
		{name: "file from the start", buffer: 0, appends: []string{"x"}, wantFile: true},
		{name: "default buffer", buffer: -1, appends: []string{strings.Repeat("x", 16<<10)}},
		{name: "past the default buffer", buffer: -1, appends: []string{strings.Repeat("x", 16<<10), "y"}, wantFile: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := bodyRequest(strings.NewReader("old"), 3, false)
			if err := r.ReceiveBody(BodyOptions{TempDir: dir}); err != nil {
				t.Fatal(err)
			}
			if err := r.InitBody(tt.buffer); !errors.Is(err, ErrBodyNotRead) {
				t.Errorf("InitBody before ReadBody: %v", err)
			}
			if err := r.AppendBody(nil); !errors.Is(err, ErrBodyNotInitialized) {
				t.Errorf("AppendBody before InitBody: %v", err)
			}
			if err := r.FinishBody(); !errors.Is(err, ErrBodyNotInitialized) {
				t.Errorf("FinishBody before InitBody: %v", err)
			}
			r.ReadBody()
			if err := r.InitBody(tt.buffer); err != nil {
				t.Fatal(err)
			}
			for _, a := range tt.appends {
				if err := r.AppendBody([]byte(a)); err != nil {
					t.Fatal(err)
				}
				if r.BodyData(0) != nil {
					t.Error("BodyData is not nil while the body is built")
				}
			}
			if err := r.FinishBody(); err != nil {
				t.Fatal(err)
			}
			if err := r.FinishBody(); err != nil {
				t.Errorf("FinishBody again: %v", err)
			}
			want := strings.Join(tt.appends, "")
			var got []byte
			if file := r.BodyFile(); file != "" {
				got, _ = os.ReadFile(file)
			} else {
				got = r.BodyData(0)
			}
			if (r.BodyFile() != "") != tt.wantFile || string(got) != want {
				t.Errorf("body %q in file %q, want %q in a file: %v", got, r.BodyFile(), want, tt.wantFile)
			}
			if cl := r.Ctx.Request.Header.ContentLength(); cl != len(want) {
				t.Errorf("Content-Length %d, want %d", cl, len(want))
			}
			r.Release()
			if left := dirEntries(t, dir); len(left) > 0 {
				t.Errorf("temp files left after Release: %v", left)
			}
		})
	}
}

func TestSetBodyFile(t *testing.T) {
	tests := []struct {
		name      string
		autoClean bool
		replace   func(r *Request) error
		kept      bool // the file is still there after replace and Release
	}{
		{"kept", false, func(r *Request) error { return r.SetBodyData([]byte("x")) }, true},
		{"cleaned when replaced by data", true, func(r *Request) error { return r.SetBodyData([]byte("x")) }, false},
		{"cleaned when a body is built", true, func(r *Request) error { return r.InitBody(-1) }, false},
		{"cleaned at the end", true, func(*Request) error { return nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "body")
			if err := os.WriteFile(path, []byte("file body"), 0o644); err != nil {
				t.Fatal(err)
			}
			r := bodyRequest(strings.NewReader(""), 0, false)
			if err := r.SetBodyFile(path, tt.autoClean); !errors.Is(err, ErrBodyNotRead) {
				t.Errorf("SetBodyFile before ReadBody: %v", err)
			}
			r.ReadBody()
			if err := r.SetBodyFile(path+".missing", tt.autoClean); err == nil || err.Error() != `stat() "`+path+`.missing" failed` {
				t.Errorf("SetBodyFile of a missing file: %v", err)
			}
			if err := r.SetBodyFile(path, tt.autoClean); err != nil {
				t.Fatal(err)
			}
			if r.BodyFile() != path || r.Ctx.Request.Header.ContentLength() != len("file body") {
				t.Errorf("BodyFile %q, Content-Length %d", r.BodyFile(), r.Ctx.Request.Header.ContentLength())
			}
			if got, _ := io.ReadAll(r.Ctx.Request.BodyStream()); string(got) != "file body" {
				t.Errorf("body stream %q", got)
			}
			if err := tt.replace(r); err != nil {
				t.Fatal(err)
			}
			r.Release()
			if _, err := os.Stat(path); (err == nil) != tt.kept {
				t.Errorf("file kept: %v, want %v", err == nil, tt.kept)
			}
		})
	}
}

// BenchmarkReceiveBody measures a small body that stays in memory, from
// the client's stream to BodyData: it should cost no allocation (a test
// cannot assert it, as the race detector makes sync.Pool drop items).
func BenchmarkReceiveBody(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1000)
	src := bytes.NewReader(body)
	ctx := new(fasthttp.RequestCtx)
	opts := BodyOptions{BufferSize: 16 << 10}
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(body)
		ctx.Request.SetBodyStream(src, len(body))
		r := NewRequest(ctx, "/", nil, nil)
		if err := r.ReceiveBody(opts); err != nil {
			b.Fatal(err)
		}
		r.ReadBody()
		if len(r.BodyData(0)) != len(body) {
			b.Fatal("body lost")
		}
		r.Release()
	}
}
