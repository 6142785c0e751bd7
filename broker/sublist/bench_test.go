package sublist

import (
	"fmt"
	"testing"
)

// benchIndex returns an index with n literal subscriptions spread over a
// three-token space plus a few wildcard and queue subscriptions that match
// "orders.eu.new".
func benchIndex(b *testing.B, n int) *Index[*int] {
	b.Helper()
	x := New[*int]()
	for i := range n {
		v := new(int)
		if err := x.Insert(fmt.Sprintf("svc%d.region%d.ev%d", i%10, i%7, i), "", v); err != nil {
			b.Fatal(err)
		}
	}
	for _, s := range []string{"orders.eu.new", "orders.*.new", "orders.>", ">"} {
		if err := x.Insert(s, "", new(int)); err != nil {
			b.Fatal(err)
		}
		if err := x.Insert(s, "workers", new(int)); err != nil {
			b.Fatal(err)
		}
	}
	return x
}

var sinkResult *Result[*int]

func BenchmarkCacheMatchHit(b *testing.B) {
	x := benchIndex(b, 1000)
	c := NewCache(x)
	subj := []byte("orders.eu.new")
	c.Match(subj)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sinkResult = c.Match(subj)
	}
}

func BenchmarkIndexMatchHit(b *testing.B) {
	x := benchIndex(b, 1000)
	subj := []byte("orders.eu.new")
	x.Match(subj)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sinkResult = x.Match(subj)
	}
}

func BenchmarkCacheMatchHitParallel(b *testing.B) {
	x := benchIndex(b, 1000)
	subj := []byte("orders.eu.new")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		c := NewCache(x) // one per connection
		var r *Result[*int]
		for pb.Next() {
			r = c.Match(subj)
		}
		_ = r
	})
}

func BenchmarkIndexMatchHitParallel(b *testing.B) {
	x := benchIndex(b, 1000)
	subj := []byte("orders.eu.new")
	x.Match(subj)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var r *Result[*int]
		for pb.Next() {
			r = x.Match(subj)
		}
		_ = r
	})
}

// BenchmarkMatchMiss measures the trie walk and result build alone.
func BenchmarkMatchMiss(b *testing.B) {
	x := benchIndex(b, 1000)
	for _, tc := range []struct{ name, subj string }{
		{"fanout8", "orders.eu.new"},
		{"literal1", "svc3.region5.ev3"},
		{"fwcOnly", "nobody.listens.here"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			subj := []byte(tc.subj)
			b.ReportAllocs()
			for b.Loop() {
				x.mu.RLock()
				sinkResult = x.match(subj)
				x.mu.RUnlock()
			}
		})
	}
}

// BenchmarkMatchMissCached measures a miss through both caches, including
// storing the result and evicting: it cycles over more subjects than fit.
func BenchmarkMatchMissCached(b *testing.B) {
	x := benchIndex(b, 1000)
	c := NewCache(x)
	subjs := make([][]byte, 4096)
	for i := range subjs {
		subjs[i] = fmt.Appendf(nil, "svc%d.region%d.ev%d", i%10, i%7, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkResult = c.Match(subjs[i%len(subjs)])
		i++
	}
}

func BenchmarkInsertRemove(b *testing.B) {
	x := benchIndex(b, 1000)
	v := new(int)
	b.ReportAllocs()
	for b.Loop() {
		if err := x.Insert("svc3.region5.new", "", v); err != nil {
			b.Fatal(err)
		}
		if err := x.Remove("svc3.region5.new", "", v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInsertRemoveExisting(b *testing.B) {
	// The node path already exists: no trie nodes are created or pruned.
	x := benchIndex(b, 1000)
	v := new(int)
	b.ReportAllocs()
	for b.Loop() {
		if err := x.Insert("orders.*.new", "", v); err != nil {
			b.Fatal(err)
		}
		if err := x.Remove("orders.*.new", "", v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertRemoveWildcardFullL2 measures subscription churn with a
// wildcard subject while the L2 cache is full, so each change scans it.
func BenchmarkInsertRemoveWildcardFullL2(b *testing.B) {
	x := benchIndex(b, 1000)
	for i := range l2Max {
		x.Match(fmt.Appendf(nil, "svc%d.region%d.ev%d", i%10, i%7, i))
	}
	v := new(int)
	b.ReportAllocs()
	for b.Loop() {
		if err := x.Insert("svc3.*.new", "", v); err != nil {
			b.Fatal(err)
		}
		if err := x.Remove("svc3.*.new", "", v); err != nil {
			b.Fatal(err)
		}
	}
}
