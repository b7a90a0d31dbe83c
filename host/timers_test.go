package host

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moongate/moongate/errlog"
)

func TestTimerSet(t *testing.T) {
	log := errlog.New(io.Discard, errlog.Debug)
	never := time.Hour
	tests := []struct {
		name string
		run  func(t *testing.T, s *TimerSet)
	}{
		{"pending limit", func(t *testing.T, s *TimerSet) {
			s.MaxPending = 2
			for i, want := range []error{nil, nil, ErrTooManyPending} {
				if err := s.Add(&Timer{Delay: never, Run: func(bool) {}}); !errors.Is(err, want) {
					t.Fatalf("Add %d = %v, want %v", i, err, want)
				}
			}
			if n := s.Pending(); n != 2 {
				t.Errorf("Pending = %d, want 2", n)
			}
		}},
		{"close fires pending timers prematurely, then refuses", func(t *testing.T, s *TimerSet) {
			var mu sync.Mutex
			var got []bool
			for range 3 {
				s.Add(&Timer{Delay: never, Run: func(premature bool) { mu.Lock(); got = append(got, premature); mu.Unlock() }})
			}
			if !s.Close(5 * time.Second) {
				t.Fatal("Close did not drain")
			}
			if len(got) != 3 || !got[0] || !got[1] || !got[2] {
				t.Errorf("callbacks saw premature %v, want three true", got)
			}
			if err := s.Add(&Timer{Delay: never, Run: func(bool) {}}); !errors.Is(err, ErrTimersClosed) {
				t.Errorf("Add after Close = %v, want %v", err, ErrTimersClosed)
			}
		}},
		{"every timer runs again until closed", func(t *testing.T, s *TimerSet) {
			runs := make(chan bool, 16)
			s.Add(&Timer{Delay: time.Millisecond, Every: true, Run: func(premature bool) {
				select {
				case runs <- premature:
				default:
				}
			}})
			for range 3 {
				if premature := <-runs; premature {
					t.Fatal("an every-timer ran prematurely before Close")
				}
			}
			if n := s.Pending(); n != 1 {
				t.Errorf("Pending = %d, want 1 (re-armed)", n)
			}
			s.Close(5 * time.Second)
		}},
		{"running limit drops the callback, with an alert", func(t *testing.T, s *TimerSet) {
			var out lockedBuffer
			s.Log, s.Name, s.MaxRunning = errlog.New(&out, errlog.Debug), "mod", 1
			release, started := make(chan struct{}), make(chan struct{})
			s.Add(&Timer{Delay: 0, Run: func(bool) { close(started); <-release }})
			<-started
			dropped := make(chan struct{}, 1)
			s.Add(&Timer{Delay: 0, Run: func(bool) { dropped <- struct{}{} }})
			for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "mod: 1 lua_max_running_timers are not enough"); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("no alert logged: %q", out.String())
				}
			}
			close(release)
			s.Close(5 * time.Second)
			select {
			case <-dropped:
				t.Error("the callback over the limit ran")
			default:
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &TimerSet{Log: log}
			tt.run(t, s)
			s.Close(5 * time.Second)
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a logger and a reader at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
