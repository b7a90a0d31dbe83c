package wasm

import (
	"strings"
	"testing"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// serve runs m's hooks for r as the gateway does: access, then content
// with the filters wired to m, then log. It returns access's action.
func serve(t *testing.T, m *Module, r *host.Request) int32 {
	t.Helper()
	r.HeaderFilter = host.HeaderFilterFunc(func(r *host.Request) error {
		_, err := m.Run(r, abi.PhaseHeaderFilter, nil)
		return err
	})
	r.BodyFilter = host.BodyFilterFunc(func(r *host.Request, chunk []byte, eof bool) ([]byte, bool, error) {
		return m.Filter(r, nil, chunk, eof)
	})
	action, err := m.Run(r, abi.PhaseAccess, nil)
	if err != nil {
		t.Fatal(err)
	}
	if action != 0 {
		return action
	}
	r.SetPhase(abi.PhaseContent)
	if _, err := m.Run(r, abi.PhaseContent, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.EOF(); err != nil {
		t.Fatal(err)
	}
	r.SetPhase(abi.PhaseLog)
	if _, err := m.Run(r, abi.PhaseLog, nil); err != nil {
		t.Fatal(err)
	}
	return 0
}

func TestGoGuest(t *testing.T) {
	rt, logs := newTestRuntime(t, Options{})
	m := load(t, rt, goGuest(t, "basic"), Limits{Pool: 2},
		abi.PhaseAccess, abi.PhaseContent, abi.PhaseHeaderFilter, abi.PhaseBodyFilter, abi.PhaseLog)
	if err := m.Init([]byte(`{"greeting":"hi"}`)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		headers []string
		action  int32
		body    string
	}{
		{name: "no key", action: 401},
		{name: "bad key", headers: []string{"X-Token", "nope"}, action: 403},
		{name: "good key", headers: []string{"X-Token", "secret"}, body: `HELLO ALICE {"GREETING":"HI"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, testRequest{headers: tt.headers}, abi.PhaseAccess)
			defer r.Release()
			if got := serve(t, m, r); got != tt.action {
				t.Fatalf("action = %d, want %d", got, tt.action)
			}
			if tt.action != 0 {
				return
			}
			resp := &r.Ctx.Response
			if got := string(resp.Body()); got != tt.body {
				t.Errorf("body = %q, want %q", got, tt.body)
			}
			for _, h := range []string{"X-Guest: go", "X-Filtered: 1"} {
				if !strings.Contains(resp.Header.String(), h) {
					t.Errorf("response headers lack %q:\n%s", h, resp.Header.String())
				}
			}
		})
	}
	if !strings.Contains(logs.String(), "requests=1") {
		t.Errorf("log lacks the guest's counter:\n%s", logs)
	}
}
