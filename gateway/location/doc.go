// Package location implements nginx's "location" matching for the gateway
// router, and the request-path normalisation that produces the URI it
// matches against (nginx's $uri).
//
// Parse reads one location string ("= /x", "^~ /x", "~ re", "~* re", "/x");
// New compiles a list of them into a Router, whose Match picks a route in
// the order documented for the nginx location directive
// (https://nginx.org/en/docs/http/ngx_http_core_module.html#location):
//
//  1. an exact "=" location equal to the URI wins at once;
//  2. otherwise the longest matching prefix location ("^~" or plain) is
//     remembered, and if it is "^~" it wins without looking at regexes;
//  3. otherwise regex locations ("~", "~*") are tried in list order and the
//     first match wins;
//  4. otherwise the remembered longest prefix wins, if any.
//
// NormalizeURI turns a raw request path into the URI those rules expect:
// percent-decoded, slashes merged, "." and ".." resolved.
//
// Regexes use Go's RE2 syntax (package regexp), not PCRE: matching is linear
// in the input, and PCRE-only constructs (lookaround, backreferences, atomic
// groups) are rejected at Parse time with an error that says so.
//
// A Router is immutable once built and safe for concurrent use. Match does
// not allocate for exact and prefix matches.
//
// This package imports only the standard library; it knows nothing of
// fasthttp, the phase pipeline or the host API.
package location
