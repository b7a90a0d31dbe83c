//go:build wasip1

package main

import (
	"reflect"
	"strconv"
	"strings"

	moongate "github.com/moongate/moongate/sdk/go"
)

// The routes of the subrequest and exec checks, which the test config
// declares beside /conformance: execURI runs this module's rewrite, which
// redirects to execTarget; subURI is an internal route whose Lua content
// echoes the subrequest; nothing serves noRoute.
const (
	execURI    = "/conformance_exec"
	execTarget = "/conformance_exec_target"
	subURI     = "/conformance_sub"
	noRoute    = "/no_such_route"
	subVar     = "conformance_who" // a variable of the test config
)

// checkRegex checks the re_* functions.
func checkRegex(c *checks) {
	m, err := moongate.Match("id 42-", `(\d+)-(x)?`, "")
	if m != nil && m.Len() == 3 {
		g1, ok1 := m.Group(1)
		_, ok2 := m.Group(2)
		c.that("re_match", m.String() == "42-" && g1 == "42" && ok1 && !ok2, err, "groups %q %q %v", m.String(), g1, ok2)
	} else {
		c.fail("re_match", "got %+v, %v", m, err)
	}
	m, err = moongate.MatchAt("a1b2", `\d`, "", 2)
	c.that("re_match", m != nil && m.String() == "2", err, "from 2: got %+v", m)
	m, err = moongate.Match("ABC", "b", "i")
	c.that("re_match", m != nil && m.String() == "B", err, "caseless: got %+v", m)
	m, err = moongate.Match("abc", "z", "")
	c.that("re_match", m == nil, err, "no match: got %+v", m)
	_, err = moongate.Match("abc", "a(", "")
	c.failsWith("re_match", err, moongate.ErrBadArgument, "")
	all, err := moongate.MatchAll("a1b22c333", `\d+`, "", 0)
	var found []string
	for _, m := range all {
		found = append(found, m.String())
	}
	c.equal("re_match", strings.Join(found, ","), "1,22,333", err)

	names, err := moongate.GroupNames(`(?<y>\d+)-(\d+)`, "")
	c.that("re_group_names", reflect.DeepEqual(names, []string{"y", ""}), err, "got %q", names)

	out, n, err := moongate.Sub("foo", "o", "0", "")
	c.equal("re_sub", out+" "+strconv.Itoa(n), "f0o 1", err)
	out, n, err = moongate.GSub("foo", "(o)", "[$1]", "")
	c.equal("re_gsub", out+" "+strconv.Itoa(n), "f[o][o] 2", err)
	// A result past the SDK's first buffer: the call runs again.
	long := strings.Repeat("ab", 300)
	out, n, err = moongate.GSub(long, "a", "xyz", "")
	c.equal("re_gsub", out+" "+strconv.Itoa(n), strings.Repeat("xyzb", 300)+" 300", err)
	_, _, err = moongate.GSub("foo", "o", "$x", "")
	c.failsWith("re_gsub", err, moongate.ErrBadArgument, "failed to compile the replacement template")
}

// checkBodyFiles checks the body file and built-body functions on the
// read body, leaving it as it was.
func checkBodyFiles(c *checks, r *moongate.Request) {
	_, err := r.BodyFile()
	c.failsWith("req_get_body_file", err, moongate.ErrNotFound, "")

	c.ok("req_init_body", r.InitBody(-1))
	c.ok("req_append_body", r.AppendBody([]byte("built=")))
	c.ok("req_append_body", r.AppendBody([]byte("1")))
	if c.ok("req_finish_body", r.FinishBody()) {
		body, err := r.Body()
		c.equal("req_finish_body", string(body), "built=1", err)
	}
	c.failsWith("req_append_body", r.AppendBody([]byte("x")), moongate.ErrFailed, "request_body not initialized")

	var cfg struct {
		BodyFile string `json:"body_file"`
	}
	if err := moongate.Config(&cfg); err != nil || cfg.BodyFile == "" {
		c.fail("req_set_body_file", "no body_file in the config (%v)", err)
	} else if c.ok("req_set_body_file", r.SetBodyFile(cfg.BodyFile, false)) {
		path, err := r.BodyFile()
		c.equal("req_get_body_file", path, cfg.BodyFile, err)
	}
	c.failsWith("req_set_body_file", r.SetBodyFile(cfg.BodyFile+".none", false), moongate.ErrFailed,
		`stat() "`+cfg.BodyFile+`.none" failed`)
	c.ok("req_set_body_data", r.SetBody([]byte(wantBody)))
}

// checkCaptures checks the subrequest functions.
func checkCaptures(c *checks, r *moongate.Request) {
	_, err := r.CaptureMulti(nil)
	c.failsWith("capture_multi", err, moongate.ErrBadArgument, "no subrequest queued")
	_, err = r.Capture(moongate.SubRequest{})
	c.failsWith("capture_add", err, moongate.ErrBadArgument, "empty subrequest uri")

	resps, err := r.CaptureMulti([]moongate.SubRequest{
		{Method: "POST", URI: subURI, Args: "q=1", Body: []byte("sub-body"), Vars: map[string]string{subVar: "go"}},
		{URI: subURI, Args: "q=2"},
		{URI: noRoute},
	})
	if !c.ok("capture_multi", err) || len(resps) != 3 {
		return
	}
	c.pass("capture_add")
	c.pass("capture_set_var")
	c.that("capture_status", resps[0].Status == 200 && resps[1].Status == 200 && resps[2].Status == 404, nil,
		"statuses %d %d %d", resps[0].Status, resps[1].Status, resps[2].Status)
	sub, _ := resps[0].Header.Get("X-Sub")
	c.equal("capture_headers", sub, "yes", nil)
	c.equal("capture_body", string(resps[0].Body), "POST q=1 sub-body go true\n", nil)
	c.equal("capture_body", string(resps[1].Body), "GET q=2 - - true\n", nil)
	c.that("capture_truncated", !resps[0].Truncated && resps[2].Truncated, nil,
		"truncated %v %v", resps[0].Truncated, resps[2].Truncated)

	one, err := r.Capture(moongate.SubRequest{URI: subURI, Args: "q=3"})
	c.that("capture_status", one != nil && one.Status == 200 && string(one.Body) == "GET q=3 - - true\n", err,
		"single capture: %+v", one)
}

// execCheck is the rewrite of execURI: it checks exec, logs its lines,
// and redirects to execTarget.
func execCheck(r *moongate.Request) moongate.Action {
	var c checks
	_, err := r.Exec("", "")
	c.failsWith("exec", err, moongate.ErrBadArgument, "The uri argument is empty")
	act, err := r.Exec(execTarget, "x=1")
	c.that("exec", act == moongate.Continue, err, "action %d", act)
	c.log()
	return act
}
