package wasm

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// watchdogTick is how often the watchdog looks for calls past their time
// limit: the limit is enforced to within one tick.
const watchdogTick = 5 * time.Millisecond

// watchdog stops export calls that run past their time limit. A call sets
// its instance's deadline; the watchdog cancels the context the call runs
// under, and wazero (WithCloseOnContextDone) closes the instance. This
// costs one atomic store per call, where a context.WithTimeout per call
// would cost a timer and two allocations.
type watchdog struct {
	mu        sync.Mutex
	instances map[*instance]struct{}
	stop      chan struct{}
	done      chan struct{}
}

// clock is the per-instance state the watchdog shares with calls.
type clock struct {
	ctx      context.Context // export calls run under it; cancelled at the deadline
	cancel   context.CancelFunc
	deadline atomic.Int64 // unix nanoseconds; 0 between calls
	expired  atomic.Bool  // the watchdog cancelled ctx
}

func newWatchdog() *watchdog {
	w := &watchdog{instances: make(map[*instance]struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *watchdog) run() {
	defer close(w.done)
	t := time.NewTicker(watchdogTick)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			w.mu.Lock()
			for in := range w.instances {
				if d := in.clock.deadline.Load(); d != 0 && now.UnixNano() > d {
					in.clock.expired.Store(true)
					in.clock.cancel()
				}
			}
			w.mu.Unlock()
		}
	}
}

// watch gives in its call clock and starts watching its calls.
func (w *watchdog) watch(in *instance) {
	in.clock.ctx, in.clock.cancel = context.WithCancel(in.ctx)
	w.mu.Lock()
	w.instances[in] = struct{}{}
	w.mu.Unlock()
}

// forget stops watching in.
func (w *watchdog) forget(in *instance) {
	w.mu.Lock()
	delete(w.instances, in)
	w.mu.Unlock()
	if in.clock.cancel != nil {
		in.clock.cancel()
	}
}

// close stops the watchdog.
func (w *watchdog) close() {
	close(w.stop)
	<-w.done
}
