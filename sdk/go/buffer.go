package moongate

// minBuffer is the first size of the result buffer.
const minBuffer = 512

// buffer is the reusable buffer host calls write their results into (the
// ABI's buf_ptr, buf_cap). It grows to the largest result seen.
type buffer struct{ b []byte }

// fetch runs the ABI's buffer-retry protocol: call gets the whole buffer
// and returns the result's length, or a negative status; a result longer
// than the buffer was not written, so the buffer grows and call runs again.
// It returns the result, valid until the next fetch, and the status.
func (buf *buffer) fetch(call func(b []byte) int32) ([]byte, int32) {
	for {
		n := call(buf.b[:cap(buf.b)])
		if n < 0 {
			return nil, n
		}
		if int(n) <= cap(buf.b) {
			return buf.b[:n], n
		}
		buf.grow(int(n))
	}
}

// grow replaces the buffer with one of at least n bytes, doubling its size
// so that a series of growing results costs few retries.
func (buf *buffer) grow(n int) {
	size := max(minBuffer, 2*cap(buf.b))
	for size < n {
		size *= 2
	}
	buf.b = make([]byte, size)
}
