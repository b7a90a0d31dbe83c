// Command moongate is the moongate API gateway.
//
//	moongate -c moongate.yaml      serve
//	moongate -t -c moongate.yaml   check the config and exit (like nginx -t)
//
// SIGHUP reloads the config; SIGTERM and SIGINT drain in-flight requests,
// then exit.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/moongate/moongate/gateway"
)

func main() {
	configPath := flag.String("c", "moongate.yaml", "config file")
	test := flag.Bool("t", false, "check the config and exit")
	grace := flag.Duration("grace", 30*time.Second, "how long shutdown waits for in-flight requests")
	flag.Parse()
	if err := run(*configPath, *test, *grace); err != nil {
		fmt.Fprintln(os.Stderr, "moongate:", err)
		os.Exit(1)
	}
}

func run(path string, test bool, grace time.Duration) error {
	if test {
		if err := gateway.Check(path); err != nil {
			return err
		}
		fmt.Printf("moongate: the configuration file %s syntax is ok\nmoongate: configuration file %s test is successful\n", path, path)
		return nil
	}
	g, err := gateway.New(path)
	if err != nil {
		return err
	}
	if err := g.Listen(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "moongate: serving %s on http://%s", path, g.Addr())
	if a := g.AdminAddr(); a != nil {
		fmt.Fprintf(os.Stderr, " (admin on http://%s)", a)
	}
	fmt.Fprintln(os.Stderr)

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	errc := make(chan error, 1)
	go func() { errc <- g.Serve() }()
	for {
		select {
		case err := <-errc:
			return err
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				g.Reload() // errors are logged; the old config keeps serving
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), grace)
			err := g.Shutdown(ctx)
			cancel()
			return err
		}
	}
}
