package abi

// Context sets that many APIs share. Each is the "context:" line that
// lua-nginx-module's README gives to a family of APIs, reduced to the phases
// moongate has (ssl_*, exit_worker_by_lua* and server_rewrite_by_lua* are
// dropped).
const (
	// allPhases is every phase but PhaseNone: the README's "any" context, or
	// a line listing every context moongate has.
	allPhases = Phases(1<<phaseCount - 2)

	// afterInitPhases is every phase but init: the timer APIs and
	// ngx.ctx.
	afterInitPhases = allPhases &^ (1 << PhaseInit)

	// configPhases is every phase but balancer: ngx.config.*, most of
	// ngx.worker.* and ngx.semaphore.
	configPhases = allPhases &^ (1 << PhaseBalancer)

	// entryPhases are rewrite, access and content: the phases that own the
	// downstream request, so may read its body, respond or redirect.
	entryPhases = Phases(1<<PhaseRewrite | 1<<PhaseAccess | 1<<PhaseContent)

	// yieldPhases are the phases in which a call may wait: cosockets,
	// ngx.sleep, light threads and semaphore waits.
	yieldPhases = entryPhases | 1<<PhaseTimer

	// coroutinePhases are the contexts of coroutine.*.
	coroutinePhases = entryPhases | 1<<PhaseInit | 1<<PhaseTimer | 1<<PhaseHeaderFilter | 1<<PhaseBodyFilter
)

// apiContexts is the phase-permission table: for each ngx.* API, the contexts
// in which lua-nginx-module allows it (its README's "context:" line), mapped
// onto moongate's phases. Methods of objects are keyed "object.method"
// ("tcpsock.connect", "ngx.shared.DICT.get"). APIs of lua-resty-core modules
// take the contexts of that module's documentation.
var apiContexts = map[string]Phases{
	// Logging, phase and URI escaping: any context.
	"print":            allPhases,
	"ngx.log":          allPhases,
	"ngx.get_phase":    allPhases,
	"ngx.escape_uri":   allPhases,
	"ngx.unescape_uri": allPhases,
	"ngx.base64":       allPhases, // lua-resty-core ngx.base64: encode_base64url, decode_base64url

	// Request data.
	"ngx.arg":              SetOf(PhaseSet, PhaseBodyFilter),
	"ngx.var":              RequestPhases,
	"ngx.ctx":              afterInitPhases,
	"ngx.status":           SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog),
	"ngx.is_subrequest":    SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog),
	"ngx.headers_sent":     SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog), // README lists the first four; OpenResty answers in the filters and log too
	"ngx.header":           SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog),
	"ngx.resp.add_header":  SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog), // lua-resty-core: as ngx.header
	"ngx.resp.get_headers": RequestPhases,

	// ngx.req.*.
	"ngx.req.is_internal":   SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog),
	"ngx.req.start_time":    SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog),
	"ngx.req.http_version":  RequestPhases, // README lists up to header_filter; OpenResty answers in body_filter and log too
	"ngx.req.raw_header":    RequestPhases, // as ngx.req.http_version
	"ngx.req.get_method":    RequestPhases,
	"ngx.req.set_method":    SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter),
	"ngx.req.set_uri":       SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter),
	"ngx.req.set_uri_args":  SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter),
	"ngx.req.get_uri_args":  RequestPhases,
	"ngx.req.get_post_args": SetOf(PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog),
	"ngx.req.get_headers":   SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter, PhaseLog),
	"ngx.req.set_header":    SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter),
	"ngx.req.clear_header":  SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent, PhaseHeaderFilter, PhaseBodyFilter),
	"ngx.req.read_body":     entryPhases,
	"ngx.req.discard_body":  entryPhases,
	"ngx.req.get_body_data": entryPhases | 1<<PhaseLog,
	"ngx.req.get_body_file": entryPhases,
	"ngx.req.set_body_data": entryPhases,
	"ngx.req.set_body_file": entryPhases,
	"ngx.req.init_body":     SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent),
	"ngx.req.append_body":   SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent),
	"ngx.req.finish_body":   SetOf(PhaseSet, PhaseRewrite, PhaseAccess, PhaseContent),
	"ngx.req.socket":        entryPhases,

	// Subrequests, output and control flow.
	"ngx.location.capture":       entryPhases,
	"ngx.location.capture_multi": entryPhases,
	"ngx.exec":                   entryPhases,
	"ngx.redirect":               entryPhases,
	"ngx.send_headers":           entryPhases,
	"ngx.print":                  entryPhases,
	"ngx.say":                    entryPhases,
	"ngx.flush":                  entryPhases,
	"ngx.eof":                    entryPhases,
	"ngx.on_abort":               entryPhases,
	"ngx.run_worker_thread":      entryPhases,
	"ngx.exit":                   entryPhases | 1<<PhaseHeaderFilter | 1<<PhaseTimer | 1<<PhaseBalancer,

	// Encoding and hashing, time and regular expressions: lua-resty-core
	// implements them over FFI, and they work in every context, init
	// included (checked on Debian's nginx + lua-resty-core), although
	// lua-nginx-module's README lists narrower contexts for its C
	// versions.
	"ngx.encode_args":       allPhases,
	"ngx.decode_args":       allPhases,
	"ngx.encode_base64":     allPhases,
	"ngx.decode_base64":     allPhases,
	"ngx.decode_base64mime": allPhases, // newer than the README read: as ngx.decode_base64
	"ngx.crc32_short":       allPhases,
	"ngx.crc32_long":        allPhases,
	"ngx.hmac_sha1":         allPhases,
	"ngx.md5":               allPhases,
	"ngx.md5_bin":           allPhases,
	"ngx.sha1_bin":          allPhases,
	"ngx.quote_sql_str":     allPhases,

	// Time.
	"ngx.today":           allPhases,
	"ngx.time":            allPhases,
	"ngx.now":             allPhases,
	"ngx.update_time":     allPhases,
	"ngx.localtime":       allPhases,
	"ngx.utctime":         allPhases,
	"ngx.cookie_time":     allPhases,
	"ngx.http_time":       allPhases,
	"ngx.parse_http_time": allPhases,

	// Regular expressions.
	"ngx.re.match":  allPhases,
	"ngx.re.find":   allPhases,
	"ngx.re.gmatch": allPhases,
	"ngx.re.sub":    allPhases,
	"ngx.re.gsub":   allPhases,
	"ngx.re.split":  allPhases, // lua-resty-core ngx.re: as ngx.re.match
	"ngx.re.opt":    allPhases, // lua-resty-core ngx.re: documented for init, accepted anywhere

	// Shared dictionaries. The README gives ngx.shared.DICT every context,
	// and its init_by_lua* section names the shared dictionary API as usable
	// there; the per-method lines are inconsistent (get and get_stale omit
	// init_by_lua*, all omit init_worker_by_lua*) and lua-resty-core, which
	// implements the methods, checks no phase. So every method takes the
	// dictionary's own context.
	"ngx.shared.DICT":               allPhases,
	"ngx.shared.DICT.get":           allPhases,
	"ngx.shared.DICT.get_stale":     allPhases,
	"ngx.shared.DICT.set":           allPhases,
	"ngx.shared.DICT.safe_set":      allPhases,
	"ngx.shared.DICT.add":           allPhases,
	"ngx.shared.DICT.safe_add":      allPhases,
	"ngx.shared.DICT.replace":       allPhases,
	"ngx.shared.DICT.delete":        allPhases,
	"ngx.shared.DICT.incr":          allPhases,
	"ngx.shared.DICT.lpush":         allPhases,
	"ngx.shared.DICT.rpush":         allPhases,
	"ngx.shared.DICT.lpop":          allPhases,
	"ngx.shared.DICT.rpop":          allPhases,
	"ngx.shared.DICT.llen":          allPhases,
	"ngx.shared.DICT.ttl":           allPhases,
	"ngx.shared.DICT.expire":        allPhases,
	"ngx.shared.DICT.flush_all":     allPhases,
	"ngx.shared.DICT.flush_expired": allPhases,
	"ngx.shared.DICT.get_keys":      allPhases,
	"ngx.shared.DICT.capacity":      allPhases,
	"ngx.shared.DICT.free_space":    allPhases,

	// Cosockets.
	"ngx.socket.udp":          yieldPhases,
	"udpsock.setpeername":     yieldPhases,
	"udpsock.send":            yieldPhases,
	"udpsock.receive":         yieldPhases,
	"udpsock.close":           yieldPhases,
	"udpsock.settimeout":      yieldPhases,
	"ngx.socket.stream":       yieldPhases, // an alias of ngx.socket.tcp
	"ngx.socket.tcp":          yieldPhases,
	"tcpsock.bind":            yieldPhases,
	"tcpsock.connect":         yieldPhases,
	"tcpsock.setclientcert":   yieldPhases,
	"tcpsock.sslhandshake":    yieldPhases,
	"tcpsock.send":            yieldPhases,
	"tcpsock.receive":         yieldPhases,
	"tcpsock.receiveany":      yieldPhases,
	"tcpsock.receiveuntil":    yieldPhases,
	"tcpsock.close":           yieldPhases,
	"tcpsock.settimeout":      yieldPhases,
	"tcpsock.settimeouts":     yieldPhases,
	"tcpsock.setoption":       yieldPhases,
	"tcpsock.setkeepalive":    yieldPhases,
	"tcpsock.getreusedtimes":  yieldPhases,
	"ngx.socket.connect":      yieldPhases,
	"ngx.sleep":               yieldPhases,
	"ngx.thread.spawn":        yieldPhases,
	"ngx.thread.wait":         yieldPhases,
	"ngx.thread.kill":         yieldPhases,
	"ngx.semaphore.wait":      yieldPhases,  // lua-resty-core ngx.semaphore: sema:wait
	"ngx.semaphore":           configPhases, // lua-resty-core ngx.semaphore: new, post, count
	"ngx.timer.at":            afterInitPhases,
	"ngx.timer.every":         afterInitPhases,
	"ngx.timer.running_count": afterInitPhases,
	"ngx.timer.pending_count": afterInitPhases,

	// Configuration and worker.
	"ngx.config.subsystem":       configPhases,
	"ngx.config.debug":           configPhases,
	"ngx.config.prefix":          configPhases,
	"ngx.config.nginx_version":   configPhases,
	"ngx.config.nginx_configure": configPhases &^ (1 << PhaseInitWorker),
	"ngx.config.ngx_lua_version": configPhases &^ (1 << PhaseInitWorker),
	"ngx.worker.exiting":         configPhases,
	"ngx.worker.pid":             configPhases,
	"ngx.worker.pids":            configPhases &^ (1<<PhaseInit | 1<<PhaseInitWorker),
	"ngx.worker.count":           configPhases,
	"ngx.worker.id":              configPhases &^ (1 << PhaseInit),

	// Balancer (lua-resty-core ngx.balancer).
	"ngx.balancer.set_current_peer": SetOf(PhaseBalancer),
	"ngx.balancer.set_more_tries":   SetOf(PhaseBalancer),
	"ngx.balancer.get_last_failure": SetOf(PhaseBalancer),
	"ngx.balancer.set_timeouts":     SetOf(PhaseBalancer),

	// Coroutines.
	"coroutine.create":  coroutinePhases,
	"coroutine.resume":  coroutinePhases,
	"coroutine.yield":   coroutinePhases,
	"coroutine.wrap":    coroutinePhases,
	"coroutine.running": coroutinePhases,
	"coroutine.status":  coroutinePhases,
}
