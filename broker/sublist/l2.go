package sublist

import "strings"

// The L2 cache maps publish subjects to results, shared by all users of an
// Index. It is invalidated precisely: a change to the index deletes only the
// cached subjects that the changed entry's subject matches (one map delete
// for a literal subject, a scan of the cache for a wildcard one), so results
// for unrelated subjects survive subscription churn. When full it drops
// arbitrary entries down to l2Keep.
const (
	l2Max  = 1024
	l2Keep = 768
)

// cached is an L2 entry: a result and its key, which L1 caches share.
type cached[T comparable] struct {
	r   *Result[T]
	key string
}

// cacheGet returns the L2 entry for subject, if any.
func (x *Index[T]) cacheGet(subject []byte) (cached[T], bool) {
	x.cmu.RLock()
	e, ok := x.cache[string(subject)]
	x.cmu.RUnlock()
	return e, ok
}

// cachePut stores r, computed at generation gen, as the L2 result for
// subject, unless the index has changed since. It returns the key it stored,
// or "".
func (x *Index[T]) cachePut(subject []byte, r *Result[T], gen uint64) string {
	x.cmu.Lock()
	defer x.cmu.Unlock()
	// The generation only moves under cmu (see changed), so a result
	// computed before a change can never be stored after its invalidation.
	if gen != x.gen.Load() {
		return ""
	}
	e, ok := x.cache[string(subject)]
	if !ok {
		if len(x.cache) >= l2Max {
			n := len(x.cache) - l2Keep
			for k := range x.cache { // arbitrary order
				delete(x.cache, k)
				if n--; n == 0 {
					break
				}
			}
		}
		e.key = string(subject)
	}
	x.cache[e.key] = cached[T]{r, e.key}
	return e.key
}

// changed records a change to the entries under subject: it bumps the
// generation, which invalidates every L1 cache, and deletes the L2 results
// for the publish subjects that subject matches. x.mu must be held for
// writing, so no result is being computed meanwhile.
func (x *Index[T]) changed(subject string) {
	x.cmu.Lock()
	defer x.cmu.Unlock()
	x.gen.Add(1)
	if literal(subject) {
		delete(x.cache, subject)
		return
	}
	prefix := literalPrefix(subject) // a cheap filter
	for k := range x.cache {
		if strings.HasPrefix(k, prefix) && patternMatches(subject, k) {
			delete(x.cache, k)
		}
	}
}
