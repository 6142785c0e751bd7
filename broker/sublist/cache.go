package sublist

// L1 cache size: when full, l1Prune arbitrary entries are dropped.
const (
	l1Max   = 512
	l1Prune = 32
)

// Cache is a per-connection (L1) match cache in front of an Index. It is not
// safe for concurrent use and takes no lock: a hit costs one atomic load of
// the index generation and a map lookup, and allocates nothing. Any change to
// the index empties it on the next Match; it then refills from the Index's
// L2 cache, which keeps results for subjects the change did not affect.
type Cache[T comparable] struct {
	x   *Index[T]
	gen uint64
	m   map[string]*Result[T]
}

// NewCache returns an empty L1 cache for x.
func NewCache[T comparable](x *Index[T]) *Cache[T] {
	return &Cache[T]{x: x, gen: x.Gen(), m: make(map[string]*Result[T])}
}

// Match returns the same as the Index's Match, from the cache when the index
// has not changed since the result was cached. The Result is shared and
// read-only; subject is not retained.
func (c *Cache[T]) Match(subject []byte) *Result[T] {
	if g := c.x.gen.Load(); g != c.gen {
		if len(c.m) > 0 {
			clear(c.m)
		}
		c.gen = g
	} else if r, ok := c.m[string(subject)]; ok {
		return r
	}
	// The result may be newer than c.gen, never older: caching it under
	// c.gen only means it is dropped one change early.
	r, key := c.x.lookup(subject)
	if len(c.m) >= l1Max {
		n := 0
		for k := range c.m { // arbitrary order
			delete(c.m, k)
			if n++; n == l1Prune {
				break
			}
		}
	}
	if key != "" {
		c.m[key] = r // shares the L2 cache's copy of the subject
	} else {
		c.m[string(subject)] = r
	}
	return r
}
