package wasm

// The request body functions of ABI.md that go past get_body_data and
// set_body_data: the body file (ngx.req.get_body_file,
// ngx.req.set_body_file) and a body built in parts (ngx.req.init_body,
// append_body, finish_body), over host.Request's methods of the same
// names.

// bodyFile is req_get_body_file(buf): the file holding the request body;
// ERR_NOT_FOUND when the body is in memory, or not read.
func bodyFile(c call) (int32, error) {
	path := c.r.BodyFile()
	if path == "" {
		return 0, notFound("no request body file")
	}
	return result(c, 0, path)
}

// setBodyFile is req_set_body_file(path, auto_clean).
func setBodyFile(c call) (int32, error) {
	path, err := c.string(0)
	if err != nil {
		return 0, err
	}
	return 0, c.r.SetBodyFile(path, c.i32(2) != 0)
}

// initBody is req_init_body(buffer_size): a negative size for the
// config's client body buffer size, 0 for a file from the start.
func initBody(c call) (int32, error) { return 0, c.r.InitBody(int(c.i32(0))) }

// appendBody is req_append_body(data).
func appendBody(c call) (int32, error) {
	data, err := c.bytes(0)
	if err != nil {
		return 0, err
	}
	return 0, c.r.AppendBody(data)
}

// finishBody is req_finish_body.
func finishBody(c call) (int32, error) { return 0, c.r.FinishBody() }
