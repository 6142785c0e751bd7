package sublist

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// bruteValid is the reference for ValidSubject.
func bruteValid(s string) bool {
	toks := strings.Split(s, ".")
	for i, t := range toks {
		if t == "" || strings.ContainsAny(t, " \t\r\n\f") || (t == ">" && i != len(toks)-1) {
			return false
		}
	}
	return true
}

// bruteValidLiteral is the reference for ValidLiteralSubject.
func bruteValidLiteral(s string) bool {
	toks := strings.Split(s, ".")
	return !slices.Contains(toks, "") && !slices.Contains(toks, "*") && !slices.Contains(toks, ">")
}

// FuzzMatch inserts the subscriptions listed in subs (one per line, as
// "subject" or "subject queue"), matches subject through the index and a
// cache, removes every other entry and matches again, comparing each result
// with the brute-force matcher.
func FuzzMatch(f *testing.F) {
	f.Add("foo.*\nfoo.>\n>\nfoo.bar q", "foo.bar")
	f.Add("foo.>\n*.bar\nfoo.bar", "foo.>")
	f.Add("foo.*\n>", "foo..bar")
	f.Add("a.*.c q\na.b.c q\na.> r\n*.*.* r", "a.b.c")
	f.Add("café.*\nfoo*\nfoo.*bar", "café.x")
	f.Add("foo.>.bar\n.a\na.\n", ".")
	f.Fuzz(func(t *testing.T, subs, subject string) {
		if got, want := ValidLiteralSubject([]byte(subject)), bruteValidLiteral(subject); got != want {
			t.Fatalf("ValidLiteralSubject(%q) = %v, want %v", subject, got, want)
		}
		x := New[int]()
		c := NewCache(x)
		entries := map[entry]bool{}
		var list []entry
		for i, line := range strings.Split(subs, "\n") {
			s, q, _ := strings.Cut(line, " ")
			e := entry{s, q, i % 5}
			err := x.Insert(e.subject, e.queue, e.v)
			if valid := bruteValid(s); ValidSubject(s) != valid {
				t.Fatalf("ValidSubject(%q) = %v, want %v", s, !valid, valid)
			} else if !valid {
				if !errors.Is(err, ErrInvalidSubject) {
					t.Fatalf("Insert(%q) = %v, want ErrInvalidSubject", s, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("Insert(%v): %v", e, err)
			}
			if got, want := patternMatches(s, subject), bruteMatch(s, subject); got != want {
				t.Fatalf("patternMatches(%q, %q) = %v, want %v", s, subject, got, want)
			}
			if !entries[e] {
				entries[e] = true
				list = append(list, e)
			}
		}
		if x.Count() != len(entries) {
			t.Fatalf("Count = %d, want %d", x.Count(), len(entries))
		}
		checkMatch(t, x, c, entries, subject)
		checkMatch(t, x, c, entries, subject)
		for i := 0; i < len(list); i += 2 {
			if err := x.Remove(list[i].subject, list[i].queue, list[i].v); err != nil {
				t.Fatalf("Remove(%v): %v", list[i], err)
			}
			delete(entries, list[i])
		}
		checkMatch(t, x, c, entries, subject)
		checkMatch(t, x, c, entries, subject)
	})
}
