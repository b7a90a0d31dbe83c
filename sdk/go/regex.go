package moongate

import (
	"encoding/binary"
	"errors"
)

// Captures is a match of a regular expression (ngx.re.match's result):
// the offsets of the whole match, group 0, and of each group of the
// pattern in the subject.
type Captures struct {
	subject string
	offsets []int // start and end of each group; -1 for a group that took no part
}

// Len returns the number of groups, group 0 (the whole match) included.
func (c *Captures) Len() int { return len(c.offsets) / 2 }

// Index returns the start and end byte offsets of group i in the subject,
// -1 and -1 when the group took no part in the match or i is out of range.
func (c *Captures) Index(i int) (start, end int) {
	if i < 0 || i >= c.Len() {
		return -1, -1
	}
	return c.offsets[2*i], c.offsets[2*i+1]
}

// Group returns the text of group i (0: the whole match), and whether the
// group took part in the match (Lua's false for one that did not).
func (c *Captures) Group(i int) (string, bool) {
	start, end := c.Index(i)
	if start < 0 {
		return "", false
	}
	return c.subject[start:end], true
}

// String returns the whole match.
func (c *Captures) String() string {
	s, _ := c.Group(0)
	return s
}

// errBadCaptures is re_match's result when the host wrote something else
// than offsets within the subject.
var errBadCaptures = errors.New("moongate: malformed match offsets from host")

// decodeCaptures decodes re_match's result for subject: start and end
// offsets (i32, little-endian) per group, -1 for a group without a match.
func decodeCaptures(subject string, b []byte) (*Captures, error) {
	if len(b) == 0 || len(b)%8 != 0 {
		return nil, errBadCaptures
	}
	offs := make([]int, len(b)/4)
	for i := range offs {
		offs[i] = int(int32(binary.LittleEndian.Uint32(b[4*i:])))
	}
	for i := 0; i < len(offs); i += 2 {
		start, end := offs[i], offs[i+1]
		unmatched := i > 0 && start == -1 && end == -1
		if !unmatched && (start < 0 || start > end || end > len(subject)) {
			return nil, errBadCaptures
		}
	}
	return &Captures{subject: subject, offsets: offs}, nil
}

// nextStart returns where a search for the match after c begins, as
// ngx.re.gmatch goes on: at the end of c, or one byte further when c is
// empty, so that the search moves on.
func (c *Captures) nextStart() int {
	start, end := c.Index(0)
	if end == start {
		return end + 1
	}
	return end
}

// decodeGroupNames decodes re_group_names' list: one key per group.
func decodeGroupNames(b []byte) ([]string, error) {
	return decodeList(b, func(k, _ string, _ bool) string { return k })
}
