package host

import (
	"sync"
	"testing"
	"time"
)

func TestSemaphore(t *testing.T) {
	tests := []struct {
		name      string
		initial   int
		post      int
		waits     int
		wantGot   int
		wantCount int
	}{
		{name: "resources available", initial: 2, waits: 2, wantGot: 2, wantCount: 0},
		{name: "none, no post", initial: 0, waits: 1, wantGot: 0, wantCount: 0},
		{name: "post then wait", initial: 0, post: 3, waits: 2, wantGot: 2, wantCount: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSemaphore(tt.initial)
			s.Post(tt.post)
			got := 0
			for i := 0; i < tt.waits; i++ {
				if s.Wait(time.Millisecond) {
					got++
				}
			}
			if got != tt.wantGot || s.Count() != tt.wantCount {
				t.Errorf("got %d resources, count %d; want %d, %d", got, s.Count(), tt.wantGot, tt.wantCount)
			}
		})
	}
}

func TestSemaphoreWakesWaiters(t *testing.T) {
	s := NewSemaphore(0)
	const n = 8
	var wg sync.WaitGroup
	results := make(chan bool, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- s.Wait(10 * time.Second)
		}()
	}
	for s.Count() != -n { // every goroutine waits
		time.Sleep(time.Millisecond)
	}
	s.Post(n)
	wg.Wait()
	close(results)
	for ok := range results {
		if !ok {
			t.Fatal("a waiter was not woken by post")
		}
	}
	if s.Count() != 0 {
		t.Errorf("count %d after all waits, want 0", s.Count())
	}
}
