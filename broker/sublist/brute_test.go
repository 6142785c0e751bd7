package sublist

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// entry is one (subject, queue, value) triple, as the tests insert it.
type entry struct {
	subject, queue string
	v              int
}

// bruteMatch is the reference matcher: it reports whether the subscription
// subject pattern matches the publish subject, token by token.
func bruteMatch(pattern, subject string) bool {
	st := strings.Split(subject, ".")
	if slices.Contains(st, "") {
		return false
	}
	pt := strings.Split(pattern, ".")
	for i, p := range pt {
		if p == ">" && i == len(pt)-1 {
			return i < len(st)
		}
		if i >= len(st) || (p != "*" && p != st[i]) {
			return false
		}
	}
	return len(pt) == len(st)
}

// view is a Result in canonical form, for comparison.
type view struct {
	Plain  []int
	Queues map[string][]int
}

func (v view) String() string { return fmt.Sprintf("plain=%v queues=%v", v.Plain, v.Queues) }

// bruteView computes the expected result for subject from a set of entries.
func bruteView(entries map[entry]bool, subject string) view {
	var v view
	for e := range entries {
		if !bruteMatch(e.subject, subject) {
			continue
		}
		if e.queue == "" {
			v.Plain = append(v.Plain, e.v)
			continue
		}
		if v.Queues == nil {
			v.Queues = map[string][]int{}
		}
		v.Queues[e.queue] = append(v.Queues[e.queue], e.v)
	}
	return canon(v)
}

// viewOf converts a Result to canonical form, checking its structure.
func viewOf(t testing.TB, r *Result[int]) view {
	t.Helper()
	if r == nil {
		t.Fatal("Match returned nil")
	}
	v := view{Plain: slices.Clone(r.Plain)}
	for _, g := range r.Queues {
		if v.Queues == nil {
			v.Queues = map[string][]int{}
		}
		if _, dup := v.Queues[g.Name]; dup {
			t.Fatalf("queue group %q appears twice", g.Name)
		}
		if len(g.Members) == 0 {
			t.Fatalf("queue group %q has no members", g.Name)
		}
		v.Queues[g.Name] = slices.Clone(g.Members)
	}
	if r.Empty() != (len(r.Plain) == 0 && len(r.Queues) == 0) {
		t.Fatal("Empty disagrees with contents")
	}
	return canon(v)
}

func canon(v view) view {
	slices.Sort(v.Plain)
	for _, m := range v.Queues {
		slices.Sort(m)
	}
	return v
}

func sameView(a, b view) bool {
	return reflect.DeepEqual(a, b)
}

// checkMatch compares x.Match, a Cache and the brute-force matcher.
func checkMatch(t testing.TB, x *Index[int], c *Cache[int], entries map[entry]bool, subject string) {
	t.Helper()
	want := bruteView(entries, subject)
	if got := viewOf(t, x.Match([]byte(subject))); !sameView(got, want) {
		t.Fatalf("Index.Match(%q) = %v, want %v", subject, got, want)
	}
	if c != nil {
		if got := viewOf(t, c.Match([]byte(subject))); !sameView(got, want) {
			t.Fatalf("Cache.Match(%q) = %v, want %v", subject, got, want)
		}
	}
}
