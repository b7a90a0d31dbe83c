//go:build wasip1

// Command redis is the Go twin of examples/redis: content routes that run
// Redis commands through a small RESP client of its own (resp.go) over the
// SDK's cosocket, moongate.Conn. The last segment of the request path
// names the command; key and value come from the query:
//
//	.../ping                  PONG
//	.../set?key=k&value=v     OK
//	.../get?key=k             the value; 404 when the key does not exist
//	.../incr?key=k            the new value
//	.../del?key=k             how many keys were removed
//	.../pipeline?key=k        six commands in one round trip, as JSON
//
// An error reply from Redis ("WRONGTYPE ...") answers 400, a missing
// argument 400, and Redis out of reach 502. Connections go back to the
// keep-alive pool the gateway shares with every request, Lua hooks
// included; the X-Redis-Reused header says how many times the request's
// connection came from it.
//
// Config: {"host": "127.0.0.1", "port": 6379}.
package main

import (
	"encoding/json"
	"errors"
	"path"
	"strconv"
	"time"

	moongate "github.com/moongate/moongate/sdk/go"
)

func main() {}

type config struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

var cfg moongate.CachedConfig[config]

var errNoAddress = errors.New(`config needs "host" and "port"`)

// timeout bounds each send and receive; keepalive is how long a pooled
// connection may idle, poolSize the pool's size, as the Lua routes set them.
const (
	timeout   = time.Second
	keepalive = 10 * time.Second
	poolSize  = 100
)

// routes maps the last segment of the request path to the commands it
// runs, built from the query arguments; a missing one is an errMissing.
var routes = map[string]func(q moongate.Args) ([][]string, error){
	"ping": func(moongate.Args) ([][]string, error) { return [][]string{{"PING"}}, nil },
	"set": func(q moongate.Args) ([][]string, error) {
		return withArgs(q, []string{"key", "value"}, func(a []string) [][]string { return [][]string{{"SET", a[0], a[1]}} })
	},
	"get":  keyCommand("GET"),
	"incr": keyCommand("INCR"),
	"del":  keyCommand("DEL"),
	"pipeline": func(q moongate.Args) ([][]string, error) {
		return withArgs(q, []string{"key"}, func(a []string) [][]string {
			key := a[0]
			return [][]string{{"SET", key, "hello"}, {"GET", key}, {"MGET", key, key + ":none"},
				{"INCR", key}, {"DEL", key}, {"GET", key}}
		})
	},
}

// keyCommand returns the route running the command name on ?key=.
func keyCommand(name string) func(moongate.Args) ([][]string, error) {
	return func(q moongate.Args) ([][]string, error) {
		return withArgs(q, []string{"key"}, func(a []string) [][]string { return [][]string{{name, a[0]}} })
	}
}

// errMissing is a query argument that is missing or empty.
type errMissing string

func (e errMissing) Error() string { return "missing ?" + string(e) + "=" }

// withArgs returns build's commands for the values of the query
// arguments names, each required and not empty.
func withArgs(q moongate.Args, names []string, build func(values []string) [][]string) ([][]string, error) {
	values := make([]string, len(names))
	for i, name := range names {
		v, _ := q.Get(name)
		if v == "" {
			return nil, errMissing(name)
		}
		values[i] = v
	}
	return build(values), nil
}

func init() { moongate.OnContent(content) }

func content(r *moongate.Request) moongate.Action {
	uri, err := r.URI()
	if err != nil {
		return internalError(r, err)
	}
	route, ok := routes[path.Base(uri)]
	if !ok {
		return exit(r, 404, "unknown command")
	}
	q, err := r.URIArgs(0)
	if err != nil {
		return internalError(r, err)
	}
	cmds, err := route(q)
	if err != nil {
		return exit(r, 400, err.Error())
	}
	c, err := cfg.Get()
	if err == nil && (c.Host == "" || c.Port == 0) {
		err = errNoAddress
	}
	if err != nil {
		return internalError(r, err)
	}
	conn, err := moongate.Connect(c.Host, c.Port, nil)
	if err != nil {
		return exit(r, 502, "redis: connect: "+err.Error())
	}
	if err := conn.SetTimeouts(timeout, timeout, timeout); err != nil {
		return internalError(r, err)
	}
	reused, err := conn.ReusedTimes()
	if err == nil {
		err = r.SetRespHeader("X-Redis-Reused", strconv.Itoa(reused))
	}
	if err != nil {
		return internalError(r, err)
	}
	replies, err := (&client{conn: conn}).do(cmds...)
	if err != nil {
		return exit(r, 502, "redis: "+err.Error())
	}
	if err := conn.SetKeepalive(keepalive, poolSize); err != nil {
		moongate.Log(moongate.WARN, "redis: set_keepalive: "+err.Error())
	}
	if len(cmds) > 1 {
		return reply(r, replies)
	}
	return reply(r, replies[0])
}

// reply answers with a reply: 200 with its value (JSON for an array), 404
// for nil and 400 for an error reply.
func reply(r *moongate.Request, v any) moongate.Action {
	switch v := v.(type) {
	case nil:
		return exit(r, 404, "not found")
	case errorReply:
		return exit(r, 400, "redis: "+string(v))
	case string:
		return exit(r, 200, v)
	case int64:
		return exit(r, 200, strconv.FormatInt(v, 10))
	}
	body, err := json.Marshal(v)
	if err != nil {
		return internalError(r, err)
	}
	return exit(r, 200, string(body))
}

// exit answers with status and msg as a line of body.
func exit(r *moongate.Request, status int, msg string) moongate.Action {
	err := r.SetStatus(status)
	if err == nil {
		err = r.Say(msg)
	}
	if err != nil {
		return internalError(r, err)
	}
	return moongate.Continue
}

// internalError logs err and finishes the request with 500.
func internalError(r *moongate.Request, err error) moongate.Action {
	moongate.Log(moongate.ERR, "redis: "+err.Error())
	return r.Exit(500)
}
