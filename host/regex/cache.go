package regex

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultMatchLimit bounds one match on the backtracking engine when no
// Cache (so no Options) is given.
const DefaultMatchLimit = 100 * time.Millisecond

// Options configure a Cache.
type Options struct {
	// CacheSize is the number of compiled patterns kept, least recently
	// used first out; 0 keeps none (every Compile compiles).
	CacheSize int
	// MatchLimit bounds the time one match may take on the backtracking
	// engine (PCRE-only patterns); 0 means DefaultMatchLimit. RE2 matches
	// run in linear time and need no limit.
	MatchLimit time.Duration
}

// Cache compiles patterns and keeps the compiled ones, keyed by pattern and
// options. It is safe for concurrent use. A nil *Cache compiles every time,
// with DefaultMatchLimit.
type Cache struct {
	lru   *lru.Cache[cacheKey, *Regexp] // nil: no caching
	limit time.Duration
}

// cacheKey identifies a compiled pattern; a struct rather than a joined
// string, so that a lookup allocates nothing.
type cacheKey struct{ pattern, flags string }

// NewCache returns a Cache configured by opts.
func NewCache(opts Options) *Cache {
	c := &Cache{limit: opts.MatchLimit}
	if c.limit <= 0 {
		c.limit = DefaultMatchLimit
	}
	if opts.CacheSize > 0 {
		c.lru, _ = lru.New[cacheKey, *Regexp](opts.CacheSize) // errs only on size <= 0
	}
	return c
}

// Compile returns pattern compiled with flags, OpenResty's option letters
// ("ijo"...), from the cache when it holds it. An unknown letter gives a
// *FlagError, an invalid pattern an error `failed to compile regex
// "<pattern>": <reason>`.
func (c *Cache) Compile(pattern, flags string) (*Regexp, error) {
	if c == nil {
		return compile(pattern, flags, DefaultMatchLimit)
	}
	if c.lru == nil {
		return compile(pattern, flags, c.limit)
	}
	key := cacheKey{pattern, flags}
	if re, ok := c.lru.Get(key); ok {
		return re, nil
	}
	re, err := compile(pattern, flags, c.limit)
	if err != nil {
		return nil, err
	}
	c.lru.Add(key, re)
	return re, nil
}

// Len returns the number of patterns the cache holds.
func (c *Cache) Len() int {
	if c == nil || c.lru == nil {
		return 0
	}
	return c.lru.Len()
}
