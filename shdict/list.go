package shdict

// LPush inserts v, a string or a number, at the head of key's list,
// creating the list if key is missing or expired, and returns the list's
// length (ngx.shared.DICT:lpush). It never evicts a live entry:
// ErrNoMemory instead. ErrNotAList when key holds another value.
func (d *Dict) LPush(key string, v Value) (int, error) { return d.push(key, v, true) }

// RPush is LPush at the tail (ngx.shared.DICT:rpush).
func (d *Dict) RPush(key string, v Value) (int, error) { return d.push(key, v, false) }

// LPop removes and returns the head of key's list; the nil Value when key
// is missing or expired (ngx.shared.DICT:lpop). The list is removed with
// its last item.
func (d *Dict) LPop(key string) (Value, error) {
	v, _, err := d.PopWhen(key, true, nil)
	return v, err
}

// RPop is LPop at the tail (ngx.shared.DICT:rpop).
func (d *Dict) RPop(key string) (Value, error) {
	v, _, err := d.PopWhen(key, false, nil)
	return v, err
}

// LLen returns the length of key's list, 0 when key is missing or expired
// (ngx.shared.DICT:llen).
func (d *Dict) LLen(key string) (int, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	s := d.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := d.liveList(s, key)
	if e == nil {
		return 0, err
	}
	s.touch(e)
	return e.list.n, nil
}

func (d *Dict) push(key string, v Value, front bool) (int, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	if v.kind != KindString && v.kind != KindNumber {
		return 0, ErrBadValue
	}
	item := ListItemOverhead + v.size()
	s := d.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	if e != nil && d.expired(e) {
		s.remove(d, e)
		e = nil
	}
	switch {
	case e == nil:
		size := EntryOverhead + int64(len(key)) + item
		if ok, _ := d.grow(s, size, nil, false); !ok {
			return 0, ErrNoMemory
		}
		e = s.insert(key)
		e.kind = KindList
		e.list = new(list)
	case e.kind != KindList:
		return 0, ErrNotAList
	default:
		if ok, _ := d.grow(s, item, e, false); !ok {
			return 0, ErrNoMemory
		}
		s.touch(e)
	}
	e.list.push(v.owned(), front)
	e.list.bytes += item
	return e.list.n, nil
}

// PopWhen pops the head (front) or the tail of key's list, as LPop or
// RPop, but only when ok accepts the value (a nil ok accepts any); it
// returns the value either way, and whether it was popped. The check and
// the pop are one atomic step: a caller with a size limit (the Wasm ABI's
// buffer) leaves a value it cannot take where it was.
func (d *Dict) PopWhen(key string, front bool, ok func(Value) bool) (Value, bool, error) {
	if err := CheckKey(key); err != nil {
		return Value{}, false, err
	}
	s := d.shardOf(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := d.liveList(s, key)
	if e == nil {
		return Value{}, false, err
	}
	if ok != nil && !ok(e.list.peek(front)) {
		return e.list.peek(front), false, nil
	}
	v := e.list.pop(front)
	item := ListItemOverhead + v.size()
	e.list.bytes -= item
	d.used.Add(-item)
	if e.list.n == 0 {
		s.remove(d, e)
	} else {
		s.touch(e)
	}
	return v, true, nil
}

// liveList returns key's live list entry; nil and no error when key is
// missing or expired, nil and ErrNotAList when it holds another value.
func (d *Dict) liveList(s *shard, key string) (*entry, error) {
	e := s.m[key]
	switch {
	case e == nil || d.expired(e):
		return nil, nil
	case e.kind != KindList:
		return nil, ErrNotAList
	}
	return e, nil
}

// list is a double-ended queue of values in a ring buffer.
type list struct {
	items []Value
	head  int   // index of the first item
	n     int   // number of items
	bytes int64 // accounted bytes of the items
}

func (l *list) push(v Value, front bool) {
	if l.n == len(l.items) {
		l.resize(max(4, 2*l.n))
	}
	if front {
		l.head = (l.head - 1 + len(l.items)) % len(l.items)
		l.items[l.head] = v
	} else {
		l.items[(l.head+l.n)%len(l.items)] = v
	}
	l.n++
}

// peek returns the head (front) or tail item without removing it.
func (l *list) peek(front bool) Value {
	if front {
		return l.items[l.head]
	}
	return l.items[(l.head+l.n-1)%len(l.items)]
}

func (l *list) pop(front bool) Value {
	i := (l.head + l.n - 1) % len(l.items)
	if front {
		i = l.head
		l.head = (l.head + 1) % len(l.items)
	}
	v := l.items[i]
	l.items[i] = Value{}
	l.n--
	if len(l.items) > 8 && l.n < len(l.items)/4 {
		l.resize(len(l.items) / 2)
	}
	return v
}

// resize moves the items to a new ring of size n >= l.n, head first.
func (l *list) resize(n int) {
	items := make([]Value, n)
	for i := range l.n {
		items[i] = l.items[(l.head+i)%len(l.items)]
	}
	l.items, l.head = items, 0
}
