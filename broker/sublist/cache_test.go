package sublist

import (
	"fmt"
	"slices"
	"testing"
)

func TestCacheInvalidation(t *testing.T) {
	x := New[int]()
	c := NewCache(x)
	entries := map[entry]bool{}
	subjects := []string{"foo.bar", "foo.baz", "foo", "bar.baz.qux"}
	warm := func() {
		t.Helper()
		for _, s := range subjects {
			checkMatch(t, x, c, entries, s)
			checkMatch(t, x, c, entries, s) // served from the caches
		}
	}
	steps := []struct {
		insert bool
		e      entry
	}{
		{true, entry{"foo.bar", "", 1}},
		{true, entry{"foo.*", "", 2}},
		{true, entry{">", "q", 3}},
		{true, entry{"foo.>", "q", 4}},
		{true, entry{"foo", "", 5}},
		{false, entry{"foo.*", "", 2}},
		{false, entry{">", "q", 3}},
		{true, entry{"bar.*.qux", "", 6}},
		{false, entry{"foo.bar", "", 1}},
		{false, entry{"foo.>", "q", 4}},
		{false, entry{"foo", "", 5}},
		{false, entry{"bar.*.qux", "", 6}},
	}
	warm()
	for _, st := range steps {
		var err error
		if st.insert {
			err = x.Insert(st.e.subject, st.e.queue, st.e.v)
			entries[st.e] = true
		} else {
			err = x.Remove(st.e.subject, st.e.queue, st.e.v)
			delete(entries, st.e)
		}
		if err != nil {
			t.Fatalf("%+v: %v", st, err)
		}
		warm()
	}
}

func TestResultsAreNeverMutated(t *testing.T) {
	x := New[int]()
	for i := range 40 { // enough to index the sets
		if err := x.Insert("foo", "", i); err != nil {
			t.Fatal(err)
		}
		if err := x.Insert("foo", "q", 100+i); err != nil {
			t.Fatal(err)
		}
	}
	c := NewCache(x)
	held := c.Match([]byte("foo"))
	want := viewOf(t, held)
	plain, members := slices.Clone(held.Plain), slices.Clone(held.Queues[0].Members)
	for i := range 40 {
		if err := x.Remove("foo", "", i); err != nil {
			t.Fatal(err)
		}
		if err := x.Insert("foo", "", 200+i); err != nil {
			t.Fatal(err)
		}
		if err := x.Remove("foo", "q", 100+i); err != nil {
			t.Fatal(err)
		}
		c.Match([]byte("foo"))
		x.Match([]byte("foo"))
	}
	if got := viewOf(t, held); !sameView(got, want) || !slices.Equal(held.Plain, plain) ||
		!slices.Equal(held.Queues[0].Members, members) {
		t.Fatalf("held result changed: %v, was %v", got, want)
	}
}

func TestCacheBounds(t *testing.T) {
	x := New[int]()
	if err := x.Insert("s.*", "", 1); err != nil {
		t.Fatal(err)
	}
	c := NewCache(x)
	entries := map[entry]bool{{"s.*", "", 1}: true}
	for i := range 5000 {
		s := fmt.Sprintf("s.%d", i)
		if r := c.Match([]byte(s)); len(r.Plain) != 1 {
			t.Fatalf("Match(%q) = %+v", s, r)
		}
		if len(c.m) > l1Max {
			t.Fatalf("L1 cache holds %d entries, max %d", len(c.m), l1Max)
		}
		if len(x.cache) > l2Max {
			t.Fatalf("L2 cache holds %d entries, max %d", len(x.cache), l2Max)
		}
	}
	// Entries still resolve correctly after many sweeps, including after a
	// change that leaves stale entries behind.
	if err := x.Insert("s.7", "", 2); err != nil {
		t.Fatal(err)
	}
	entries[entry{"s.7", "", 2}] = true
	for i := range 3000 {
		checkMatch(t, x, c, entries, fmt.Sprintf("s.%d", i%2000))
	}
}

func TestCacheHitsDoNotAllocate(t *testing.T) {
	x := New[int]()
	for i, s := range []string{"foo.bar", "foo.*", "foo.>", ">"} {
		if err := x.Insert(s, "", i); err != nil {
			t.Fatal(err)
		}
		if err := x.Insert(s, "q", 10+i); err != nil {
			t.Fatal(err)
		}
	}
	c := NewCache(x)
	for _, s := range []string{"foo.bar", "nothing..here", "no.subscribers.x"} {
		subj := []byte(s)
		c.Match(subj)
		if n := testing.AllocsPerRun(100, func() { x.Match(subj) }); n != 0 {
			t.Errorf("Index.Match(%q) hit: %v allocs", s, n)
		}
		if n := testing.AllocsPerRun(100, func() { c.Match(subj) }); n != 0 {
			t.Errorf("Cache.Match(%q) hit: %v allocs", s, n)
		}
	}
}

func TestCacheSeesChangesFromOthers(t *testing.T) {
	x := New[int]()
	c1, c2 := NewCache(x), NewCache(x)
	subj := []byte("a.b")
	if !c1.Match(subj).Empty() || !c2.Match(subj).Empty() {
		t.Fatal("expected empty results")
	}
	if err := x.Insert("a.*", "", 1); err != nil {
		t.Fatal(err)
	}
	if r := c1.Match(subj); len(r.Plain) != 1 {
		t.Fatalf("c1 after insert: %+v", r)
	}
	if r := c2.Match(subj); len(r.Plain) != 1 {
		t.Fatalf("c2 after insert: %+v", r)
	}
	if err := x.Remove("a.*", "", 1); err != nil {
		t.Fatal(err)
	}
	if !c2.Match(subj).Empty() || !c1.Match(subj).Empty() {
		t.Fatal("caches kept a result after Remove")
	}
}

func TestL2InvalidationIsPrecise(t *testing.T) {
	x := New[int]()
	subjects := []string{"a.b", "a.c", "b.c", "a.b.c"}
	warm := func() {
		for _, s := range subjects {
			x.Match([]byte(s))
		}
	}
	cachedNow := func() map[string]bool {
		m := map[string]bool{}
		for _, s := range subjects {
			if _, ok := x.cache[s]; ok {
				m[s] = true
			}
		}
		return m
	}
	steps := []struct {
		subject string
		kept    []string // L2 entries that must survive inserting subject
	}{
		{"a.b", []string{"a.c", "b.c", "a.b.c"}},
		{"a.*", []string{"b.c", "a.b.c"}},
		{"*.c", []string{"a.b", "a.b.c"}},
		{"a.>", []string{"b.c"}},
		{">", nil},
		{"x.y", []string{"a.b", "a.c", "b.c", "a.b.c"}},
	}
	for i, st := range steps {
		warm()
		if err := x.Insert(st.subject, "", i); err != nil {
			t.Fatal(err)
		}
		got := cachedNow()
		for _, s := range subjects {
			want := slices.Contains(st.kept, s)
			if got[s] != want {
				t.Errorf("after inserting %q: L2 has %q = %v, want %v", st.subject, s, got[s], want)
			}
		}
		warm()
		if err := x.Remove(st.subject, "", i); err != nil {
			t.Fatal(err)
		}
		if got := cachedNow(); len(got) != len(st.kept) {
			t.Errorf("after removing %q: L2 holds %v, want %v", st.subject, got, st.kept)
		}
		if err := x.Insert(st.subject, "", i); err != nil { // keep it for the next step
			t.Fatal(err)
		}
	}
}
