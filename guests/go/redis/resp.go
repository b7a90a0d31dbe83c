//go:build wasip1

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	moongate "github.com/moongate/moongate/sdk/go"
)

// client is a Redis connection speaking RESP2. Replies are Go values:
// string for simple and bulk strings, int64 for integers, []any for
// arrays, nil for a nil bulk string or array, and errorReply for an error
// reply from Redis. A transport or protocol failure is a Go error, after
// which the connection is closed, so it never goes back to the pool.
type client struct {
	conn *moongate.Conn
	buf  []byte // the request being built
}

// errorReply is an error reply ("ERR ...", "WRONGTYPE ..."): a value, not
// a failure, as Redis answered.
type errorReply string

// MarshalJSON writes the reply as [false, "message"], as the Lua example
// shows an error reply inside an array.
func (e errorReply) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{false, string(e)})
}

// errProtocol is the error of a reply that is not RESP.
var errProtocol = errors.New("bad reply")

// do sends the commands (each a name and its arguments) in one write and
// returns their replies in order: one command is a plain call, several a
// pipeline.
func (c *client) do(cmds ...[]string) ([]any, error) {
	c.buf = c.buf[:0]
	for _, cmd := range cmds {
		c.buf = appendCommand(c.buf, cmd)
	}
	if _, err := c.conn.Send(c.buf); err != nil {
		return nil, c.fail(err)
	}
	replies := make([]any, len(cmds))
	for i := range replies {
		reply, err := c.read()
		if err != nil {
			return nil, c.fail(err)
		}
		replies[i] = reply
	}
	return replies, nil
}

// fail closes the connection after err and returns err.
func (c *client) fail(err error) error {
	c.conn.Close()
	return err
}

// appendCommand appends cmd to b as a RESP array of bulk strings.
func appendCommand(b []byte, cmd []string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(cmd)), 10)
	b = append(b, "\r\n"...)
	for _, arg := range cmd {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(arg)), 10)
		b = append(b, "\r\n"...)
		b = append(b, arg...)
		b = append(b, "\r\n"...)
	}
	return b
}

// read reads one reply.
func (c *client) read() (any, error) {
	line, err := c.conn.ReceiveLine()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, fmt.Errorf("%w: empty line", errProtocol)
	}
	kind, rest := line[0], string(line[1:])
	switch kind {
	case '+':
		return rest, nil
	case '-':
		return errorReply(rest), nil
	case ':':
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: integer %q", errProtocol, rest)
		}
		return n, nil
	case '$':
		size, err := strconv.Atoi(rest)
		if err != nil {
			return nil, fmt.Errorf("%w: bulk string length %q", errProtocol, rest)
		}
		if size < 0 {
			return nil, nil
		}
		data, err := c.conn.Receive(size + 2)
		if err != nil {
			return nil, err
		}
		return string(data[:size]), nil
	case '*':
		count, err := strconv.Atoi(rest)
		if err != nil {
			return nil, fmt.Errorf("%w: array length %q", errProtocol, rest)
		}
		if count < 0 {
			return nil, nil
		}
		items := make([]any, count)
		for i := range items {
			if items[i], err = c.read(); err != nil {
				return nil, err
			}
		}
		return items, nil
	}
	return nil, fmt.Errorf("%w: %q", errProtocol, line)
}
