package config_test

import (
	"errors"
	"fmt"

	"github.com/moongate/moongate/gateway/config"
)

func ExampleParse() {
	src := `
listen: 127.0.0.1:8080
shared_dicts: {cache: 10m}
proxy: {read_timeout: 30s}
routes:
  - location: = /hello
    content: {lua: "ngx.say('hello')"}
  - location: /api/
    access: {lua: "if not ngx.var.http_x_token then ngx.exit(401) end"}
    proxy_pass: http://127.0.0.1:9000
    proxy: {keepalive: 16}
`
	c, err := config.Parse("moongate.yaml", []byte(src), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Listen, c.Admin.Listen, c.SharedDicts["cache"])
	api := c.Routes[1]
	fmt.Println(api.Location, api.ProxyPass, api.Proxy.ReadTimeout, api.Proxy.KeepaliveConns)
	for _, ref := range c.Hooks() {
		fmt.Println(ref.Route, ref.Phase, ref.Hook.ChunkName)
	}
	// Output:
	// 127.0.0.1:8080 127.0.0.1:9180 10485760
	// /api/ http://127.0.0.1:9000 30s 16
	// 0 content =moongate.yaml:7:routes[0].content
	// 1 access =moongate.yaml:9:routes[1].access
}

func ExampleErrors() {
	src := `
lua: {vms: -1}
routes:
  - location: = /x
    contnet: {lua: "ngx.say(1)"}
    proxy: {read_timeout: 5x}
`
	_, err := config.Parse("moongate.yaml", []byte(src), "")
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Println(e.Line, e.Route, e.Key)
		}
		fmt.Println(err)
	}
	// Output:
	// 2 -1 lua.vms
	// 5 0 routes[0]
	// 6 0 routes[0].proxy.read_timeout
	// moongate.yaml:2: lua.vms: "-1" is negative
	// moongate.yaml:5: routes[0] (location "= /x"): unknown key "contnet"
	// moongate.yaml:6: routes[0] (location "= /x"): proxy.read_timeout: invalid time "5x"
}

func ExampleParseDuration() {
	for _, s := range []string{"30", "500ms", "1m30s", "1.5s", "5x"} {
		d, err := config.ParseDuration(s)
		fmt.Println(d, err)
	}
	// Output:
	// 30s <nil>
	// 500ms <nil>
	// 1m30s <nil>
	// 1.5s <nil>
	// 0s invalid time "5x"
}

func ExampleParseSize() {
	for _, s := range []string{"1024", "8k", "10m", "1g", "10x"} {
		n, err := config.ParseSize(s)
		fmt.Println(n, err)
	}
	// Output:
	// 1024 <nil>
	// 8192 <nil>
	// 10485760 <nil>
	// 1073741824 <nil>
	// 0 invalid size "10x"
}
