package wasm

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/moongate/moongate/abi"
	"github.com/moongate/moongate/host"
)

// sayModule's content export says an empty line: with a blocking body
// filter, it holds its instance as long as the test wants.
func sayModule() wmodule {
	return guestModule(importFunc("say"),
		phaseFunc("on_content", concat(i32Const(0), i32Const(0), []byte{opCall, 0})...))
}

// holder runs content calls that stay inside their body filter until
// released.
type holder struct {
	entered chan struct{}
	release chan struct{}
	done    sync.WaitGroup
}

func newHolder() *holder {
	return &holder{entered: make(chan struct{}), release: make(chan struct{})}
}

// hold starts a content call on m and returns once it holds an instance.
func (h *holder) hold(t *testing.T, m *Module) {
	r := newRequest(t, testRequest{}, abi.PhaseContent)
	r.BodyFilter = host.BodyFilterFunc(func(_ *host.Request, chunk []byte, eof bool) ([]byte, bool, error) {
		h.entered <- struct{}{}
		<-h.release
		return chunk, eof, nil
	})
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		defer r.Release()
		if _, err := m.Run(r, abi.PhaseContent, nil); err != nil {
			t.Error(err)
		}
	}()
	<-h.entered
}

// end releases the held calls and waits for them.
func (h *holder) end() {
	close(h.release)
	h.done.Wait()
}

func TestPoolBound(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	path := writeModule(t, sayModule())
	tests := []struct {
		name     string
		poolWait time.Duration
		release  bool // free an instance while the extra call waits
	}{
		{name: "wait times out", poolWait: time.Millisecond},
		{name: "wait ends when one is free", poolWait: time.Minute, release: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := load(t, rt, path, Limits{Pool: 2, PoolWait: tt.poolWait}, abi.PhaseContent)
			h := newHolder()
			h.hold(t, m)
			h.hold(t, m)
			if m.instances() != 2 {
				t.Fatalf("%d instances alive, want 2", m.instances())
			}
			r := newRequest(t, testRequest{}, abi.PhaseContent)
			defer r.Release()
			if tt.release {
				go h.end()
			}
			_, err := m.Run(r, abi.PhaseContent, nil)
			if !tt.release {
				h.end()
				if !errors.Is(err, ErrPoolTimeout) {
					t.Fatalf("error = %v, want ErrPoolTimeout", err)
				}
				if want := "content hook: " + path + ": no free instance after 1ms (pool of 2)"; err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			h.done.Wait()
			if n := m.instances(); n > 2 || len(m.idle) != n {
				t.Errorf("%d alive, %d idle; want at most 2, all idle", m.instances(), len(m.idle))
			}
		})
	}
}

func TestInstanceReuse(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, sayModule()), Limits{Pool: 4}, abi.PhaseContent)
	for i := range 3 {
		r := newRequest(t, testRequest{}, abi.PhaseContent)
		if _, err := m.Run(r, abi.PhaseContent, nil); err != nil {
			t.Fatal(err)
		}
		r.Release()
		if m.instances() != 1 {
			t.Fatalf("call %d: %d instances alive, want the prewarmed one reused", i, m.instances())
		}
	}
}

func TestFilterFailureFailsCaller(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	content := load(t, rt, writeModule(t, sayModule()), Limits{Pool: 1}, abi.PhaseContent)
	filterPath := writeModule(t, guestModule(phaseFunc("on_header_filter", opUnreachable)))
	filter := load(t, rt, filterPath, Limits{Pool: 1}, abi.PhaseHeaderFilter)
	r := newRequest(t, testRequest{}, abi.PhaseContent)
	defer r.Release()
	r.HeaderFilter = host.HeaderFilterFunc(func(r *host.Request) error {
		_, err := filter.Run(r, abi.PhaseHeaderFilter, nil)
		return err
	})
	_, err := content.Run(r, abi.PhaseContent, nil)
	var herr *HookError
	if !errors.As(err, &herr) || herr.Phase != abi.PhaseHeaderFilter || herr.Path != filterPath || !errors.Is(err, ErrTrap) {
		t.Fatalf("error = %v, want the header filter's trap", err)
	}
	if content.instances() != 0 || filter.instances() != 0 {
		t.Errorf("alive instances: content %d, filter %d; want both discarded", content.instances(), filter.instances())
	}
}

func TestCompileCache(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	a := writeModule(t, guestModule(phaseFunc("on_access", i32Const(0)...)))
	b := writeModule(t, guestModule(phaseFunc("on_access", i32Const(1)...)))
	steps := []struct {
		name     string
		path     string
		lim      Limits
		close    bool // close the module at once
		compiles int64
	}{
		{name: "first load", path: a, compiles: 1},
		{name: "same file again", path: a, compiles: 1},
		{name: "other file", path: b, close: true, compiles: 2},
		{name: "other memory limit", path: a, lim: Limits{Memory: 1 << 20}, close: true, compiles: 3},
		{name: "reload of the closed file", path: b, compiles: 4},
	}
	for _, st := range steps {
		t.Run(st.name, func(sub *testing.T) {
			m, err := rt.Load(st.path, st.lim, nil, nil)
			if err != nil {
				sub.Fatal(err)
			}
			if st.close {
				m.Close()
			} else {
				t.Cleanup(m.Close) // open until the last step
			}
			if got := rt.compiles.Load(); got != st.compiles {
				sub.Errorf("compilations = %d, want %d", got, st.compiles)
			}
		})
	}
}

func TestInit(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	tests := []struct {
		name string
		mod  wmodule
		err  string
	}{
		{name: "no on_init", mod: guestModule()},
		{name: "on_init", mod: guestModule(phaseFunc("on_init", i32Const(0)...))},
		{name: "on_init fails", mod: guestModule(phaseFunc("on_init", i32Const(1)...)), err: "init hook: %s: on_init returned 1"},
		{name: "on_init traps", mod: guestModule(phaseFunc("on_init", opUnreachable)), err: "init hook: %s: trap: unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeModule(t, tt.mod)
			err := load(t, rt, path, Limits{}).Init(nil)
			switch {
			case tt.err == "" && err != nil:
				t.Fatal(err)
			case tt.err != "" && (err == nil || err.Error() != sprintf(tt.err, path)):
				t.Fatalf("error = %v, want %q", err, sprintf(tt.err, path))
			}
		})
	}
}

func TestClosedModule(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m, err := rt.Load(writeModule(t, sayModule()), Limits{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	m.Close()
	r := newRequest(t, testRequest{}, abi.PhaseContent)
	defer r.Release()
	if _, err := m.Run(r, abi.PhaseContent, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("error = %v, want ErrClosed", err)
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.compiled) != 0 {
		t.Errorf("%d compiled modules kept after Close", len(rt.compiled))
	}
}

func TestConcurrentRuns(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, goGuest(t, "basic"), Limits{Pool: 2, PoolWait: time.Minute}, abi.PhaseAccess)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for range 20 {
				r := newRequest(t, testRequest{headers: []string{"X-Token", "secret"}}, abi.PhaseAccess)
				if action, err := m.Run(r, abi.PhaseAccess, nil); err != nil || action != 0 {
					t.Errorf("Run = %d, %v", action, err)
				}
				if v, _ := r.CtxValue("user"); v != "alice" {
					t.Errorf("ctx user = %q", v)
				}
				r.Release()
			}
		})
	}
	wg.Wait()
	if n := m.instances(); n > 2 {
		t.Errorf("%d instances alive, pool is 2", n)
	}
}
