package sublist

import "slices"

// Result is the set of entries matching a publish subject. A Result returned
// by Match is shared by all callers and must be treated as read-only; it is
// never modified after it is returned (changes to the index build new
// results).
type Result[T comparable] struct {
	// Plain holds one value per matching plain entry. A value stored under
	// several matching subjects appears once per subject.
	Plain []T
	// Queues holds one group per distinct queue name among the matching
	// entries, gathering members from every matching subject.
	Queues []Group[T]
}

// Group is the matching members of one queue group.
type Group[T comparable] struct {
	Name    string
	Members []T
}

// Empty reports whether r matches nothing. A nil Result is empty.
func (r *Result[T]) Empty() bool {
	return r == nil || (len(r.Plain) == 0 && len(r.Queues) == 0)
}

// Match returns everything matching the literal publish subject. Publish
// subjects are not validated: a subject with an empty token matches nothing,
// and `*` or `>` tokens are matched like literal tokens (they reach wildcard
// subscriptions but never equal a wildcard node). The Result is shared and
// read-only. A cache hit allocates nothing; subject is not retained.
func (x *Index[T]) Match(subject []byte) *Result[T] {
	r, _ := x.lookup(subject)
	return r
}

// lookup returns the result for subject through the L2 cache, and the cache's
// copy of subject as a string if it has one ("" otherwise), which an L1 cache
// can share as its own key.
func (x *Index[T]) lookup(subject []byte) (*Result[T], string) {
	x.matches.Add(1)
	if e, ok := x.cacheGet(subject); ok {
		x.l2Hits.Add(1)
		return e.r, e.key
	}
	x.mu.RLock()
	gen := x.gen.Load() // stable while the read lock is held
	r := x.match(subject)
	x.mu.RUnlock()
	return r, x.cachePut(subject, r, gen)
}

// match computes the result for subject. x.mu must be held.
func (x *Index[T]) match(subject []byte) *Result[T] {
	if !matchable(subject) {
		return x.empty
	}
	var buf [16]*node[T]
	nodes := walk(x.root, subject, buf[:0])
	return build(nodes, x.empty)
}

// walk appends to out every node matching the remaining subject tokens, from
// level l on. Each node is reached at most once, by the one path that spells
// its subject.
func walk[T comparable](l *level[T], subject []byte, out []*node[T]) []*node[T] {
	for l != nil {
		tok, rest, last := subject, []byte(nil), true
		for i, c := range subject {
			if c == tokSep {
				tok, rest, last = subject[:i], subject[i+1:], false
				break
			}
		}
		if l.fwc != nil {
			out = append(out, l.fwc)
		}
		if l.pwc != nil {
			if last {
				out = append(out, l.pwc)
			} else {
				out = walk(l.pwc.next, rest, out)
			}
		}
		n := l.nodes[string(tok)]
		if n == nil {
			break
		}
		if last {
			out = append(out, n)
			break
		}
		l, subject = n.next, rest
	}
	return out
}

// build copies the entries of the matched nodes into a new Result, or returns
// empty if there are none. All values share one backing array.
func build[T comparable](nodes []*node[T], empty *Result[T]) *Result[T] {
	var nameBuf [8]string
	names := nameBuf[:0] // distinct queue names, in order of appearance
	nvals := 0
	for _, n := range nodes {
		nvals += n.plain.len()
		for i := range n.queues {
			q := &n.queues[i]
			nvals += q.members.len()
			if !slices.Contains(names, q.name) {
				names = append(names, q.name)
			}
		}
	}
	if nvals == 0 {
		return empty
	}
	var r *Result[T]
	switch len(names) {
	case 0:
		r = &Result[T]{}
	case 1: // the common case: one allocation for the result and its group
		rg := &resultGroup[T]{}
		r = &rg.r
		r.Queues = rg.g[:]
	default:
		r = &Result[T]{Queues: make([]Group[T], len(names))}
	}
	vals := make([]T, nvals)
	off := 0
	for _, n := range nodes {
		off += copy(vals[off:], n.plain.items)
	}
	if off > 0 {
		r.Plain = vals[:off:off]
	}
	for gi, name := range names {
		start := off
		for _, n := range nodes {
			if q := n.queue(name); q != nil {
				off += copy(vals[off:], q.members.items)
			}
		}
		r.Queues[gi] = Group[T]{Name: name, Members: vals[start:off:off]}
	}
	return r
}

// resultGroup lays out a Result with a single queue group in one allocation.
type resultGroup[T comparable] struct {
	r Result[T]
	g [1]Group[T]
}
