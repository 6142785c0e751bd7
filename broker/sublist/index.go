package sublist

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Index is a concurrent-safe subject index: a token trie with `*` and `>`
// nodes, plus an internal result cache (L2). Every change bumps a generation
// counter, which invalidates the per-connection caches (see Cache), and
// deletes the L2 results it affects. The zero value is not usable; create one
// with New.
//
// An entry is the triple (subject, queue, value). Entries are a set: inserting
// the same triple twice stores it once. The same value may be stored under
// several subjects or queues, and each such entry is matched separately.
type Index[T comparable] struct {
	// gen is loaded by every L1 cache lookup on every connection; keep it on
	// its own cache line, away from the locks that readers write to.
	_   [64]byte
	gen atomic.Uint64
	_   [56]byte

	mu               sync.RWMutex // guards root, count, inserts and removes
	root             *level[T]
	count            int
	inserts, removes uint64

	// Lookups that missed the per-connection caches, and how many of them
	// the L2 cache answered; see Stats.
	matches, l2Hits atomic.Uint64

	// empty is the shared result for subjects that match nothing.
	empty *Result[T]

	cmu   sync.RWMutex // guards cache; gen moves only while it is held
	cache map[string]cached[T]
}

// level is one token position of the trie.
type level[T comparable] struct {
	nodes map[string]*node[T] // literal tokens
	pwc   *node[T]            // `*`
	fwc   *node[T]            // `>`
}

// node holds the entries whose subject ends at this token, and the level of
// the next token.
type node[T comparable] struct {
	next   *level[T]
	plain  set[T]
	queues []queue[T]
}

// queue is the members of one queue group stored at a node.
type queue[T comparable] struct {
	name    string
	members set[T]
}

// New returns an empty Index.
func New[T comparable]() *Index[T] {
	return &Index[T]{
		root:  &level[T]{},
		empty: &Result[T]{},
		cache: make(map[string]cached[T], l2Max),
	}
}

// Gen returns the generation, bumped by every Insert and Remove that changes
// the index (a failed Remove or a duplicate Insert leaves it alone). A result
// obtained while Gen was g is current as long as Gen is still g.
func (x *Index[T]) Gen() uint64 { return x.gen.Load() }

// Count returns the number of entries in the index.
func (x *Index[T]) Count() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.count
}

// Insert adds v under subject, in queue group queue ("" for a plain
// subscription). It returns ErrInvalidSubject if subject is not a valid
// subscription subject (see ValidSubject). Queue names are not validated.
// Inserting an entry that is already present is a no-op.
func (x *Index[T]) Insert(subject, queue string, v T) error {
	if !ValidSubject(subject) {
		return ErrInvalidSubject
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	l := x.root
	var n *node[T]
	for rest, last := subject, false; ; {
		var tok string
		tok, rest, last = nextToken(rest)
		n = l.child(tok, true)
		if last {
			break
		}
		if n.next == nil {
			n.next = &level[T]{}
		}
		l = n.next
	}
	if !n.add(queue, v) {
		return nil
	}
	x.count++
	x.inserts++
	x.changed(subject)
	return nil
}

// step is one token of a path through the trie, kept by Remove for pruning.
type step[T comparable] struct {
	l   *level[T]
	n   *node[T]
	tok string
}

// Remove deletes the entry (subject, queue, v). It returns ErrNotFound if the
// entry is absent and ErrInvalidSubject if subject is not valid. Nodes left
// empty are pruned from the trie.
func (x *Index[T]) Remove(subject, queue string, v T) error {
	if !ValidSubject(subject) {
		return ErrInvalidSubject
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	var buf [16]step[T]
	path := buf[:0]
	l := x.root
	for rest, last := subject, false; ; {
		var tok string
		tok, rest, last = nextToken(rest)
		n := l.child(tok, false)
		if n == nil {
			return ErrNotFound
		}
		path = append(path, step[T]{l, n, tok})
		if last {
			break
		}
		if l = n.next; l == nil {
			return ErrNotFound
		}
	}
	if !path[len(path)-1].n.remove(queue, v) {
		return ErrNotFound
	}
	x.count--
	x.removes++
	for i := len(path) - 1; i >= 0; i-- {
		s := path[i]
		if !s.n.empty() {
			break
		}
		s.l.drop(s.tok)
		if i > 0 && s.l.empty() {
			path[i-1].n.next = nil
		}
	}
	x.changed(subject)
	return nil
}

// child returns the node for tok at l, creating it if create is set.
func (l *level[T]) child(tok string, create bool) *node[T] {
	switch tok {
	case pwcTok:
		if l.pwc == nil && create {
			l.pwc = &node[T]{}
		}
		return l.pwc
	case fwcTok:
		if l.fwc == nil && create {
			l.fwc = &node[T]{}
		}
		return l.fwc
	}
	n := l.nodes[tok]
	if n == nil && create {
		if l.nodes == nil {
			l.nodes = make(map[string]*node[T])
		}
		n = &node[T]{}
		// The caller's string may alias a reused buffer; own the key.
		l.nodes[strings.Clone(tok)] = n
	}
	return n
}

// drop removes the node for tok from l.
func (l *level[T]) drop(tok string) {
	switch tok {
	case pwcTok:
		l.pwc = nil
	case fwcTok:
		l.fwc = nil
	default:
		delete(l.nodes, tok)
		if len(l.nodes) == 0 {
			l.nodes = nil
		}
	}
}

// empty reports whether l has no nodes.
func (l *level[T]) empty() bool {
	return len(l.nodes) == 0 && l.pwc == nil && l.fwc == nil
}

// empty reports whether n holds no entries and has no children.
func (n *node[T]) empty() bool {
	return n.plain.len() == 0 && len(n.queues) == 0 && (n.next == nil || n.next.empty())
}

// queue returns the queue group called name at n, or nil.
func (n *node[T]) queue(name string) *queue[T] {
	for i := range n.queues {
		if n.queues[i].name == name {
			return &n.queues[i]
		}
	}
	return nil
}

// add stores v at n and reports whether it was absent.
func (n *node[T]) add(qname string, v T) bool {
	if qname == "" {
		return n.plain.add(v)
	}
	if q := n.queue(qname); q != nil {
		return q.members.add(v)
	}
	n.queues = append(n.queues, queue[T]{name: strings.Clone(qname)})
	return n.queues[len(n.queues)-1].members.add(v)
}

// remove deletes v from n and reports whether it was present.
func (n *node[T]) remove(qname string, v T) bool {
	if qname == "" {
		return n.plain.remove(v)
	}
	q := n.queue(qname)
	if q == nil || !q.members.remove(v) {
		return false
	}
	if q.members.len() == 0 {
		i := slices.IndexFunc(n.queues, func(q queue[T]) bool { return q.name == qname })
		n.queues = slices.Delete(n.queues, i, i+1) // zeroes the freed slot
		if len(n.queues) == 0 {
			n.queues = nil
		}
	}
	return true
}
