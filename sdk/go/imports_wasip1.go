//go:build wasip1

package moongate

import "unsafe"

// The host functions of abi.Funcs, one declaration each, in ABI.md's
// order. A pointer is an offset into this module's memory: an
// unsafe.Pointer parameter is passed as one, with the object it points to
// kept alive for the call. abi/ABI.md documents each function.

//go:wasmimport moongate last_error
func hostLastError(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate get_phase
func hostGetPhase() int32

//go:wasmimport moongate log
func hostLog(level int32, s unsafe.Pointer, sLen uint32) int32

//go:wasmimport moongate plugin_config
func hostPluginConfig(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_get_method
func hostReqGetMethod(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_set_method
func hostReqSetMethod(s unsafe.Pointer, sLen uint32) int32

//go:wasmimport moongate req_get_uri
func hostReqGetURI(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_set_uri
func hostReqSetURI(s unsafe.Pointer, sLen uint32, jump int32) int32

//go:wasmimport moongate req_get_uri_args
func hostReqGetURIArgs(max int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_set_uri_args
func hostReqSetURIArgs(s unsafe.Pointer, sLen uint32) int32

//go:wasmimport moongate req_get_headers
func hostReqGetHeaders(max, raw int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_get_header
func hostReqGetHeader(name unsafe.Pointer, nameLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_set_header
func hostReqSetHeader(name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate req_add_header
func hostReqAddHeader(name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate req_clear_header
func hostReqClearHeader(name unsafe.Pointer, nameLen uint32) int32

//go:wasmimport moongate req_http_version
func hostReqHTTPVersion() int32

//go:wasmimport moongate req_raw_header
func hostReqRawHeader(noRequestLine int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_start_time
func hostReqStartTime() float64

//go:wasmimport moongate req_is_internal
func hostReqIsInternal() int32

//go:wasmimport moongate req_read_body
func hostReqReadBody() int32

//go:wasmimport moongate req_discard_body
func hostReqDiscardBody() int32

//go:wasmimport moongate req_get_body_data
func hostReqGetBodyData(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_set_body_data
func hostReqSetBodyData(s unsafe.Pointer, sLen uint32) int32

//go:wasmimport moongate req_get_post_args
func hostReqGetPostArgs(max int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_get_body_file
func hostReqGetBodyFile(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate req_set_body_file
func hostReqSetBodyFile(path unsafe.Pointer, pathLen uint32, autoClean int32) int32

//go:wasmimport moongate req_init_body
func hostReqInitBody(bufferSize int32) int32

//go:wasmimport moongate req_append_body
func hostReqAppendBody(data unsafe.Pointer, dataLen uint32) int32

//go:wasmimport moongate req_finish_body
func hostReqFinishBody() int32

//go:wasmimport moongate resp_get_status
func hostRespGetStatus() int32

//go:wasmimport moongate resp_set_status
func hostRespSetStatus(status int32) int32

//go:wasmimport moongate resp_get_header
func hostRespGetHeader(name unsafe.Pointer, nameLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate resp_get_headers
func hostRespGetHeaders(max, raw int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate resp_set_header
func hostRespSetHeader(name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate resp_add_header
func hostRespAddHeader(name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate resp_clear_header
func hostRespClearHeader(name unsafe.Pointer, nameLen uint32) int32

//go:wasmimport moongate say
func hostSay(s unsafe.Pointer, sLen uint32) int32

//go:wasmimport moongate print
func hostPrint(s unsafe.Pointer, sLen uint32) int32

//go:wasmimport moongate flush
func hostFlush() int32

//go:wasmimport moongate eof
func hostEOF() int32

//go:wasmimport moongate send_headers
func hostSendHeaders() int32

//go:wasmimport moongate headers_sent
func hostHeadersSent() int32

//go:wasmimport moongate redirect
func hostRedirect(uri unsafe.Pointer, uriLen uint32, status int32) int32

//go:wasmimport moongate exec
func hostExec(uri unsafe.Pointer, uriLen uint32, args unsafe.Pointer, argsLen uint32) int32

//go:wasmimport moongate var_get
func hostVarGet(name unsafe.Pointer, nameLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate var_set
func hostVarSet(name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate ctx_get
func hostCtxGet(key unsafe.Pointer, keyLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate ctx_set
func hostCtxSet(key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate arg_get_chunk
func hostArgGetChunk(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate arg_set_chunk
func hostArgSetChunk(s unsafe.Pointer, sLen uint32) int32

//go:wasmimport moongate arg_get_eof
func hostArgGetEOF() int32

//go:wasmimport moongate arg_set_eof
func hostArgSetEOF(eof int32) int32

//go:wasmimport moongate worker_id
func hostWorkerID() int32

//go:wasmimport moongate worker_count
func hostWorkerCount() int32

//go:wasmimport moongate worker_pid
func hostWorkerPID() int32

//go:wasmimport moongate worker_exiting
func hostWorkerExiting() int32

//go:wasmimport moongate shdict_open
func hostShdictOpen(name unsafe.Pointer, nameLen uint32) int32

//go:wasmimport moongate shdict_get
func hostShdictGet(h int32, key unsafe.Pointer, keyLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate shdict_get_stale
func hostShdictGetStale(h int32, key unsafe.Pointer, keyLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate shdict_set
func hostShdictSet(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32, ttl float64) int32

//go:wasmimport moongate shdict_safe_set
func hostShdictSafeSet(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32, ttl float64) int32

//go:wasmimport moongate shdict_add
func hostShdictAdd(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32, ttl float64) int32

//go:wasmimport moongate shdict_safe_add
func hostShdictSafeAdd(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32, ttl float64) int32

//go:wasmimport moongate shdict_replace
func hostShdictReplace(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32, ttl float64) int32

//go:wasmimport moongate shdict_delete
func hostShdictDelete(h int32, key unsafe.Pointer, keyLen uint32) int32

//go:wasmimport moongate shdict_incr
func hostShdictIncr(h int32, key unsafe.Pointer, keyLen uint32, delta float64, hasInit int32, init, initTTL float64, out unsafe.Pointer) int32

//go:wasmimport moongate shdict_lpush
func hostShdictLPush(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate shdict_rpush
func hostShdictRPush(h int32, key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate shdict_lpop
func hostShdictLPop(h int32, key unsafe.Pointer, keyLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate shdict_rpop
func hostShdictRPop(h int32, key unsafe.Pointer, keyLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate shdict_llen
func hostShdictLLen(h int32, key unsafe.Pointer, keyLen uint32) int32

//go:wasmimport moongate shdict_ttl
func hostShdictTTL(h int32, key unsafe.Pointer, keyLen uint32, out unsafe.Pointer) int32

//go:wasmimport moongate shdict_expire
func hostShdictExpire(h int32, key unsafe.Pointer, keyLen uint32, ttl float64) int32

//go:wasmimport moongate shdict_flush_all
func hostShdictFlushAll(h int32) int32

//go:wasmimport moongate shdict_flush_expired
func hostShdictFlushExpired(h int32, max int32) int32

//go:wasmimport moongate shdict_get_keys
func hostShdictGetKeys(h int32, max int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate shdict_capacity
func hostShdictCapacity(h int32) float64

//go:wasmimport moongate shdict_free_space
func hostShdictFreeSpace(h int32) float64

//go:wasmimport moongate sleep
func hostSleep(seconds float64) int32

//go:wasmimport moongate tcp_connect
func hostTCPConnect(host unsafe.Pointer, hostLen uint32, port int32, pool unsafe.Pointer, poolLen uint32) int32

//go:wasmimport moongate tcp_sslhandshake
func hostTCPSSLHandshake(h int32, serverName unsafe.Pointer, serverNameLen uint32, verify int32) int32

//go:wasmimport moongate tcp_send
func hostTCPSend(h int32, data unsafe.Pointer, dataLen uint32) int32

//go:wasmimport moongate tcp_receive
func hostTCPReceive(h int32, pattern int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate tcp_receiveany
func hostTCPReceiveAny(h int32, max int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate tcp_received
func hostTCPReceived(h int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate tcp_receiveuntil
func hostTCPReceiveUntil(h int32, pattern unsafe.Pointer, patternLen uint32, inclusive int32) int32

//go:wasmimport moongate tcp_until_read
func hostTCPUntilRead(it int32, size int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate tcp_setoption
func hostTCPSetOption(h int32, name unsafe.Pointer, nameLen uint32, value int32) int32

//go:wasmimport moongate tcp_settimeouts
func hostTCPSetTimeouts(h int32, connectMs, sendMs, readMs int32) int32

//go:wasmimport moongate tcp_setkeepalive
func hostTCPSetKeepalive(h int32, timeoutMs int32, size int32) int32

//go:wasmimport moongate tcp_getreusedtimes
func hostTCPGetReusedTimes(h int32) int32

//go:wasmimport moongate tcp_close
func hostTCPClose(h int32) int32

//go:wasmimport moongate udp_setpeername
func hostUDPSetPeerName(host unsafe.Pointer, hostLen uint32, port int32) int32

//go:wasmimport moongate udp_send
func hostUDPSend(h int32, data unsafe.Pointer, dataLen uint32) int32

//go:wasmimport moongate udp_receive
func hostUDPReceive(h int32, size int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate udp_settimeout
func hostUDPSetTimeout(h int32, ms int32) int32

//go:wasmimport moongate udp_close
func hostUDPClose(h int32) int32

//go:wasmimport moongate capture_add
func hostCaptureAdd(method unsafe.Pointer, methodLen uint32, uri unsafe.Pointer, uriLen uint32, args unsafe.Pointer, argsLen uint32, body unsafe.Pointer, bodyLen uint32, flags int32) int32

//go:wasmimport moongate capture_set_var
func hostCaptureSetVar(i int32, name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32) int32

//go:wasmimport moongate capture_multi
func hostCaptureMulti() int32

//go:wasmimport moongate capture_status
func hostCaptureStatus(h int32) int32

//go:wasmimport moongate capture_headers
func hostCaptureHeaders(h int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate capture_body
func hostCaptureBody(h int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate capture_truncated
func hostCaptureTruncated(h int32) int32

//go:wasmimport moongate re_match
func hostReMatch(pattern unsafe.Pointer, patternLen uint32, flags unsafe.Pointer, flagsLen uint32, subject unsafe.Pointer, subjectLen uint32, start int32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate re_group_names
func hostReGroupNames(pattern unsafe.Pointer, patternLen uint32, flags unsafe.Pointer, flagsLen uint32, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate re_sub
func hostReSub(pattern unsafe.Pointer, patternLen uint32, flags unsafe.Pointer, flagsLen uint32, subject unsafe.Pointer, subjectLen uint32, template unsafe.Pointer, templateLen uint32, count unsafe.Pointer, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate re_gsub
func hostReGSub(pattern unsafe.Pointer, patternLen uint32, flags unsafe.Pointer, flagsLen uint32, subject unsafe.Pointer, subjectLen uint32, template unsafe.Pointer, templateLen uint32, count unsafe.Pointer, buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate timer_at
func hostTimerAt(delay float64, arg unsafe.Pointer, argLen uint32) int32

//go:wasmimport moongate timer_every
func hostTimerEvery(delay float64, arg unsafe.Pointer, argLen uint32) int32

//go:wasmimport moongate timer_arg
func hostTimerArg(buf unsafe.Pointer, bufCap uint32) int32

//go:wasmimport moongate timer_running_count
func hostTimerRunningCount() int32

//go:wasmimport moongate timer_pending_count
func hostTimerPendingCount() int32
