package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// rawExchange sends raw, a request written out in full, on a new
// connection to addr (host:port) and reads one response: the way to send
// what net/http will not, such as HTTP/1.0 or header names in any case.
func rawExchange(addr, raw string) (response, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return response{}, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		return response{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

// refNginxInstalled reports whether the reference OpenResty can run here:
// nginx with Debian's lua modules.
func refNginxInstalled() bool {
	if _, err := exec.LookPath("nginx"); err != nil {
		return false
	}
	for _, m := range []string{ndkModule, luaModule} {
		if _, err := os.Stat(m); err != nil {
			return false
		}
	}
	return true
}

// startRefNginx serves server, the directives of one server block, from
// the reference OpenResty (see refNginxInstalled) on a free loopback port,
// with files in its prefix directory, which holds its error.log; it
// returns that directory and the port. Lua modules are found in the
// directory's lua/. nginx daemonises once its listening socket is open, so
// it accepts requests when this returns; the test's cleanup stops it.
func startRefNginx(t *testing.T, files map[string]string, server string) (dir string, port int) {
	t.Helper()
	dir = t.TempDir()
	writeFiles(t, dir, files)
	port = freePort(t)
	conf := fmt.Sprintf(`daemon on;
master_process off;
worker_processes 1;
error_log %[1]s/error.log info;
pid %[1]s/nginx.pid;
load_module %[2]s;
load_module %[3]s;
events { worker_connections 64; }
http {
access_log off;
lua_package_path "%[1]s/lua/?.lua;/usr/share/lua/5.1/?.lua;;";
client_body_temp_path %[1]s/tmp;
proxy_temp_path %[1]s/tmp;
fastcgi_temp_path %[1]s/tmp;
uwsgi_temp_path %[1]s/tmp;
scgi_temp_path %[1]s/tmp;
server {
listen 127.0.0.1:%[4]d;
server_name "";
%[5]s}
}
`, dir, ndkModule, luaModule, port, server)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("nginx", "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log")).CombinedOutput(); err != nil {
		t.Fatalf("starting the reference nginx: %v\n%s", err, out)
	}
	t.Cleanup(func() { stopNginx(t, dir) })
	return dir, port
}
