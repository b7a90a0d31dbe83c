package host

import (
	"errors"
	"fmt"
	"strconv"
)

// ServerName is the product name moongate puts in its Server header and
// error pages.
const ServerName = "moongate"

// reasons are the status texts nginx puts in its own error pages.
var reasons = map[int]string{
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request",
	401: "Authorization Required",
	402: "Payment Required",
	403: "Forbidden",
	404: "Not Found",
	405: "Not Allowed",
	406: "Not Acceptable",
	408: "Request Time-out",
	409: "Conflict",
	410: "Gone",
	411: "Length Required",
	412: "Precondition Failed",
	413: "Request Entity Too Large",
	414: "Request-URI Too Large",
	415: "Unsupported Media Type",
	416: "Requested Range Not Satisfiable",
	421: "Misdirected Request",
	429: "Too Many Requests",
	431: "Request Header Fields Too Large",
	494: "Request Header Or Cookie Too Large",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway",
	503: "Service Temporarily Unavailable",
	504: "Gateway Time-out",
	505: "HTTP Version Not Supported",
	507: "Insufficient Storage",
}

// ErrorPage returns nginx's built-in page for status, or nil for a status
// that has none.
func ErrorPage(status int) []byte {
	reason, ok := reasons[status]
	if !ok {
		return nil
	}
	title := strconv.Itoa(status) + " " + reason
	return []byte("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
		title + "</h1></center>\r\n<hr><center>" + ServerName + "</center>\r\n</body>\r\n</html>\r\n")
}

// closesConnection reports whether nginx ends keep-alive after the special
// response for status.
func closesConnection(status int) bool {
	switch status {
	case 400, 413, 414, 495, 496, 497, 500, 501:
		return true
	}
	return false
}

// SendSpecial finishes the request with status and nginx's error page for
// it, as nginx does when a handler returns a status of 300 or more (or
// 204); a status without a page gets an empty body and no Content-Type.
// When the headers are already sent it only ends the body, logging an
// error if status differs from the status sent.
func (r *Request) SendSpecial(status int) error {
	if r.IsSubrequest() {
		return r.subSpecial(status)
	}
	if err := r.special(status, true); err != nil && !errors.Is(err, ErrOutputFilter) {
		return err
	}
	return nil
}

// special is SendSpecial; honourExit is sendHeaders'.
func (r *Request) special(status int, honourExit bool) error {
	if r.headersSent {
		if status != r.status {
			r.logError(fmt.Sprintf("attempt to set status %d via ngx.exit after sending out the response status %d", status, r.status))
		}
		return r.EOF()
	}
	r.status = status
	resp := &r.Ctx.Response
	resp.ResetBody()
	page := ErrorPage(status)
	if page != nil {
		resp.Header.SetContentType("text/html")
	} else {
		resp.Header.Del("Content-Type")
	}
	if closesConnection(status) {
		resp.SetConnectionClose()
	}
	if err := r.sendHeaders(false, honourExit); err != nil {
		return err
	}
	if page != nil {
		if err := r.emit(page, false); err != nil {
			return err
		}
	}
	return r.EOF()
}
