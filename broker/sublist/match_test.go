package sublist

import (
	"errors"
	"testing"
)

func TestMatchTable(t *testing.T) {
	// Each case inserts subs (value = position in the list) and publishes to
	// each subject of pubs, expecting the listed values.
	type pub struct {
		subject string
		plain   []int
		queues  map[string][]int
	}
	cases := []struct {
		name string
		subs []entry
		pubs []pub
	}{
		{
			name: "literal",
			subs: []entry{{"foo", "", 0}, {"foo.bar", "", 1}, {"foo.bar.baz", "", 2}},
			pubs: []pub{
				{"foo", []int{0}, nil},
				{"foo.bar", []int{1}, nil},
				{"foo.bar.baz", []int{2}, nil},
				{"foo.baz", nil, nil},
				{"bar", nil, nil},
				{"foo.bar.baz.qux", nil, nil},
			},
		},
		{
			name: "partial wildcard",
			subs: []entry{{"foo.*", "", 0}, {"*.bar", "", 1}, {"*", "", 2}, {"foo.*.baz", "", 3}, {"*.*", "", 4}},
			pubs: []pub{
				{"foo", []int{2}, nil},
				{"foo.bar", []int{0, 1, 4}, nil},
				{"foo.x", []int{0, 4}, nil},
				{"foo.x.baz", []int{3}, nil},
				{"foo.x.bar", nil, nil},
				{"a.b.c.d", nil, nil},
			},
		},
		{
			name: "full wildcard",
			subs: []entry{{">", "", 0}, {"foo.>", "", 1}, {"foo.bar.>", "", 2}},
			pubs: []pub{
				{"foo", []int{0}, nil},
				{"foo.bar", []int{0, 1}, nil},
				{"foo.bar.baz", []int{0, 1, 2}, nil},
				{"foo.bar.baz.qux", []int{0, 1, 2}, nil},
				{"bar.foo", []int{0}, nil},
			},
		},
		{
			name: "mixed",
			subs: []entry{{"a.*.c.>", "", 0}, {"*.b.>", "", 1}, {"a.b.c", "", 2}, {"*.*.*", "", 3}, {"a.>", "", 4}},
			pubs: []pub{
				{"a.b.c", []int{1, 2, 3, 4}, nil},
				{"a.b.c.d", []int{0, 1, 4}, nil},
				{"a.x.c.d.e", []int{0, 4}, nil},
				{"a.b", []int{4}, nil},
				{"x.b.c", []int{1, 3}, nil},
			},
		},
		{
			name: "wildcard characters inside tokens are literal",
			subs: []entry{{"foo*", "", 0}, {"foo.*bar", "", 1}, {"foo.>x", "", 2}, {"foo.*", "", 3}},
			pubs: []pub{
				{"foo*", []int{0}, nil},
				{"foo", nil, nil},
				{"foo.*bar", []int{1, 3}, nil},
				{"foo.xbar", []int{3}, nil},
				{"foo.>x", []int{2, 3}, nil},
			},
		},
		{
			name: "utf-8",
			subs: []entry{{"café.*", "", 0}, {"日本.>", "", 1}},
			pubs: []pub{
				{"café.x", []int{0}, nil},
				{"cafe.x", nil, nil},
				{"日本.東京.渋谷", []int{1}, nil},
			},
		},
		{
			name: "queue groups",
			subs: []entry{
				{"foo", "q", 0}, {"foo", "q", 1}, {"foo", "", 2}, {"foo.*", "q", 3},
				{"foo", "r", 4}, {">", "r", 5}, {"foo.>", "s", 6},
			},
			pubs: []pub{
				{"foo", []int{2}, map[string][]int{"q": {0, 1}, "r": {4, 5}}},
				{"foo.bar", nil, map[string][]int{"q": {3}, "r": {5}, "s": {6}}},
				{"bar", nil, map[string][]int{"r": {5}}},
			},
		},
		{
			name: "same value under several subjects",
			subs: []entry{{"foo.bar", "", 7}, {"foo.*", "", 7}, {">", "", 7}, {"foo.bar", "q", 7}, {"foo.>", "q", 7}},
			pubs: []pub{
				{"foo.bar", []int{7, 7, 7}, map[string][]int{"q": {7, 7}}},
				{"foo.baz", []int{7, 7}, map[string][]int{"q": {7}}},
				{"baz", []int{7}, nil},
			},
		},
		{
			name: "invalid publish subjects match nothing",
			subs: []entry{{">", "", 0}, {"*", "", 1}, {"foo.*.bar", "", 2}, {"foo.>", "", 3}},
			pubs: []pub{
				{"", nil, nil},
				{".", nil, nil},
				{"foo..bar", nil, nil},
				{".foo", nil, nil},
				{"foo.", nil, nil},
				{"..", nil, nil},
			},
		},
		{
			name: "wildcard tokens in a publish subject are matched token by token",
			subs: []entry{{"foo.*", "", 0}, {"foo.>", "", 1}, {">", "", 2}, {"foo.bar", "", 3}, {"foo.*.x", "", 4}},
			pubs: []pub{
				{"foo.>", []int{0, 1, 2}, nil},
				{"foo.*", []int{0, 1, 2}, nil},
				{">", []int{2}, nil},
				{"*", []int{2}, nil},
				{"foo.*.x", []int{1, 2, 4}, nil},
			},
		},
		{
			name: "whitespace in publish subjects is not checked",
			subs: []entry{{">", "", 0}},
			pubs: []pub{{"a b", []int{0}, nil}, {"a\tb.c", []int{0}, nil}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := New[int]()
			entries := map[entry]bool{}
			for _, e := range tc.subs {
				if err := x.Insert(e.subject, e.queue, e.v); err != nil {
					t.Fatalf("Insert(%q, %q): %v", e.subject, e.queue, err)
				}
				entries[e] = true
			}
			if x.Count() != len(tc.subs) {
				t.Fatalf("Count = %d, want %d", x.Count(), len(tc.subs))
			}
			c := NewCache(x)
			for _, p := range tc.pubs {
				want := canon(view{Plain: p.plain, Queues: p.queues})
				for range 2 { // the second round is served from the caches
					if got := viewOf(t, x.Match([]byte(p.subject))); !sameView(got, want) {
						t.Errorf("Index.Match(%q) = %v, want %v", p.subject, got, want)
					}
					if got := viewOf(t, c.Match([]byte(p.subject))); !sameView(got, want) {
						t.Errorf("Cache.Match(%q) = %v, want %v", p.subject, got, want)
					}
				}
				checkMatch(t, x, c, entries, p.subject) // the reference agrees
			}
		})
	}
}

func TestInsertRemove(t *testing.T) {
	x := New[int]()
	for _, s := range []string{"", "foo..bar", ".foo", "foo.", "foo.>.bar", "> .x", "a b", "a\tb", ">.>"} {
		if err := x.Insert(s, "", 1); !errors.Is(err, ErrInvalidSubject) {
			t.Errorf("Insert(%q) = %v, want ErrInvalidSubject", s, err)
		}
		if err := x.Remove(s, "", 1); !errors.Is(err, ErrInvalidSubject) {
			t.Errorf("Remove(%q) = %v, want ErrInvalidSubject", s, err)
		}
	}
	if x.Gen() != 0 || x.Count() != 0 {
		t.Fatalf("failed inserts changed the index: gen %d count %d", x.Gen(), x.Count())
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(x.Insert("foo.bar", "", 1))
	must(x.Insert("foo.bar", "", 1)) // duplicate: no-op
	if x.Count() != 1 || x.Gen() != 1 {
		t.Fatalf("after duplicate insert: count %d gen %d, want 1 1", x.Count(), x.Gen())
	}
	must(x.Insert("foo.bar", "q", 1))
	must(x.Insert("foo.*", "", 2))
	must(x.Insert("foo.>", "", 3))
	if x.Count() != 4 {
		t.Fatalf("Count = %d, want 4", x.Count())
	}
	notFound := []entry{
		{"foo.bar", "", 2}, {"foo.bar", "r", 1}, {"foo", "", 1}, {"foo.bar.baz", "", 1},
		{"foo.baz", "", 1}, {"*.bar", "", 1}, {">", "", 3},
	}
	for _, e := range notFound {
		if err := x.Remove(e.subject, e.queue, e.v); !errors.Is(err, ErrNotFound) {
			t.Errorf("Remove(%v) = %v, want ErrNotFound", e, err)
		}
	}
	gen := x.Gen()
	must(x.Remove("foo.bar", "", 1))
	if x.Gen() == gen {
		t.Fatal("Remove did not bump the generation")
	}
	if err := x.Remove("foo.bar", "", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Remove = %v, want ErrNotFound", err)
	}
	must(x.Remove("foo.bar", "q", 1))
	must(x.Remove("foo.*", "", 2))
	must(x.Remove("foo.>", "", 3))
	if x.Count() != 0 {
		t.Fatalf("Count = %d, want 0", x.Count())
	}
	if !x.root.empty() {
		t.Fatal("trie not pruned after removing every entry")
	}
	if r := x.Match([]byte("foo.bar")); !r.Empty() {
		t.Fatalf("Match after removing everything = %+v", r)
	}
}

func TestPruneKeepsSiblings(t *testing.T) {
	x := New[int]()
	for i, s := range []string{"a.b.c", "a.b", "a.b.d", "a.*.c", "a.>"} {
		if err := x.Insert(s, "", i); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Remove("a.b.c", "", 0); err != nil {
		t.Fatal(err)
	}
	entries := map[entry]bool{{"a.b", "", 1}: true, {"a.b.d", "", 2}: true, {"a.*.c", "", 3}: true, {"a.>", "", 4}: true}
	for _, s := range []string{"a.b", "a.b.c", "a.b.d", "a.x.c", "a"} {
		checkMatch(t, x, nil, entries, s)
	}
	if err := x.Remove("a.b", "", 1); err != nil {
		t.Fatal(err)
	}
	delete(entries, entry{"a.b", "", 1})
	for _, s := range []string{"a.b", "a.b.d", "a.x.c"} {
		checkMatch(t, x, nil, entries, s)
	}
}

func TestLargeFanout(t *testing.T) {
	// Enough members to use the position map, removed in a scrambled order.
	const n = 300
	x := New[int]()
	entries := map[entry]bool{}
	for i := range n {
		q := ""
		if i%3 == 0 {
			q = "workers"
		}
		e := entry{"svc.req", q, i}
		if err := x.Insert(e.subject, e.queue, e.v); err != nil {
			t.Fatal(err)
		}
		entries[e] = true
	}
	checkMatch(t, x, nil, entries, "svc.req")
	for i := 0; i < n; i += 2 {
		j := (i * 7919) % n
		e := entry{"svc.req", "", j}
		if j%3 == 0 {
			e.queue = "workers"
		}
		if !entries[e] {
			continue
		}
		if err := x.Remove(e.subject, e.queue, e.v); err != nil {
			t.Fatalf("Remove(%v): %v", e, err)
		}
		delete(entries, e)
		if i%20 == 0 {
			checkMatch(t, x, nil, entries, "svc.req")
		}
	}
	checkMatch(t, x, nil, entries, "svc.req")
	if x.Count() != len(entries) {
		t.Fatalf("Count = %d, want %d", x.Count(), len(entries))
	}
}

func TestResultEmpty(t *testing.T) {
	var r *Result[int]
	if !r.Empty() {
		t.Fatal("nil Result not empty")
	}
	if !(&Result[int]{}).Empty() {
		t.Fatal("zero Result not empty")
	}
	if (&Result[int]{Queues: []Group[int]{{Name: "q", Members: []int{1}}}}).Empty() {
		t.Fatal("Result with a queue group reported empty")
	}
}
