package gateway

import (
	"errors"

	"github.com/moongate/moongate/errlog"
	"github.com/moongate/moongate/host"
	"github.com/valyala/fasthttp"
)

// readBody receives the request body before the phases (host's
// ReceiveBody: in memory, or spooled to a temp file, by the config's
// client_body_* rules). It reports whether the request goes on; when it
// does not, the client got 413 for a body over client_max_body_size, or
// 400 for a body it failed to send, and the connection closes.
func (x *exchange) readBody() bool {
	c := &x.s.cfg.Client
	err := x.r.ReceiveBody(host.BodyOptions{
		BufferSize: int(c.BodyBufferSize),
		TempDir:    c.BodyTempPath,
		MaxSize:    int64(c.MaxBodySize),
	})
	if err == nil {
		return true
	}
	status, level := fasthttp.StatusBadRequest, errlog.Info
	var big *host.BodyTooLargeError
	if errors.As(err, &big) {
		status, level = fasthttp.StatusRequestEntityTooLarge, errlog.Error
	}
	x.s.log.Log(level, err.Error()+x.r.LogContext())
	x.special(status)
	x.r.Ctx.SetConnectionClose()
	return false
}
