package host

// Per-request storage for Wasm guests: ngx.ctx as the Wasm ABI's ctx_get
// and ctx_set give it, one string per key, shared by every Wasm hook of the
// request. It lives in the Request, so Release forgets it.

// CtxValue returns the request's ctx value for key (ctx_get), and whether
// one is set.
func (r *Request) CtxValue(key string) (string, bool) {
	v, ok := r.guestCtx[key]
	return v, ok
}

// SetCtxValue sets the request's ctx value for key (ctx_set).
func (r *Request) SetCtxValue(key, value string) {
	if r.guestCtx == nil {
		r.guestCtx = make(map[string]string, 4)
	}
	r.guestCtx[key] = value
}

// ClearCtxValues forgets every ctx value, as nginx forgets ngx.ctx on an
// internal redirect (ngx.req.set_uri with jump).
func (r *Request) ClearCtxValues() { clear(r.guestCtx) }
