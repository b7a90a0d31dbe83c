package host

import (
	"bufio"
	"context"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

// ConnPool keeps the idle connections that cosockets put back with
// setkeepalive, by pool name ("host:port", "unix:/path" or the name given
// to connect), for reuse by any request or timer. One ConnPool serves a
// gateway for its whole life, across config reloads. It is safe for
// concurrent use. A nil *ConnPool pools nothing: connections put back are
// closed.
//
// Each named pool has a size, set when it is created (by connect's
// pool_size or by the first setkeepalive) and fixed until its last
// connection closes, when the pool goes away. It holds at most that many
// idle connections, dropping the least recently used for a new one, and
// hands out the most recently used first. It counts the open connections
// that belong to it, idle or in use, so that with a backlog (connect's
// backlog option) no more than its size are open at once.
type ConnPool struct {
	mu     sync.Mutex
	pools  map[string]*keyPool
	closed bool
}

// keyPool is one named pool.
type keyPool struct {
	key     string
	size    int
	backlog int             // connects that may wait for a slot; -1: no limit on connections
	conns   int             // open connections that count in the pool, idle or not
	idle    []*idleConn     // least recently used first
	waiters []chan struct{} // connects waiting for a slot, first come first
}

// peerState is what an idle connection's peer did since it was last read.
type peerState uint8

const (
	peerQuiet  peerState = iota // nothing: the connection can be reused
	peerSent                    // sent data nobody asked for
	peerClosed                  // closed it, or it failed
)

// idleConn is a connection in a pool.
type idleConn struct {
	conn    net.Conn
	br      *bufio.Reader
	reused  int
	session *SSLSession
	timer   *time.Timer // closes it after the keep-alive timeout
}

// NewConnPool returns an empty pool.
func NewConnPool() *ConnPool {
	return &ConnPool{pools: make(map[string]*keyPool)}
}

// Close closes the idle connections; connections put back afterwards are
// closed at once.
func (p *ConnPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, kp := range p.pools {
		for _, ic := range kp.idle {
			ic.timer.Stop()
			closeConn(ic.conn)
		}
		kp.conns -= len(kp.idle)
		kp.idle = nil
	}
}

// Idle returns the number of idle connections in the pool named key.
func (p *ConnPool) Idle(key string) int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if kp := p.pools[key]; kp != nil {
		return len(kp.idle)
	}
	return 0
}

// reserve is the part of a connect that does not wait. It returns an idle
// connection of the pool key, or else a slot for the caller to open a
// connection in: kp, the pool the new connection counts in (nil when
// there is no pool; the caller releases the slot if it fails to connect).
// It creates the pool when it does not exist and size is positive, with
// backlog (-1: none). When the pool has a backlog and all its slots are
// taken, it returns instead a ticket in its queue, for which the caller
// must wait.
func (p *ConnPool) reserve(key string, size, backlog int) (ic *idleConn, kp *keyPool, ticket chan struct{}, err error) {
	if p == nil {
		return nil, nil, nil, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	kp = p.pools[key]
	if kp == nil {
		if size <= 0 {
			return nil, nil, nil, nil
		}
		kp = &keyPool{key: key, size: size, backlog: backlog}
		p.pools[key] = kp
	}
	return p.reserveIn(kp, false)
}

// reserveIn reserves in kp as reserve does; a connect resumed from the
// queue takes a slot whatever the count (mu held).
func (p *ConnPool) reserveIn(kp *keyPool, resumed bool) (*idleConn, *keyPool, chan struct{}, error) {
	if ic := p.takeIdle(kp); ic != nil {
		return ic, kp, nil, nil
	}
	kp.conns++
	switch {
	case kp.backlog < 0 || resumed || kp.conns <= kp.size:
		return nil, kp, nil, nil
	case kp.conns > kp.size+kp.backlog:
		kp.conns--
		p.drop(kp)
		return nil, nil, nil, ErrTooManyWaiting
	}
	ticket := make(chan struct{}, 1)
	kp.waiters = append(kp.waiters, ticket)
	return nil, kp, ticket, nil
}

// wait waits, until ctx is done, for the queued ticket of kp to be served,
// then returns an idle connection, or nil to open one in the slot.
func (p *ConnPool) wait(ctx context.Context, kp *keyPool, ticket chan struct{}) (*idleConn, error) {
	var err error
	select {
	case <-ticket:
	case <-ctx.Done():
		err = socketError(ctx.Err())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if i := slices.Index(kp.waiters, ticket); i >= 0 {
			kp.waiters = slices.Delete(kp.waiters, i, i+1)
			kp.conns--
			p.drop(kp)
			return nil, err
		}
		// served as it gave up: take the slot
	}
	kp.conns-- // counted again by the retry
	ic, _, _, _ := p.reserveIn(kp, true)
	return ic, nil
}

// takeIdle returns the most recently used idle connection of kp that is
// still sound, closing those the peer closed or wrote to meanwhile (mu
// held).
func (p *ConnPool) takeIdle(kp *keyPool) *idleConn {
	for len(kp.idle) > 0 {
		ic := kp.idle[len(kp.idle)-1]
		kp.idle = kp.idle[:len(kp.idle)-1]
		ic.timer.Stop()
		if pending(ic.conn) == peerQuiet {
			return ic
		}
		closeConn(ic.conn)
		kp.conns--
	}
	return nil
}

// release gives back the slot of a connection of kp (nil: none) that
// closed or failed to open, letting a waiting connect go on.
func (p *ConnPool) release(kp *keyPool) {
	if kp == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	kp.conns--
	p.wakeOne(kp)
	p.drop(kp)
}

// wakeOne lets the first waiting connect of kp retry (mu held).
func (p *ConnPool) wakeOne(kp *keyPool) {
	if len(kp.waiters) > 0 {
		kp.waiters[0] <- struct{}{}
		kp.waiters = kp.waiters[1:]
	}
}

// drop forgets kp once nothing belongs to it (mu held).
func (p *ConnPool) drop(kp *keyPool) {
	if kp.conns == 0 && len(kp.waiters) == 0 && p.pools[kp.key] == kp {
		delete(p.pools, kp.key)
	}
}

// put makes ic an idle connection of the pool key, creating the pool with
// size if needed, for at most timeout (0 or less: no limit). ic counts in
// the pool counted (nil: none), whose slot it moves to key's pool.
func (p *ConnPool) put(key string, size int, timeout time.Duration, ic *idleConn, counted *keyPool) error {
	if p == nil {
		closeConn(ic.conn)
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	kp := p.pools[key]
	if kp == nil {
		if size <= 0 {
			return &BadArgError{Msg: `bad "pool_size" option value: ` + strconv.Itoa(size)}
		}
		kp = &keyPool{key: key, size: size, backlog: -1}
		p.pools[key] = kp
	}
	if counted != kp {
		if counted != nil {
			counted.conns--
			p.drop(counted)
		}
		kp.conns++
	}
	if p.closed {
		closeConn(ic.conn)
		kp.conns--
		p.drop(kp)
		return nil
	}
	if len(kp.idle) >= kp.size {
		old := kp.idle[0]
		kp.idle = kp.idle[1:]
		old.timer.Stop()
		closeConn(old.conn)
		kp.conns--
	}
	ic.timer = time.AfterFunc(farFuture(timeout), func() { p.expire(kp, ic) })
	kp.idle = append(kp.idle, ic)
	p.wakeOne(kp)
	return nil
}

// farFuture is timeout, or practically never for 0 or less.
func farFuture(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 1<<63 - 1
	}
	return timeout
}

// expire closes ic if it is still idle in kp.
func (p *ConnPool) expire(kp *keyPool, ic *idleConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.Index(kp.idle, ic)
	if i < 0 {
		return
	}
	kp.idle = slices.Delete(kp.idle, i, i+1)
	closeConn(ic.conn)
	kp.conns--
	p.wakeOne(kp)
	p.drop(kp)
}
