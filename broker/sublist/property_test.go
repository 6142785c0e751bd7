package sublist

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// randPattern returns a random valid subscription subject over a small
// alphabet, so that patterns and subjects collide often.
func randPattern(rng *rand.Rand) string {
	n := 1 + rng.IntN(4)
	toks := make([]string, n)
	for i := range toks {
		switch r := rng.IntN(10); {
		case r < 2:
			toks[i] = "*"
		case r < 3 && i == n-1:
			toks[i] = ">"
		default:
			toks[i] = string(rune('a' + rng.IntN(3)))
		}
	}
	return strings.Join(toks, ".")
}

// randSubject returns a random publish subject, sometimes with wildcard
// tokens or empty tokens.
func randSubject(rng *rand.Rand) string {
	n := 1 + rng.IntN(5)
	toks := make([]string, n)
	for i := range toks {
		switch r := rng.IntN(40); {
		case r == 0:
			toks[i] = ""
		case r == 1:
			toks[i] = "*"
		case r == 2:
			toks[i] = ">"
		default:
			toks[i] = string(rune('a' + rng.IntN(3)))
		}
	}
	return strings.Join(toks, ".")
}

func randQueue(rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return "q1"
	case 1:
		return "q2"
	}
	return ""
}

func TestPropertyAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := New[int]()
	c := NewCache(x)
	entries := map[entry]bool{}
	var list []entry
	for step := range 20000 {
		switch op := rng.IntN(10); {
		case op < 4 || len(list) == 0:
			e := entry{randPattern(rng), randQueue(rng), rng.IntN(50)}
			if err := x.Insert(e.subject, e.queue, e.v); err != nil {
				t.Fatalf("Insert(%v): %v", e, err)
			}
			if !entries[e] {
				entries[e] = true
				list = append(list, e)
			}
		case op < 6 || len(list) > 300:
			i := rng.IntN(len(list))
			e := list[i]
			if err := x.Remove(e.subject, e.queue, e.v); err != nil {
				t.Fatalf("Remove(%v): %v", e, err)
			}
			delete(entries, e)
			list[i] = list[len(list)-1]
			list = list[:len(list)-1]
		case op < 7:
			e := entry{randPattern(rng), randQueue(rng), rng.IntN(50)}
			err := x.Remove(e.subject, e.queue, e.v)
			if entries[e] {
				if err != nil {
					t.Fatalf("Remove(%v): %v", e, err)
				}
				delete(entries, e)
				for i := range list {
					if list[i] == e {
						list[i] = list[len(list)-1]
						list = list[:len(list)-1]
						break
					}
				}
			} else if !errors.Is(err, ErrNotFound) {
				t.Fatalf("Remove(%v) of an absent entry = %v", e, err)
			}
		default:
			for range 5 {
				checkMatch(t, x, c, entries, randSubject(rng))
			}
		}
		if step%1000 == 0 && x.Count() != len(entries) {
			t.Fatalf("step %d: Count = %d, want %d", step, x.Count(), len(entries))
		}
	}
	for len(list) > 0 {
		e := list[len(list)-1]
		list = list[:len(list)-1]
		if err := x.Remove(e.subject, e.queue, e.v); err != nil {
			t.Fatalf("Remove(%v): %v", e, err)
		}
	}
	if x.Count() != 0 || !x.root.empty() {
		t.Fatalf("index not empty after removing everything: count %d", x.Count())
	}
}

func TestConcurrent(t *testing.T) {
	const (
		writers   = 4
		readers   = 4
		perWriter = 150
		stableN   = 40
	)
	iters := 3000
	if testing.Short() {
		iters = 500
	}
	x := New[int]()
	rng := rand.New(rand.NewPCG(3, 4))

	// Stable entries are present throughout; churn entries come and go.
	// Churn values are 1000+ so readers can tell them apart.
	stable := map[entry]bool{}
	for i := range stableN {
		e := entry{randPattern(rng), randQueue(rng), i}
		if err := x.Insert(e.subject, e.queue, e.v); err != nil {
			t.Fatal(err)
		}
		stable[e] = true
	}
	churn := make([][]entry, writers)
	universe := map[entry]bool{}
	for w := range churn {
		for i := range perWriter {
			e := entry{randPattern(rng), randQueue(rng), 1000 + w*perWriter + i}
			churn[w] = append(churn[w], e)
			universe[e] = true
		}
	}
	for e := range stable {
		universe[e] = true
	}

	var (
		wg   sync.WaitGroup
		stop = make(chan struct{})
		errc = make(chan string, writers+readers)
	)
	fail := func(format string, args ...any) {
		select {
		case errc <- strings.TrimSpace(fmt.Sprintf(format, args...)):
		default:
		}
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			c := NewCache(x)
			mine := churn[w]
			in := make([]bool, len(mine))
			for range iters {
				i := rng.IntN(len(mine))
				e := mine[i]
				// A subject the entry matches, to read our own write back.
				subj := strings.NewReplacer("*", "z", ">", "z.y").Replace(e.subject)
				if in[i] {
					if err := x.Remove(e.subject, e.queue, e.v); err != nil {
						fail("Remove(%v): %v", e, err)
						return
					}
				} else if err := x.Insert(e.subject, e.queue, e.v); err != nil {
					fail("Insert(%v): %v", e, err)
					return
				}
				in[i] = !in[i]
				if has(c.Match([]byte(subj)), e) != in[i] || has(x.Match([]byte(subj)), e) != in[i] {
					fail("after write of %v (present=%v), Match(%q) disagrees", e, in[i], subj)
					return
				}
			}
			for i, e := range mine { // leave half behind
				if in[i] && i%2 == 0 {
					if err := x.Remove(e.subject, e.queue, e.v); err != nil {
						fail("Remove(%v): %v", e, err)
					}
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	for r := range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			c := NewCache(x)
			for {
				select {
				case <-stop:
					return
				default:
				}
				subj := randSubject(rng)
				for _, res := range []*Result[int]{c.Match([]byte(subj)), x.Match([]byte(subj))} {
					if msg := checkBounds(res, stable, universe, subj); msg != "" {
						fail("%s", msg)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errc)
	for msg := range errc {
		t.Fatal(msg)
	}

	// Quiescent: the final state must match exactly, through fresh and old caches.
	final := map[entry]bool{}
	for e := range stable {
		final[e] = true
	}
	var live []entry
	for _, mine := range churn {
		for _, e := range mine {
			if err := x.Remove(e.subject, e.queue, e.v); err == nil {
				live = append(live, e)
			}
		}
	}
	for _, e := range live {
		if err := x.Insert(e.subject, e.queue, e.v); err != nil {
			t.Fatal(err)
		}
		final[e] = true
	}
	c := NewCache(x)
	for range 2000 {
		checkMatch(t, x, c, final, randSubject(rng))
	}
	if x.Count() != len(final) {
		t.Fatalf("Count = %d, want %d", x.Count(), len(final))
	}
}

// has reports whether r contains entry e.
func has(r *Result[int], e entry) bool {
	if e.queue == "" {
		for _, v := range r.Plain {
			if v == e.v {
				return true
			}
		}
		return false
	}
	for _, g := range r.Queues {
		if g.Name == e.queue {
			for _, v := range g.Members {
				if v == e.v {
					return true
				}
			}
		}
	}
	return false
}

// checkBounds checks a result taken while the index changes: it must contain
// every stable entry matching subj and only entries from universe matching
// subj. It returns a description of the first problem, or "".
func checkBounds(r *Result[int], stable, universe map[entry]bool, subj string) string {
	for e := range stable {
		if bruteMatch(e.subject, subj) && !has(r, e) {
			return fmt.Sprintf("Match(%q) lacks stable entry %v", subj, e)
		}
	}
	allowed := map[entry]bool{}
	for e := range universe {
		if bruteMatch(e.subject, subj) {
			allowed[e] = true
		}
	}
	check := func(queue string, vals []int) string {
		for _, v := range vals {
			found := false
			for e := range allowed {
				if e.queue == queue && e.v == v {
					found = true
					break
				}
			}
			if !found {
				return fmt.Sprintf("Match(%q) returned unexpected value %d (queue %q)", subj, v, queue)
			}
		}
		return ""
	}
	if msg := check("", r.Plain); msg != "" {
		return msg
	}
	for _, g := range r.Queues {
		if msg := check(g.Name, g.Members); msg != "" {
			return msg
		}
	}
	return ""
}
