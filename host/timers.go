package host

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moongate/moongate/errlog"
)

// Default timer limits: OpenResty's lua_max_pending_timers and
// lua_max_running_timers.
const (
	DefaultMaxPendingTimers = 1024
	DefaultMaxRunningTimers = 256
)

// The errors of TimerSet.Add, as ngx.timer.at returns them.
var (
	ErrTimersClosed   = errors.New("process exiting")
	ErrTooManyPending = errors.New("too many pending timers")
)

// TimerSet is the ngx.timer timers of one Lua engine or Wasm module: it
// arms them, bounds how many are pending and running, re-arms every-timers
// and, when closed (a reload or shutdown retiring the config), fires the
// pending ones at once with premature set. The engines supply the
// callback; the rules are the same for both.
//
// Set MaxPending, MaxRunning, Log and Name before the first Add.
type TimerSet struct {
	MaxPending int            // the most pending timers; 0 means DefaultMaxPendingTimers
	MaxRunning int            // the most callbacks running at once (more are dropped with an alert); 0 means DefaultMaxRunningTimers
	Log        *errlog.Logger // where overloads and slow drains are logged
	Name       string         // prefixes its log lines ("" for none)

	mu      sync.Mutex
	pending map[*Timer]struct{}
	closed  bool
	active  int // callbacks started, not yet ended (under mu)
	running atomic.Int64
}

// Timer is one ngx.timer.at or ngx.timer.every timer.
type Timer struct {
	Delay time.Duration
	Every bool
	// Run is the callback; premature is set when the set closes before
	// the timer was due.
	Run func(premature bool)

	set *TimerSet
	t   *time.Timer
}

// Add arms t, or returns ErrTimersClosed or ErrTooManyPending.
func (s *TimerSet) Add(t *Timer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrTimersClosed
	case len(s.pending) >= orDefault(s.MaxPending, DefaultMaxPendingTimers):
		return ErrTooManyPending
	}
	t.set = s
	s.arm(t)
	return nil
}

// arm makes t pending; s.mu must be held.
func (s *TimerSet) arm(t *Timer) {
	if s.pending == nil {
		s.pending = make(map[*Timer]struct{})
	}
	s.pending[t] = struct{}{}
	t.t = time.AfterFunc(t.Delay, func() { s.fire(t, false) })
}

// Pending returns the number of pending timers (ngx.timer.pending_count).
func (s *TimerSet) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Running returns the number of running callbacks
// (ngx.timer.running_count).
func (s *TimerSet) Running() int64 { return s.running.Load() }

// fire runs t's callback, with premature set when the set closes before t
// ran: Close calls it so, and a timer due while Close runs is premature
// too. An every-timer that is not is armed again first, in its own slot,
// so it never meets the pending limit.
func (s *TimerSet) fire(t *Timer, premature bool) {
	s.mu.Lock()
	_, pending := s.pending[t]
	delete(s.pending, t)
	if !pending && !premature {
		s.mu.Unlock()
		return // Close took it
	}
	premature = premature || s.closed
	if t.Every && !premature {
		s.arm(t)
	}
	s.active++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}()
	maxRunning := orDefault(s.MaxRunning, DefaultMaxRunningTimers)
	if s.running.Add(1) > int64(maxRunning) {
		s.running.Add(-1)
		s.Log.Logf(errlog.Alert, "%s%d lua_max_running_timers are not enough", s.prefix(), maxRunning)
		return
	}
	defer s.running.Add(-1)
	t.Run(premature)
}

// Close fires every pending timer with premature set and waits, up to
// drain, for the running callbacks. It reports whether they all ended; no
// timer can be added afterwards.
func (s *TimerSet) Close(drain time.Duration) bool {
	s.mu.Lock()
	s.closed = true
	var due []*Timer
	for t := range s.pending {
		if t.t.Stop() {
			due = append(due, t)
		}
	}
	s.mu.Unlock()
	for _, t := range due {
		go s.fire(t, true)
	}
	for deadline := time.Now().Add(drain); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		left := s.active + len(s.pending)
		s.mu.Unlock()
		switch {
		case left == 0:
			return true
		case time.Now().After(deadline):
			s.Log.Logf(errlog.Warn, "%stimer callbacks still running %v after their config was retired", s.prefix(), drain)
			return false
		}
	}
}

func (s *TimerSet) prefix() string {
	if s.Name == "" {
		return ""
	}
	return s.Name + ": "
}
