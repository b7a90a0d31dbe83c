//go:build wasip1

package moongate

// BodyFile returns the name of the file the request body was buffered to
// (ngx.req.get_body_file); ErrNotFound when the body is in memory or was
// not read.
func (r *Request) BodyFile() (string, error) {
	return fetchString(func(b []byte) int32 { return hostReqGetBodyFile(bytesPtr(b), size(b)) })
}

// SetBodyFile makes the file path the request body
// (ngx.req.set_body_file); with autoClean the file is removed when the
// request ends.
func (r *Request) SetBodyFile(path string, autoClean bool) error {
	return check(hostReqSetBodyFile(strPtr(path), size(path), boolArg(autoClean)))
}

// InitBody starts a new, empty request body, replacing the current one,
// kept in memory up to bufferSize bytes (negative: the config's
// client_body_buffer_size; 0: none) and in a temporary file past that
// (ngx.req.init_body). AppendBody adds to it and FinishBody makes it the
// request body. ErrFailed before ReadBody.
func (r *Request) InitBody(bufferSize int) error { return check(hostReqInitBody(i32(bufferSize))) }

// AppendBody appends data to the body InitBody started
// (ngx.req.append_body).
func (r *Request) AppendBody(data []byte) error {
	return check(hostReqAppendBody(bytesPtr(data), size(data)))
}

// FinishBody ends the body InitBody started, which becomes the request
// body (ngx.req.finish_body).
func (r *Request) FinishBody() error { return check(hostReqFinishBody()) }
