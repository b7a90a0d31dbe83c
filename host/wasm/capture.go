package wasm

import (
	"bytes"
	"errors"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// The subrequest functions of ABI.md ("Subrequests and internal
// redirects"): ngx.location.capture and capture_multi over
// host.Request.Capture, and ngx.exec. A guest queues subrequests with
// capture_add (and capture_set_var), runs the queue with capture_multi,
// which blocks with the call's time limit paused, and reads each response
// through its handle: an index into the running call's responses, kept
// until the export call returns.

// captureFlags are the flags capture_add knows.
const captureFlags = abi.CaptureBody | abi.CaptureCopyAllVars | abi.CaptureShareAllVars | abi.CaptureAlwaysForwardBody

// captureAdd is capture_add(method, uri, args, body, flags): the index of
// the subrequest it queued. An empty method is GET (host.SubRequest).
func captureAdd(c call) (int32, error) {
	flags := c.i32(8)
	if flags&^captureFlags != 0 {
		return 0, badArgument("bad capture flags %#x", flags)
	}
	var sub host.SubRequest
	var err error
	for i, dst := range []*string{&sub.Method, &sub.URI, &sub.Args} {
		if *dst, err = c.string(2 * i); err != nil {
			return 0, err
		}
	}
	if sub.URI == "" {
		return 0, badArgument("empty subrequest uri")
	}
	body, err := c.bytes(6)
	if err != nil {
		return 0, err
	}
	if flags&abi.CaptureBody != 0 {
		sub.Body, sub.HasBody = bytes.Clone(body), true
	}
	sub.CopyAllVars = flags&abi.CaptureCopyAllVars != 0
	sub.ShareAllVars = flags&abi.CaptureShareAllVars != 0
	sub.AlwaysForwardBody = flags&abi.CaptureAlwaysForwardBody != 0
	st := &c.in.state
	st.subs = append(st.subs, sub)
	return int32(len(st.subs) - 1), nil
}

// captureSetVar is capture_set_var(i, name, value): a variable of queued
// subrequest i (ngx.location.capture's "vars" option).
func captureSetVar(c call) (int32, error) {
	subs := c.in.state.subs
	i := c.i32(0)
	if i < 0 || int(i) >= len(subs) {
		return 0, badArgument("no queued subrequest %d", i)
	}
	name, err := c.string(1)
	if err != nil {
		return 0, err
	}
	value, err := c.string(3)
	if err != nil {
		return 0, err
	}
	if subs[i].Vars == nil {
		subs[i].Vars = make(map[string]string)
	}
	subs[i].Vars[name] = value
	return 0, nil
}

// captureMulti is capture_multi: it runs the queued subrequests, at once,
// empties the queue and returns the handle of the first response; the
// others follow in the queue's order.
func captureMulti(c call) (int32, error) {
	st := &c.in.state
	subs := st.subs
	st.subs = nil
	if len(subs) == 0 {
		return 0, badArgument("no subrequest queued")
	}
	var resps []host.SubResponse
	var err error
	c.in.waiting(func() { resps, err = c.r.Capture(subs) })
	if err != nil {
		return 0, err
	}
	first := len(st.captures)
	for i := range resps {
		st.captures = append(st.captures, &resps[i])
	}
	return int32(first), nil
}

// response returns the response of the handle in argument i.
func (c *call) response(i int) (*host.SubResponse, error) {
	return handleOf(c, i, c.in.state.captures, "capture")
}

// captureStatus is capture_status(h).
func captureStatus(c call) (int32, error) {
	resp, err := c.response(0)
	if err != nil {
		return 0, err
	}
	return int32(resp.Status), nil
}

// captureHeaders is capture_headers(h, buf): the response's headers as a
// list, names as the response has them.
func captureHeaders(c call) (int32, error) {
	resp, err := c.response(0)
	if err != nil {
		return 0, err
	}
	return result(c, 1, c.headerList(resp.Header, false))
}

// captureBody is capture_body(h, buf).
func captureBody(c call) (int32, error) {
	resp, err := c.response(0)
	if err != nil {
		return 0, err
	}
	return result(c, 1, resp.Body)
}

// captureTruncated is capture_truncated(h): 1 when the response body was
// cut short (an upstream error), else 0.
func captureTruncated(c call) (int32, error) {
	resp, err := c.response(0)
	if err != nil {
		return 0, err
	}
	return boolean(resp.Truncated), nil
}

// execURI is exec(uri, args): ngx.exec, an internal redirect to uri with
// query args once the hook returns; the guest returns 0 at once, which
// leaves the ngx.exit(0) host.Request.Exec records to the gateway.
func execURI(c call) (int32, error) {
	uri, args, err := stringPair(c)
	if err != nil {
		return 0, err
	}
	if err := c.r.Exec(uri, args); errors.Is(err, host.ErrExecEmptyURI) {
		return 0, badArgument("%v", err)
	} else if err != nil {
		return 0, err
	}
	return 0, nil
}
