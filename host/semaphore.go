package host

import (
	"sync"
	"time"
)

// Semaphore is ngx.semaphore: a count of resources that requests and
// timers wait for and post, across requests. It is safe for concurrent
// use.
type Semaphore struct {
	mu      sync.Mutex
	count   int
	waiters []chan struct{}
}

// NewSemaphore returns a semaphore holding n resources.
func NewSemaphore(n int) *Semaphore { return &Semaphore{count: n} }

// Post adds n resources, waking up to n waiters.
func (s *Semaphore) Post(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ; n > 0 && len(s.waiters) > 0; n-- {
		close(s.waiters[0])
		s.waiters = s.waiters[1:]
	}
	s.count += n
}

// Count returns the resources available, or minus the number of waiters
// when there are some (sema:count()).
func (s *Semaphore) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiters) > 0 {
		return -len(s.waiters)
	}
	return s.count
}

// TryWait takes a resource if one is available, without waiting.
func (s *Semaphore) TryWait() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.count > 0 {
		s.count--
		return true
	}
	return false
}

// Wait takes a resource, waiting up to timeout for one; it reports whether
// it got one. It blocks the calling goroutine.
func (s *Semaphore) Wait(timeout time.Duration) bool {
	if s.TryWait() {
		return true
	}
	if timeout <= 0 {
		return false
	}
	return s.Await(s.Queue(), timeout)
}

// Queue joins the waiters now (so Count shows it at once) and returns the
// ticket Await waits on.
func (s *Semaphore) Queue() chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	return ch
}

// Await waits up to timeout for the ticket Queue returned to be served,
// and reports whether it was; on a timeout the ticket leaves the queue.
func (s *Semaphore) Await(ticket chan struct{}, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ticket:
		return true
	case <-t.C:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, w := range s.waiters {
		if w == ticket {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return false
		}
	}
	return true // served between the timeout and the lock: the resource is ours
}
