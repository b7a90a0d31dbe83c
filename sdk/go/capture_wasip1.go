//go:build wasip1

package moongate

// Capture runs one subrequest to the gateway's own routes and returns its
// response (ngx.location.capture). It waits without holding up other
// requests, and the wait does not count against the hook's time limit.
// Allowed in rewrite, access and content.
func (r *Request) Capture(sub SubRequest) (*SubResponse, error) {
	resps, err := r.CaptureMulti([]SubRequest{sub})
	if err != nil {
		return nil, err
	}
	return &resps[0], nil
}

// CaptureMulti runs subrequests at once, in parallel, and returns their
// responses in the same order (ngx.location.capture_multi).
func (r *Request) CaptureMulti(subs []SubRequest) ([]SubResponse, error) {
	for _, s := range subs {
		i := hostCaptureAdd(strPtr(s.Method), size(s.Method), strPtr(s.URI), size(s.URI),
			strPtr(s.Args), size(s.Args), bytesPtr(s.Body), size(s.Body), s.flags())
		if i < 0 {
			return nil, fail(i)
		}
		for name, value := range s.Vars {
			if err := check(hostCaptureSetVar(i, strPtr(name), size(name), strPtr(value), size(value))); err != nil {
				return nil, err
			}
		}
	}
	first := hostCaptureMulti()
	if first < 0 {
		return nil, fail(first)
	}
	resps := make([]SubResponse, len(subs))
	for i := range resps {
		if err := readResponse(first+int32(i), &resps[i]); err != nil {
			return nil, err
		}
	}
	return resps, nil
}

// readResponse reads the captured response of handle h into resp.
func readResponse(h int32, resp *SubResponse) error {
	status, err := intResult(hostCaptureStatus(h))
	if err != nil {
		return err
	}
	resp.Status = status
	if resp.Header, err = fetchList(decodeHeaders, func(b []byte) int32 { return hostCaptureHeaders(h, bytesPtr(b), size(b)) }); err != nil {
		return err
	}
	if resp.Body, err = fetchBytes(func(b []byte) int32 { return hostCaptureBody(h, bytesPtr(b), size(b)) }); err != nil {
		return err
	}
	resp.Truncated, err = boolResult(hostCaptureTruncated(h))
	return err
}

// Exec redirects the request internally to uri with the query string
// args (ngx.exec): once the handler returns, the request is served by the
// route uri matches, internal routes included. It returns the action the
// handler must return at once, as Lua's ngx.exec ends the hook; when the
// host refuses, the action is 500, as a Lua hook whose ngx.exec raised an
// error.
func (r *Request) Exec(uri, args string) (Action, error) {
	if err := check(hostExec(strPtr(uri), size(uri), strPtr(args), size(args))); err != nil {
		return Action(500), err
	}
	return Continue, nil
}
