package sublist

// Stats describes an Index as nats-server's /subsz does. Matches counts the
// lookups that reached the Index (a per-connection Cache hit does not, as a
// nats-server client's own result cache does not); CacheHits is how many of
// them the Index's shared cache answered.
type Stats struct {
	Subs      int
	Cached    int // results in the shared cache
	Inserts   uint64
	Removes   uint64
	Matches   uint64
	CacheHits uint64
	// MaxFanout and TotalFanout are over the cached results: the entries and
	// queue groups each one delivers to.
	MaxFanout   int
	TotalFanout int
}

// Stats returns the Index's counters and the fan-out of its cached results.
func (x *Index[T]) Stats() Stats {
	x.mu.RLock()
	st := Stats{Subs: x.count, Inserts: x.inserts, Removes: x.removes}
	x.mu.RUnlock()
	st.Matches = x.matches.Load()
	st.CacheHits = x.l2Hits.Load()
	x.cmu.RLock()
	st.Cached = len(x.cache)
	for _, e := range x.cache {
		n := len(e.r.Plain) + len(e.r.Queues)
		st.TotalFanout += n
		st.MaxFanout = max(st.MaxFanout, n)
	}
	x.cmu.RUnlock()
	return st
}

// Entry is one entry of an Index, as All lists it.
type Entry[T comparable] struct {
	Subject, Queue string
	Value          T
}

// All appends every entry to out and returns it, in no particular order.
func (x *Index[T]) All(out []Entry[T]) []Entry[T] {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return collect(x.root, "", out)
}

func collect[T comparable](l *level[T], prefix string, out []Entry[T]) []Entry[T] {
	visit := func(tok string, n *node[T]) {
		subj := tok
		if prefix != "" {
			subj = prefix + "." + tok
		}
		for _, v := range n.plain.items {
			out = append(out, Entry[T]{subj, "", v})
		}
		for _, q := range n.queues {
			for _, v := range q.members.items {
				out = append(out, Entry[T]{subj, q.name, v})
			}
		}
		if n.next != nil {
			out = collect(n.next, subj, out)
		}
	}
	for tok, n := range l.nodes {
		visit(tok, n)
	}
	if l.pwc != nil {
		visit("*", l.pwc)
	}
	if l.fwc != nil {
		visit(">", l.fwc)
	}
	return out
}
