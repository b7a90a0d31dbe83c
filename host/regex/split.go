package regex

// Split is lua-resty-core's ngx.re.split: it splits subject around the
// matches of re, from the 1-based position pos (ctx.pos) on, into at most
// max pieces (max <= 0: no limit, and trailing empty pieces are dropped).
// When the pattern has groups, the text of group 1 follows each piece.
// next is the value split leaves in ctx.pos: the 0-based offset where the
// last search ended (pos itself when pos is past the end). The rules for
// empty matches, quirks included, are lua-resty-core's.
func (re *Regexp) Split(subject string, pos, max int) (pieces []string, next int, err error) {
	n := len(subject)
	if pos > n {
		return nil, pos, nil
	}
	if pos < 1 {
		pos = 1
	}
	piece := func(from, to int) string { // 1-based, inclusive
		if to < from {
			return ""
		}
		return subject[from-1 : to]
	}
	subIdx, lastEmpty, count := pos, 0, 1
	next = pos - 1
	for max <= 0 || count < max {
		caps, err := re.MatchStringAt(subject, next)
		if err != nil {
			return nil, next, err
		}
		if caps == nil {
			break
		}
		next = caps[1]
		if caps[0] == caps[1] {
			next++
		}
		from, to := caps[0]+1, caps[1]+1
		if lastEmpty != 0 {
			subIdx = lastEmpty
		}
		if from == to {
			lastEmpty = from
		}
		if from > subIdx || lastEmpty == 0 {
			count++
			pieces = append(pieces, piece(subIdx, from-1))
			if len(caps) > 2 && caps[2] >= 0 {
				pieces = append(pieces, subject[caps[2]:caps[3]])
			}
			if subIdx = to; subIdx > n {
				break
			}
		}
	}
	if max <= 0 && subIdx > n {
		for len(pieces) > 0 && pieces[len(pieces)-1] == "" {
			pieces = pieces[:len(pieces)-1]
		}
	} else {
		pieces = append(pieces, piece(subIdx, n))
	}
	return pieces, next, nil
}
