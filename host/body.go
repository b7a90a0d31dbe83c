package host

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/moongate/moongate/errlog"
)

// Errors of the request body API, with OpenResty's wording.
var (
	ErrBodyNotRead        = errors.New("request body not read yet")
	ErrNoRequestBody      = errors.New("no request body found; maybe you should turn on lua_need_request_body?")
	ErrBodyNotInitialized = errors.New("request_body not initialized")
	ErrBodyInFile         = errors.New("request body in temp file not supported")
)

// defaultBodyBuffer is nginx's client_body_buffer_size on 64-bit
// machines, for a request whose gateway gave no BodyOptions.
const defaultBodyBuffer = 16 << 10

// maxPooled bounds the buffers kept for the next bodies.
const maxPooled = 1 << 20

// readChunk is how much of a body is read from the client at a time once
// it goes to a file.
const readChunk = 32 << 10

// BodyOptions are the config's rules for request bodies.
type BodyOptions struct {
	// BufferSize is client_body_buffer_size: a larger body is kept in a
	// temp file instead of memory.
	BufferSize int
	// TempDir is client_body_temp_path, the temp files' directory; ""
	// means os.TempDir().
	TempDir string
	// MaxSize is client_max_body_size; 0 means unlimited.
	MaxSize int64
}

// bufferSize returns BufferSize, or nginx's default when it is unset.
func (o *BodyOptions) bufferSize() int {
	if o.BufferSize <= 0 {
		return defaultBodyBuffer
	}
	return o.BufferSize
}

// tempDir returns the directory of the temp files.
func (o *BodyOptions) tempDir() string {
	if o.TempDir == "" {
		return os.TempDir()
	}
	return o.TempDir
}

// BodyTooLargeError is a request body over client_max_body_size; the
// gateway answers it with 413. Its message is nginx's log line.
type BodyTooLargeError struct {
	// Size is the body's Content-Length or, for a chunked body, the bytes
	// received before the read that went past the limit.
	Size int64
	// Extra is the bytes of that read for a chunked body; -1 for a body
	// with a Content-Length.
	Extra int64
}

// Error returns "client intended to send too large body: N bytes", or
// "client intended to send too large chunked body: N+M bytes".
func (e *BodyTooLargeError) Error() string {
	if e.Extra < 0 {
		return fmt.Sprintf("client intended to send too large body: %d bytes", e.Size)
	}
	return fmt.Sprintf("client intended to send too large chunked body: %d+%d bytes", e.Size, e.Extra)
}

// bodyState is the request body beyond what fasthttp holds: its file, and
// the body init_body is building.
type bodyState struct {
	opts     BodyOptions
	received int64     // bytes of the client's body
	file     *bodyFile // the body when it is a file; nil when in memory
	build    *spool    // the body init_body started, until finish_body
	built    bool      // finish_body ended a built body
}

// bodyFile is a request body kept in a file.
type bodyFile struct {
	path  string
	f     *os.File // open for reading: the fasthttp request's body stream
	clean bool     // remove path when the body is replaced or the request ends
}

// drop closes the file and removes it if it is to be cleaned.
func (b *bodyFile) drop() {
	b.f.Close()
	if b.clean {
		os.Remove(b.path)
	}
}

// drop forgets the body's file and the body being built, removing their
// temp files.
func (s *bodyState) drop() {
	if s.file != nil {
		s.file.drop()
		s.file = nil
	}
	if s.build != nil {
		s.build.discard()
		s.build = nil
	}
	s.built = false
}

// bodyStream hands a body file to fasthttp as a plain reader: having no
// Close method, it is never closed by fasthttp, only by the request.
type bodyStream struct{ f *os.File }

// Read reads the file.
func (s bodyStream) Read(p []byte) (int, error) { return s.f.Read(p) }

// scratch pools the buffers bodies are collected in before fasthttp
// copies them, so that a small body costs no allocation.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// spool collects a body in memory up to limit bytes, then in a temp file
// in dir.
type spool struct {
	buf   *[]byte // from scratch; the body while it is in memory
	limit int
	dir   string
	file  *os.File // the temp file, once the body outgrew limit
	size  int64
}

// newSpool returns an empty spool.
func newSpool(limit int, dir string) spool {
	buf := scratch.Get().(*[]byte)
	*buf = (*buf)[:0]
	return spool{buf: buf, limit: limit, dir: dir}
}

// spill moves the body to a new temp file: unique name, mode 0600.
func (s *spool) spill() error {
	f, err := os.CreateTemp(s.dir, "moongate-body-")
	if err != nil {
		return fmt.Errorf("creating request body temp file: %w", err)
	}
	s.file = f
	if _, err := f.Write(*s.buf); err != nil {
		return fmt.Errorf("writing request body temp file: %w", err)
	}
	*s.buf = (*s.buf)[:0]
	return nil
}

// write appends p to the body.
func (s *spool) write(p []byte) error {
	if s.file == nil && len(*s.buf)+len(p) > s.limit {
		if err := s.spill(); err != nil {
			return err
		}
	}
	s.size += int64(len(p))
	if s.file == nil {
		*s.buf = append(*s.buf, p...)
		return nil
	}
	if _, err := s.file.Write(p); err != nil {
		return fmt.Errorf("writing request body temp file: %w", err)
	}
	return nil
}

// space returns where the next bytes of the body are read to: after the
// body in memory, or once it is in a file, the start of the buffer. n is
// the body's length, -1 when unknown.
func (s *spool) space(n int64) []byte {
	b := *s.buf
	if s.file != nil {
		b = b[:0]
	}
	b = slices.Grow(b, readChunk)
	*s.buf = b
	p := b[len(b):cap(b)]
	if n >= 0 && int64(len(p)) > n-s.size {
		p = p[:n-s.size]
	}
	return p
}

// commit adds the m bytes read to space's slice to the body. A body in
// memory may pass limit by one read: then it goes to a file, so a body of
// exactly limit bytes stays in memory.
func (s *spool) commit(m int) error {
	s.size += int64(m)
	if s.file == nil {
		*s.buf = (*s.buf)[:len(*s.buf)+m]
		if len(*s.buf) > s.limit {
			return s.spill()
		}
		return nil
	}
	if _, err := s.file.Write((*s.buf)[:m]); err != nil {
		return fmt.Errorf("writing request body temp file: %w", err)
	}
	return nil
}

// fill reads a body from src: n bytes, or to its end when n is -1, when
// max > 0 bounds it.
func (s *spool) fill(src io.Reader, n, max int64) error {
	for n < 0 || s.size < n {
		m, err := src.Read(s.space(n))
		if max > 0 && s.size+int64(m) > max {
			return &BodyTooLargeError{Size: s.size, Extra: int64(m)}
		}
		if cerr := s.commit(m); cerr != nil {
			return cerr
		}
		switch {
		case errors.Is(err, io.EOF):
			if n >= 0 && s.size < n {
				return fmt.Errorf("reading client request body: %w", io.ErrUnexpectedEOF)
			}
			return nil
		case err != nil:
			return fmt.Errorf("reading client request body: %w", err)
		}
	}
	return nil
}

// keep ends the spool of a body that went to a file and returns it.
func (s *spool) keep() (*bodyFile, error) {
	s.release()
	f := s.file
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.discard()
		return nil, fmt.Errorf("rewinding request body temp file: %w", err)
	}
	return &bodyFile{path: f.Name(), f: f, clean: true}, nil
}

// release returns the memory buffer to the pool, unless a large buffer
// given to init_body made it too big to keep.
func (s *spool) release() {
	if s.buf != nil && cap(*s.buf) <= maxPooled {
		scratch.Put(s.buf)
	}
	s.buf = nil
}

// discard throws the spool away, removing its temp file.
func (s *spool) discard() {
	s.release()
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
	}
}

// ReceiveBody reads the client's request body, as nginx does before it
// can proxy it or a hook can see it: a body over opts.MaxSize is refused
// with a *BodyTooLargeError (at once when its Content-Length says so); a
// body up to opts.BufferSize stays in memory; a larger one goes to a temp
// file in opts.TempDir, logged at warn, which is removed when the request
// ends. (nginx keeps a body of known length in memory up to a quarter
// more than its buffer when little of it came with the header; that
// depends on the network, so moongate does not.)
// The gateway calls it before the phases, always, since it also keeps
// opts for InitBody. A request whose body fasthttp already has in memory
// keeps it there.
func (r *Request) ReceiveBody(opts BodyOptions) error {
	r.body.opts = opts
	req := &r.Ctx.Request
	if !req.IsBodyStream() {
		return nil
	}
	n := int64(req.Header.ContentLength())
	if opts.MaxSize > 0 && n > opts.MaxSize {
		return &BodyTooLargeError{Size: n, Extra: -1}
	}
	s := newSpool(opts.bufferSize(), opts.tempDir())
	if n > int64(s.limit) {
		if err := s.spill(); err != nil {
			s.discard()
			return err
		}
	}
	if err := s.fill(req.BodyStream(), n, opts.MaxSize); err != nil {
		s.discard()
		return err
	}
	r.body.received = s.size
	if s.file == nil {
		req.SetBody(*s.buf)
		s.release()
		return nil
	}
	b, err := s.keep()
	if err != nil {
		return err
	}
	r.useBodyFile(b, s.size)
	if r.Log != nil {
		r.Log.Log(errlog.Warn, "a client request body is buffered to a temporary file "+b.path+r.LogContext())
	}
	return nil
}

// useBodyFile makes b, of size bytes, the request body, which fasthttp
// then streams to an upstream.
func (r *Request) useBodyFile(b *bodyFile, size int64) {
	r.body.file = b
	r.Ctx.Request.SetBodyStream(bodyStream{b.f}, int(size))
}

// ReadBody reads the request body (ngx.req.read_body). The gateway has
// received it already (ReceiveBody), so this only marks it read; after
// DiscardBody the body read is empty.
func (r *Request) ReadBody() {
	if r.bodyRead {
		return
	}
	r.bodyRead = true
	if r.body.file != nil {
		r.in.bodyWire = int(r.body.received)
	} else {
		r.in.bodyWire = len(r.Ctx.Request.Body())
	}
}

// DiscardBody throws the request body away (ngx.req.discard_body) unless
// it was read already. The Content-Length header stays as the client sent
// it; the upstream gets an empty body.
func (r *Request) DiscardBody() {
	if r.bodyRead || r.bodyDiscarded {
		return
	}
	r.bodyDiscarded = true
	r.body.drop()
	r.Ctx.Request.ResetBody()
	r.Ctx.Request.Header.SetContentLength(0)
}

// BodyData returns the request body, or nil if it was not read, is empty,
// is in a file or is being built (ngx.req.get_body_data). max > 0 caps
// the length.
func (r *Request) BodyData(max int) []byte {
	if !r.bodyRead || r.body.file != nil || r.body.build != nil {
		return nil
	}
	b := r.Ctx.Request.Body()
	if len(b) == 0 {
		return nil
	}
	if max > 0 && len(b) > max {
		b = b[:max]
	}
	return b
}

// BodyFile returns the name of the file holding the request body
// (ngx.req.get_body_file): "" when the body was not read or is in memory.
// While InitBody builds a body, it is the body's temp file once the body
// outgrew its buffer.
func (r *Request) BodyFile() string {
	switch {
	case !r.bodyRead:
		return ""
	case r.body.build != nil:
		if f := r.body.build.file; f != nil {
			return f.Name()
		}
		return ""
	case r.body.file != nil:
		return r.body.file.path
	}
	return ""
}

// SetBodyData replaces the request body and its Content-Length
// (ngx.req.set_body_data).
func (r *Request) SetBodyData(data []byte) error {
	if !r.bodyRead {
		return ErrBodyNotRead
	}
	r.body.drop()
	r.Ctx.Request.SetBody(data)
	r.SetHeader("Content-Length", strconv.Itoa(len(data)))
	return nil
}

// SetBodyFile makes the file at path the request body and sets the
// Content-Length to its size (ngx.req.set_body_file). With autoClean the
// file is removed when the body is replaced or the request ends. As in
// OpenResty, the old body is gone even if path cannot be opened.
func (r *Request) SetBodyFile(path string, autoClean bool) error {
	if !r.bodyRead {
		return ErrBodyNotRead
	}
	r.body.drop()
	r.Ctx.Request.ResetBody()
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stat() \"%s\" failed", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open() \"%s\" failed", path)
	}
	r.useBodyFile(&bodyFile{path: path, f: f, clean: autoClean}, fi.Size())
	r.SetHeader("Content-Length", strconv.FormatInt(fi.Size(), 10))
	return nil
}

// InitBody starts a new, empty request body (ngx.req.init_body), which
// replaces the current one: AppendBody adds to it, FinishBody ends it. It
// is kept in memory up to bufferSize bytes, then in a temp file removed
// when the request ends; bufferSize < 0 means client_body_buffer_size,
// 0 a file from the start.
func (r *Request) InitBody(bufferSize int) error {
	if !r.bodyRead {
		return ErrBodyNotRead
	}
	if bufferSize < 0 {
		bufferSize = r.body.opts.bufferSize()
	}
	s := newSpool(bufferSize, r.body.opts.tempDir())
	if bufferSize == 0 {
		if err := s.spill(); err != nil {
			s.discard()
			return err
		}
	}
	r.body.drop()
	r.body.build = &s
	return nil
}

// AppendBody appends data to the body InitBody started
// (ngx.req.append_body).
func (r *Request) AppendBody(data []byte) error {
	if r.body.build == nil {
		return ErrBodyNotInitialized
	}
	return r.body.build.write(data)
}

// FinishBody ends the body InitBody started and makes it the request
// body, with its Content-Length (ngx.req.finish_body). Called again, it
// does nothing.
func (r *Request) FinishBody() error {
	s := r.body.build
	if s == nil {
		if r.body.built {
			return nil
		}
		return ErrBodyNotInitialized
	}
	r.body.build = nil
	if s.file == nil {
		r.Ctx.Request.SetBody(*s.buf)
		s.release()
	} else {
		b, err := s.keep()
		if err != nil {
			return err
		}
		r.useBodyFile(b, s.size)
	}
	r.body.built = true
	r.SetHeader("Content-Length", strconv.FormatInt(s.size, 10))
	return nil
}

// PostArgs parses an x-www-form-urlencoded body (ngx.req.get_post_args);
// max is as for Limit. A body in a file is not parsed (ErrBodyInFile).
func (r *Request) PostArgs(max int) ([]Arg, bool, error) {
	if !r.bodyRead {
		return nil, false, ErrNoRequestBody
	}
	if r.body.file != nil {
		return nil, false, ErrBodyInFile
	}
	args, truncated := ParseArgs(string(r.BodyData(0)), Limit(max))
	return args, truncated, nil
}
