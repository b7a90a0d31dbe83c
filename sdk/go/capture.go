package moongate

import "github.com/moongate/moongate/abi"

// SubRequest is one subrequest of Request.Capture and CaptureMulti: the
// options of ngx.location.capture.
type SubRequest struct {
	// Method is "GET", "POST", ...; "" is GET.
	Method string
	// URI is the path of the location to capture, one of the gateway's
	// routes (an internal one too).
	URI string
	// Args is the query string.
	Args string
	// Body is the subrequest's body, an empty non-nil one included. With
	// a nil Body, as with Lua's capture without a body option, a POST or
	// PUT subrequest gets the parent's body when it was read, the others
	// none; AlwaysForwardBody gives it the parent's body whatever its
	// method.
	Body              []byte
	AlwaysForwardBody bool
	// CopyAllVars starts the subrequest with a copy of the parent's
	// variables; ShareAllVars shares them.
	CopyAllVars, ShareAllVars bool
	// Vars sets variables of the subrequest.
	Vars map[string]string
}

// flags returns capture_add's flags for s.
func (s *SubRequest) flags() int32 {
	var f int32
	if s.Body != nil {
		f |= abi.CaptureBody
	}
	if s.CopyAllVars {
		f |= abi.CaptureCopyAllVars
	}
	if s.ShareAllVars {
		f |= abi.CaptureShareAllVars
	}
	if s.AlwaysForwardBody {
		f |= abi.CaptureAlwaysForwardBody
	}
	return f
}

// SubResponse is the captured response of a subrequest (ngx.location.capture's
// res table).
type SubResponse struct {
	Status int
	Header Headers
	Body   []byte
	// Truncated: the body was cut short, by an upstream's error.
	Truncated bool
}
