package gateway

// The Redis example (examples/redis: a Redis client written in Lua on
// ngx.socket.tcp, and routes using it) served as shipped, its variables
// pointed at a real redis-server that the test starts on a free loopback
// port. make deps installs redis-server, so its absence is a failure.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// redisExample is the example's directory.
const redisExample = "../examples/redis"

// redisServer is a redis-server the test started.
type redisServer struct {
	port   int
	log    string        // its log file
	exited chan struct{} // closed when the process has exited
	cmd    *exec.Cmd
}

// startRedis starts redis-server on a free loopback port, without
// persistence, and returns once it answers PING; the test's cleanup kills
// it.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is needed (make deps installs it): %v", err)
	}
	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "redis.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	rs := &redisServer{port: freePort(t), log: logFile.Name(), exited: make(chan struct{})}
	rs.cmd = exec.Command(bin, "--port", strconv.Itoa(rs.port), "--save", "", "--appendonly", "no",
		"--bind", "127.0.0.1", "--dir", dir)
	rs.cmd.Stdout, rs.cmd.Stderr = logFile, logFile
	if err := rs.cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	go func() {
		rs.cmd.Wait()
		close(rs.exited)
	}()
	t.Cleanup(rs.stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		reply, err := rs.do("PING")
		if err == nil && reply == "+PONG" {
			return rs
		}
		select {
		case <-rs.exited:
			t.Fatalf("redis-server exited: %s", rs.logTail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %d does not answer PING (%q, %v): %s", rs.port, reply, err, rs.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop kills the server and waits for it to exit.
func (rs *redisServer) stop() {
	rs.cmd.Process.Kill()
	<-rs.exited
}

// logTail returns the end of the server's log.
func (rs *redisServer) logTail() string {
	b, _ := os.ReadFile(rs.log)
	return lastLines(string(b), 5)
}

// do sends one command to the server on a new connection and returns the
// reply's first line, or for a bulk string its content: enough for the
// test to prepare and check keys behind the gateway's back.
func (rs *redisServer) do(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", rs.port), 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c, req.String()); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	size, err := strconv.Atoi(strings.TrimPrefix(line, "$"))
	if !strings.HasPrefix(line, "$") || err != nil || size < 0 {
		return line, nil
	}
	data := make([]byte, size+2)
	if _, err := io.ReadFull(r, data); err != nil {
		return "", err
	}
	return string(data[:size]), nil
}

// startRedisExample serves the example's config and Lua files, with its
// listeners and error log replaced by the harness's, its variables and
// its Wasm hooks' configs pointing at Redis on 127.0.0.1:port, and its
// guests built and named by absolute path.
func startRedisExample(t *testing.T, port int) *testGateway {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(redisExample, "moongate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("example config: %v", err)
	}
	top := doc.Content[0]
	var kept []*yaml.Node
	for i := 0; i < len(top.Content); i += 2 {
		key, value := top.Content[i], top.Content[i+1]
		switch key.Value {
		case "listen", "admin", "error_log", "wasm": // startGateway sets them
			continue
		case "variables":
			value = yamlMap("redis_host", "127.0.0.1", "redis_port", strconv.Itoa(port))
		case "routes":
			for _, route := range value.Content {
				pointWasmHooks(t, route, port)
			}
		}
		kept = append(kept, key, value)
	}
	top.Content = kept
	body, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	luaFiles, err := filepath.Glob(filepath.Join(redisExample, "lua", "*.lua"))
	if err != nil || len(luaFiles) == 0 {
		t.Fatalf("example Lua files: %v (found %d)", err, len(luaFiles))
	}
	files := map[string]string{}
	for _, f := range luaFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files["lua/"+filepath.Base(f)] = string(b)
	}
	return startGateway(t, string(body), files)
}

// yamlMap returns a YAML mapping of the string keys and values in kv.
func yamlMap(kv ...string) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, s := range kv {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	}
	return m
}

// pointWasmHooks rewrites the Wasm hooks of a route of the example: the
// guest, named relative to the example's directory, by the absolute path
// guest builds it at, and the config to name Redis on 127.0.0.1:port.
func pointWasmHooks(t *testing.T, route *yaml.Node, port int) {
	t.Helper()
	builds, err := filepath.Abs(filepath.Join("..", "guests", "build"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(route.Content); i += 2 {
		hook := route.Content[i]
		if hook.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(hook.Content); j += 2 {
			key, value := hook.Content[j], hook.Content[j+1]
			switch key.Value {
			case "wasm":
				abs, err := filepath.Abs(filepath.Join(redisExample, value.Value))
				if err != nil {
					t.Fatal(err)
				}
				name, err := filepath.Rel(builds, abs)
				if err != nil || strings.HasPrefix(name, "..") {
					t.Fatalf("example guest %s is not under guests/build", value.Value)
				}
				value.Value = guest(t, strings.TrimSuffix(name, ".wasm"))
			case "config":
				config := yamlMap("host", "127.0.0.1", "port", strconv.Itoa(port))
				config.Content[3].Tag = "!!int"
				hook.Content[j+1] = config
			}
		}
	}
}

// redisRoutes are the path prefixes of the example's two sets of routes,
// which give the same answers: the Lua client's and the Go guest's.
var redisRoutes = []struct{ name, prefix string }{
	{name: "lua", prefix: "/redis"},
	{name: "wasm go", prefix: "/wasm/redis"},
}

func TestRedisExample(t *testing.T) {
	rs := startRedis(t)
	// The steps run in order, for each set of routes, against one Redis
	// emptied first: each may first run a
	// command on Redis directly (before), then sends its request, then may
	// check a key directly (after: command and the reply it wants). Every
	// route that reaches Redis says in X-Redis-Reused how often its
	// connection was reused: 0 on the first request, more after, as each
	// request puts it back into the keep-alive pool; each set of routes runs
	// on a new gateway, so with a new pool.
	const notInt = "redis: ERR value is not an integer or out of range\n"
	tests := []struct {
		name       string
		before     []string
		path       string
		status     int
		body       string
		after      []string
		afterReply string
		noRedis    bool // the route answers without connecting
	}{
		{name: "ping", path: "/ping", status: 200, body: "PONG\n"},
		{name: "set", path: "/set?key=greeting&value=hello%20world", status: 200, body: "OK\n",
			after: []string{"GET", "greeting"}, afterReply: "hello world"},
		{name: "get", path: "/get?key=greeting", status: 200, body: "hello world\n"},
		{name: "get a value set elsewhere", before: []string{"SET", "raw", "a\r\nb\x00c"},
			path: "/get?key=raw", status: 200, body: "a\r\nb\x00c\n"},
		{name: "set a space", path: "/set?key=sp&value=%20", status: 200, body: "OK\n",
			after: []string{"GET", "sp"}, afterReply: " "},
		{name: "get a missing key", path: "/get?key=nothing", status: 404, body: "not found\n"},
		{name: "incr a new key", path: "/incr?key=hits", status: 200, body: "1\n"},
		{name: "incr again", path: "/incr?key=hits", status: 200, body: "2\n",
			after: []string{"GET", "hits"}, afterReply: "2"},
		{name: "incr a string", path: "/incr?key=greeting", status: 400, body: notInt},
		{name: "wrong type", before: []string{"RPUSH", "list", "a", "b"},
			path: "/get?key=list", status: 400,
			body: "redis: WRONGTYPE Operation against a key holding the wrong kind of value\n"},
		{name: "del", path: "/del?key=greeting", status: 200, body: "1\n",
			after: []string{"EXISTS", "greeting"}, afterReply: ":0"},
		{name: "del a missing key", path: "/del?key=greeting", status: 200, body: "0\n"},
		{name: "get a deleted key", path: "/get?key=greeting", status: 404, body: "not found\n"},
		{name: "pipeline", path: "/pipeline?key=p", status: 200,
			body:  `["OK","hello",["hello",null],[false,"ERR value is not an integer or out of range"],1,null]` + "\n",
			after: []string{"EXISTS", "p"}, afterReply: ":0"},
		{name: "missing key argument", path: "/get", status: 400, body: "missing ?key=\n", noRedis: true},
	}
	for _, routes := range redisRoutes {
		t.Run(routes.name, func(t *testing.T) {
			if reply, err := rs.do("FLUSHALL"); err != nil || reply != "+OK" {
				t.Fatalf("redis FLUSHALL = %q, %v", reply, err)
			}
			tg := startRedisExample(t, rs.port)
			for i, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if tt.before != nil {
						if _, err := rs.do(tt.before...); err != nil {
							t.Fatalf("redis %q: %v", tt.before, err)
						}
					}
					resp := tg.get(routes.prefix + tt.path)
					if resp.status != tt.status || resp.body != tt.body {
						t.Fatalf("GET %s = %d %q, want %d %q\nerror log:\n%s", routes.prefix+tt.path, resp.status, resp.body,
							tt.status, tt.body, lastLines(tg.errorLog(), 5))
					}
					reused := resp.header.Get("X-Redis-Reused")
					n, err := strconv.Atoi(reused)
					switch {
					case tt.noRedis && reused != "":
						t.Errorf("X-Redis-Reused = %q, want none", reused)
					case !tt.noRedis && (err != nil || (i == 0) != (n == 0)):
						t.Errorf("X-Redis-Reused = %q on request %d, want 0 on the first only", reused, i+1)
					}
					if tt.after != nil {
						got, err := rs.do(tt.after...)
						if err != nil || got != tt.afterReply {
							t.Errorf("redis %q = %q, %v; want %q", tt.after, got, err, tt.afterReply)
						}
					}
				})
			}
		})
	}
}

// TestRedisExampleDown checks the routes' answer when Redis is not there:
// nothing listens on its port, or the server the pooled connection came
// from has died.
func TestRedisExampleDown(t *testing.T) {
	tests := []struct {
		name string
		kill bool // start a server, kill it after a first request pooled a connection
		body string
	}{
		{name: "nothing listening", body: "redis: connect: connection refused\n"},
		{name: "server died", kill: true},
	}
	for _, routes := range redisRoutes {
		for _, tt := range tests {
			t.Run(routes.name+"/"+tt.name, func(t *testing.T) {
				ping := routes.prefix + "/ping"
				port := closedPort(t, "tcp")
				var rs *redisServer
				if tt.kill {
					rs = startRedis(t)
					port = rs.port
				}
				tg := startRedisExample(t, port)
				if rs != nil {
					if resp := tg.get(ping); resp.status != 200 {
						t.Fatalf("first ping: %d %q", resp.status, resp.body)
					}
					rs.stop()
				}
				resp := tg.get(ping)
				if resp.status != 502 || !strings.HasPrefix(resp.body, "redis: ") ||
					(tt.body != "" && resp.body != tt.body) {
					t.Errorf("GET %s = %d %q, want 502 %q", ping, resp.status, resp.body, tt.body)
				}
			})
		}
	}
}

// TestRedisExampleSharedPool checks that the Lua and Wasm routes share the
// keep-alive pool: each request takes the connection the one before put
// back, whichever engine that was.
func TestRedisExampleSharedPool(t *testing.T) {
	rs := startRedis(t)
	tg := startRedisExample(t, rs.port)
	tests := []struct {
		name   string
		path   string
		reused string
	}{
		{name: "lua connects", path: "/redis/ping", reused: "0"},
		{name: "wasm reuses", path: "/wasm/redis/ping", reused: "1"},
		{name: "lua reuses", path: "/redis/ping", reused: "2"},
		{name: "wasm again", path: "/wasm/redis/ping", reused: "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tg.get(tt.path)
			if got := resp.header.Get("X-Redis-Reused"); resp.status != 200 || got != tt.reused {
				t.Errorf("GET %s = %d, X-Redis-Reused %q; want 200, %q", tt.path, resp.status, got, tt.reused)
			}
		})
	}
}
