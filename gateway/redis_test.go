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
// listeners and error log replaced by the harness's and its variables
// pointing at Redis on 127.0.0.1:port.
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
			value = &yaml.Node{Kind: yaml.MappingNode}
			for _, s := range []string{"redis_host", "127.0.0.1", "redis_port", strconv.Itoa(port)} {
				value.Content = append(value.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
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

func TestRedisExample(t *testing.T) {
	rs := startRedis(t)
	tg := startRedisExample(t, rs.port)
	// The steps run in order against one Redis: each may first run a
	// command on Redis directly (before), then sends its request, then may
	// check a key directly (after: command and the reply it wants). Every
	// route that reaches Redis says in X-Redis-Reused how often its
	// connection was reused: 0 on the first request, more after, as each
	// request puts it back into the keep-alive pool.
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
		{name: "ping", path: "/redis/ping", status: 200, body: "PONG\n"},
		{name: "set", path: "/redis/set?key=greeting&value=hello%20world", status: 200, body: "OK\n",
			after: []string{"GET", "greeting"}, afterReply: "hello world"},
		{name: "get", path: "/redis/get?key=greeting", status: 200, body: "hello world\n"},
		{name: "get a value set elsewhere", before: []string{"SET", "raw", "a\r\nb\x00c"},
			path: "/redis/get?key=raw", status: 200, body: "a\r\nb\x00c\n"},
		{name: "set a space", path: "/redis/set?key=sp&value=%20", status: 200, body: "OK\n",
			after: []string{"GET", "sp"}, afterReply: " "},
		{name: "get a missing key", path: "/redis/get?key=nothing", status: 404, body: "not found\n"},
		{name: "incr a new key", path: "/redis/incr?key=hits", status: 200, body: "1\n"},
		{name: "incr again", path: "/redis/incr?key=hits", status: 200, body: "2\n",
			after: []string{"GET", "hits"}, afterReply: "2"},
		{name: "incr a string", path: "/redis/incr?key=greeting", status: 400, body: notInt},
		{name: "wrong type", before: []string{"RPUSH", "list", "a", "b"},
			path: "/redis/get?key=list", status: 400,
			body: "redis: WRONGTYPE Operation against a key holding the wrong kind of value\n"},
		{name: "del", path: "/redis/del?key=greeting", status: 200, body: "1\n",
			after: []string{"EXISTS", "greeting"}, afterReply: ":0"},
		{name: "del a missing key", path: "/redis/del?key=greeting", status: 200, body: "0\n"},
		{name: "get a deleted key", path: "/redis/get?key=greeting", status: 404, body: "not found\n"},
		{name: "pipeline", path: "/redis/pipeline?key=p", status: 200,
			body:  `["OK","hello",["hello",null],[false,"ERR value is not an integer or out of range"],1,null]` + "\n",
			after: []string{"EXISTS", "p"}, afterReply: ":0"},
		{name: "missing key argument", path: "/redis/get", status: 400, body: "missing ?key=\n", noRedis: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				if _, err := rs.do(tt.before...); err != nil {
					t.Fatalf("redis %q: %v", tt.before, err)
				}
			}
			resp := tg.get(tt.path)
			if resp.status != tt.status || resp.body != tt.body {
				t.Fatalf("GET %s = %d %q, want %d %q\nerror log:\n%s", tt.path, resp.status, resp.body,
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
}

// TestRedisExampleDown checks the routes' answer when Redis is not there:
// nothing listens on its port, or the server the pooled connection came
// from has died.
func TestRedisExampleDown(t *testing.T) {
	rs := startRedis(t)
	tests := []struct {
		name string
		port int
		kill bool // kill the server after a first request pooled a connection
		body string
	}{
		{name: "nothing listening", port: closedPort(t, "tcp"), body: "redis: connect: connection refused\n"},
		{name: "server died", port: rs.port, kill: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := startRedisExample(t, tt.port)
			if tt.kill {
				if resp := tg.get("/redis/ping"); resp.status != 200 {
					t.Fatalf("first ping: %d %q", resp.status, resp.body)
				}
				rs.stop()
			}
			resp := tg.get("/redis/ping")
			if resp.status != 502 || !strings.HasPrefix(resp.body, "redis: ") ||
				(tt.body != "" && resp.body != tt.body) {
				t.Errorf("GET /redis/ping = %d %q, want 502 %q", resp.status, resp.body, tt.body)
			}
		})
	}
}
