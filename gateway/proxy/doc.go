// Package proxy is the upstream side of proxy_pass: it forwards a client's
// request (as the rewrite and access phases left it) to one HTTP upstream
// over pooled keep-alive connections and hands back the upstream's response
// for the gateway to filter, send and log.
//
// It follows ngx_http_proxy_module (https://nginx.org/en/docs/http/ngx_http_proxy_module.html)
// where it matters to users: the proxy_pass URI rule (Upstream.RequestURI),
// $proxy_host as the default Host, per-operation connect, send and read
// timeouts, idle keep-alive connections capped per upstream like the
// upstream "keepalive" directive, a retry on a fresh connection when a cached
// one turns out to be dead (idempotent requests only), and nginx's error log
// wording with 502 or 504 for the client.
//
// Why not fasthttp.HostClient.Do: the HostClient is used as the connection
// pool (dialing, idle list, idle timeout), but the exchange on a connection is
// written here, because Do cannot tell which step failed (connect, send or
// read: nginx names it in the error), times the whole response rather than
// each read, retries on its own terms, has no cap on idle connections, and
// decides between buffering and streaming before the response headers are
// known. Writing the outgoing request directly from the client's request also
// avoids copying it.
//
// The package imports only fasthttp and the standard library; it knows
// nothing of Lua, Wasm, routes or phases.
package proxy
