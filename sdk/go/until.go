package moongate

// Until reads a Conn's stream up to each occurrence of a pattern, the
// iterator of tcpsock:receiveuntil (Conn.ReceiveUntil). It lives as long
// as its Conn: until the handler that connected it returns.
type Until struct {
	conn   *Conn
	handle int32
}
