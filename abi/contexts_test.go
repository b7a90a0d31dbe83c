package abi

import (
	"fmt"
	"strings"
	"testing"
)

func TestContextsMatchDocs(t *testing.T) {
	tests := []struct {
		api  string
		want Phases
	}{
		{"ngx.sleep", SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseTimer)},
		{"ngx.say", SetOf(PhaseRewrite, PhaseAccess, PhaseContent)},
		{"ngx.req.read_body", SetOf(PhaseRewrite, PhaseAccess, PhaseContent)},
		{"ngx.req.get_body_data", SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseLog)},
		{"ngx.shared.DICT.get", allPhases},
		{"ngx.timer.at", SetOf(PhaseInitWorker, PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog, PhaseTimer, PhaseBalancer)},
		{"ngx.log", allPhases},
		{"print", allPhases},
		{"ngx.arg", SetOf(PhaseSet, PhaseBodyFilter)},
		{"ngx.var", SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog, PhaseBalancer)},
		{"ngx.ctx", SetOf(PhaseInitWorker, PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog, PhaseTimer, PhaseBalancer)},
		{"ngx.header", SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog)},
		{"ngx.exit", SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseTimer, PhaseBalancer)},
		{"tcpsock.connect", SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseTimer)},
		{"ngx.md5", allPhases}, // lua-resty-core's: init too, as Debian's nginx + lua shows
		{"ngx.re.match", allPhases},
		{"ngx.now", allPhases},
		{"ngx.config.ngx_lua_version", SetOf(PhaseInit, PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog, PhaseTimer)},
		{"ngx.worker.id", SetOf(PhaseInitWorker, PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog, PhaseTimer)},
		{"coroutine.create", SetOf(PhaseInit, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseTimer)},
		{"ngx.semaphore", SetOf(PhaseInit, PhaseInitWorker, PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog, PhaseTimer)},
		{"ngx.semaphore.wait", SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseTimer)},
		{"ngx.re.opt", allPhases},
		{"ngx.balancer.set_current_peer", SetOf(PhaseBalancer)},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			if got := Contexts(tt.api); got != tt.want {
				t.Errorf("Contexts(%q) = %q, want %q", tt.api, got, tt.want)
			}
		})
	}
}

func TestContextsAllowed(t *testing.T) {
	tests := []struct {
		api     string
		phase   Phase
		allowed bool
	}{
		{"ngx.sleep", PhaseTimer, true},
		{"ngx.sleep", PhaseLog, false},
		{"ngx.sleep", PhaseHeaderFilter, false},
		{"ngx.sleep", PhaseBodyFilter, false},
		{"ngx.sleep", PhaseInit, false},
		{"ngx.say", PhaseLog, false},
		{"ngx.say", PhaseContent, true},
		{"ngx.shared.DICT.get", PhaseInit, true},
		{"ngx.shared.DICT.set", PhaseInitWorker, true},
		{"ngx.timer.at", PhaseInitWorker, true},
		{"ngx.timer.at", PhaseLog, true},
		{"ngx.timer.at", PhaseInit, false},
		{"ngx.ctx", PhaseInit, false},
		{"ngx.var", PhaseTimer, false},
		{"ngx.req.get_headers", PhaseTimer, false},
		{"coroutine.resume", PhaseLog, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.api, tt.phase), func(t *testing.T) {
			if got := Contexts(tt.api).Has(tt.phase); got != tt.allowed {
				t.Errorf("Contexts(%q).Has(%s) = %v, want %v", tt.api, tt.phase, got, tt.allowed)
			}
		})
	}
}

// Design rule: APIs that wait work only in rewrite, access, content and
// timer contexts.
func TestWaitingAPIsOnlyWhereYieldable(t *testing.T) {
	waiting := []string{
		"ngx.sleep", "ngx.thread.spawn", "ngx.thread.wait", "ngx.thread.kill",
		"ngx.semaphore.wait", "ngx.socket.tcp", "ngx.socket.udp", "ngx.socket.connect",
		"tcpsock.connect", "tcpsock.sslhandshake", "tcpsock.send", "tcpsock.receive",
		"tcpsock.receiveany", "tcpsock.receiveuntil", "tcpsock.setkeepalive",
		"udpsock.setpeername", "udpsock.send", "udpsock.receive",
		"ngx.req.read_body", "ngx.req.socket", "ngx.location.capture",
		"ngx.location.capture_multi", "ngx.flush", "ngx.run_worker_thread",
	}
	yieldable := SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseTimer)
	for _, api := range waiting {
		t.Run(api, func(t *testing.T) {
			if extra := Contexts(api) &^ yieldable; extra != 0 {
				t.Errorf("%s allowed in non-yieldable phases %q", api, extra)
			}
		})
	}
}

func TestTableWellFormed(t *testing.T) {
	names := APIs()
	if len(names) != len(apiContexts) {
		t.Fatalf("APIs() returned %d names, table has %d", len(names), len(apiContexts))
	}
	for _, api := range names {
		t.Run(api, func(t *testing.T) {
			s := Contexts(api)
			if s == 0 {
				t.Error("empty phase set")
			}
			if s&^allPhases != 0 {
				t.Errorf("set %#x has bits outside the known phases", uint32(s))
			}
		})
	}
}

func TestTableCoversDocumentedAPIs(t *testing.T) {
	documented := []string{
		"ngx.arg", "ngx.var", "ngx.ctx", "ngx.location.capture", "ngx.location.capture_multi",
		"ngx.status", "ngx.header", "ngx.resp.get_headers", "ngx.resp.add_header",
		"ngx.req.is_internal", "ngx.req.start_time", "ngx.req.http_version", "ngx.req.raw_header",
		"ngx.req.get_method", "ngx.req.set_method", "ngx.req.set_uri", "ngx.req.set_uri_args",
		"ngx.req.get_uri_args", "ngx.req.get_post_args", "ngx.req.get_headers", "ngx.req.set_header",
		"ngx.req.clear_header", "ngx.req.read_body", "ngx.req.discard_body", "ngx.req.get_body_data",
		"ngx.req.get_body_file", "ngx.req.set_body_data", "ngx.req.set_body_file", "ngx.req.init_body",
		"ngx.req.append_body", "ngx.req.finish_body", "ngx.req.socket",
		"ngx.exec", "ngx.redirect", "ngx.send_headers", "ngx.headers_sent", "ngx.print", "ngx.say",
		"ngx.log", "ngx.flush", "ngx.exit", "ngx.eof", "ngx.sleep",
		"ngx.escape_uri", "ngx.unescape_uri", "ngx.encode_args", "ngx.decode_args",
		"ngx.encode_base64", "ngx.decode_base64", "ngx.decode_base64mime", "ngx.base64",
		"ngx.crc32_short", "ngx.crc32_long", "ngx.hmac_sha1", "ngx.md5", "ngx.md5_bin", "ngx.sha1_bin",
		"ngx.quote_sql_str", "ngx.today", "ngx.time", "ngx.now", "ngx.update_time", "ngx.localtime",
		"ngx.utctime", "ngx.cookie_time", "ngx.http_time", "ngx.parse_http_time", "ngx.is_subrequest",
		"ngx.re.match", "ngx.re.find", "ngx.re.gmatch", "ngx.re.sub", "ngx.re.gsub", "ngx.re.split", "ngx.re.opt",
		"ngx.shared.DICT", "ngx.shared.DICT.get", "ngx.shared.DICT.get_stale", "ngx.shared.DICT.set",
		"ngx.shared.DICT.safe_set", "ngx.shared.DICT.add", "ngx.shared.DICT.safe_add",
		"ngx.shared.DICT.replace", "ngx.shared.DICT.delete", "ngx.shared.DICT.incr",
		"ngx.shared.DICT.lpush", "ngx.shared.DICT.rpush", "ngx.shared.DICT.lpop", "ngx.shared.DICT.rpop",
		"ngx.shared.DICT.llen", "ngx.shared.DICT.ttl", "ngx.shared.DICT.expire",
		"ngx.shared.DICT.flush_all", "ngx.shared.DICT.flush_expired", "ngx.shared.DICT.get_keys",
		"ngx.shared.DICT.capacity", "ngx.shared.DICT.free_space",
		"ngx.socket.udp", "udpsock.setpeername", "udpsock.send", "udpsock.receive", "udpsock.close",
		"udpsock.settimeout", "ngx.socket.stream", "ngx.socket.tcp", "tcpsock.connect",
		"tcpsock.sslhandshake", "tcpsock.send", "tcpsock.receive", "tcpsock.receiveany",
		"tcpsock.receiveuntil", "tcpsock.close", "tcpsock.settimeout", "tcpsock.settimeouts",
		"tcpsock.setoption", "tcpsock.setkeepalive", "tcpsock.getreusedtimes", "ngx.socket.connect",
		"ngx.get_phase", "ngx.thread.spawn", "ngx.thread.wait", "ngx.thread.kill", "ngx.on_abort",
		"ngx.timer.at", "ngx.timer.every", "ngx.timer.running_count", "ngx.timer.pending_count",
		"ngx.config.subsystem", "ngx.config.debug", "ngx.config.prefix", "ngx.config.nginx_version",
		"ngx.config.nginx_configure", "ngx.config.ngx_lua_version",
		"ngx.worker.exiting", "ngx.worker.pid", "ngx.worker.pids", "ngx.worker.count", "ngx.worker.id",
		"ngx.semaphore", "ngx.semaphore.wait", "ngx.run_worker_thread",
		"coroutine.create", "coroutine.resume", "coroutine.yield", "coroutine.wrap",
		"coroutine.running", "coroutine.status", "print",
	}
	for _, api := range documented {
		if _, ok := apiContexts[api]; !ok {
			t.Errorf("%q is missing from the table", api)
		}
	}
}

func TestContextsPanicsForUnknownAPI(t *testing.T) {
	tests := []struct {
		name string
		api  string
	}{
		{"unknown", "ngx.no_such_api"},
		{"empty", ""},
		{"method without object", "connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("Contexts(%q) did not panic", tt.api)
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, fmt.Sprintf("%q", tt.api)) {
					t.Errorf("panic %q does not name the API", msg)
				}
			}()
			Contexts(tt.api)
		})
	}
}

func TestPhaseNames(t *testing.T) {
	tests := []struct {
		phase   Phase
		name    string
		context string
	}{
		{PhaseNone, "none", "none"},
		{PhaseInit, "init", "init_by_lua*"},
		{PhaseInitWorker, "init_worker", "init_worker_by_lua*"},
		{PhaseSet, "set", "set_by_lua*"},
		{PhaseRewrite, "rewrite", "rewrite_by_lua*"},
		{PhaseAccess, "access", "access_by_lua*"},
		{PhaseContent, "content", "content_by_lua*"},
		{PhaseBalancer, "balancer", "balancer_by_lua*"},
		{PhaseHeaderFilter, "header_filter", "header_filter_by_lua*"},
		{PhaseBodyFilter, "body_filter", "body_filter_by_lua*"},
		{PhaseLog, "log", "log_by_lua*"},
		{PhaseTimer, "timer", "ngx.timer"},
		{phaseCount, "unknown", "unknown"},
		{Phase(200), "unknown", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.phase.String(); got != tt.name {
				t.Errorf("Phase(%d).String() = %q, want %q", tt.phase, got, tt.name)
			}
			if got := tt.phase.ContextName(); got != tt.context {
				t.Errorf("Phase(%d).ContextName() = %q, want %q", tt.phase, got, tt.context)
			}
		})
	}
}

func TestParsePhase(t *testing.T) {
	tests := []struct {
		name   string
		want   Phase
		wantOK bool
	}{
		{"init", PhaseInit, true},
		{"init_worker", PhaseInitWorker, true},
		{"set", PhaseSet, true},
		{"rewrite", PhaseRewrite, true},
		{"access", PhaseAccess, true},
		{"content", PhaseContent, true},
		{"balancer", PhaseBalancer, true},
		{"header_filter", PhaseHeaderFilter, true},
		{"body_filter", PhaseBodyFilter, true},
		{"log", PhaseLog, true},
		{"timer", PhaseTimer, true},
		{"none", PhaseNone, false},
		{"", PhaseNone, false},
		{"Access", PhaseNone, false},
		{"access_by_lua*", PhaseNone, false},
		{"unknown", PhaseNone, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParsePhase(tt.name)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParsePhase(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParsePhaseRoundTrip(t *testing.T) {
	for p := PhaseInit; p < phaseCount; p++ {
		t.Run(p.String(), func(t *testing.T) {
			if got, ok := ParsePhase(p.String()); !ok || got != p {
				t.Errorf("ParsePhase(%q) = %v, %v; want %v, true", p.String(), got, ok, p)
			}
		})
	}
}

func TestPhasesSet(t *testing.T) {
	tests := []struct {
		name    string
		set     Phases
		str     string
		members []Phase
	}{
		{"empty", SetOf(), "", nil},
		{"none is not listed", SetOf(PhaseNone), "", []Phase{PhaseNone}},
		{"one", SetOf(PhaseLog), "log", []Phase{PhaseLog}},
		{"phase order", SetOf(PhaseTimer, PhaseRewrite, PhaseRewrite), "rewrite,timer", []Phase{PhaseRewrite, PhaseTimer}},
		{"request phases", RequestPhases, "set,rewrite,access,content,balancer,header_filter,body_filter,log",
			[]Phase{PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseBalancer, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog}},
		{"all phases", allPhases, "init,init_worker,set,rewrite,access,content,balancer,header_filter,body_filter,log,timer",
			[]Phase{PhaseInit, PhaseInitWorker, PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseBalancer, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog, PhaseTimer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.set.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			want := map[Phase]bool{}
			for _, p := range tt.members {
				want[p] = true
			}
			for p := PhaseNone; p < phaseCount; p++ {
				if got := tt.set.Has(p); got != want[p] {
					t.Errorf("Has(%s) = %v, want %v", p, got, want[p])
				}
			}
		})
	}
}
