package broker

import (
	"testing"
)

// permRig is a hot rig whose publisher has publish permissions and whose
// subscriber holds a wildcard subscription filtered by a deny entry.
func permRig(tb testing.TB) *hotRig {
	tb.Helper()
	s := hotServer(tb)
	pub := hotClient(tb, s, "")
	pub.setPerms(newPermSet(&Permissions{Publish: &SubjectPermission{Allow: []string{"foo.>"}, Deny: []string{"foo.secret"}}}))
	sub := hotClient(tb, s, "")
	sub.setPerms(newPermSet(&Permissions{Subscribe: &SubjectPermission{Allow: []string{">"}, Deny: []string{"foo.secret"}}}))
	hotParse(tb, sub, []byte("SUB foo.* 1\r\n"))
	return &hotRig{pub: pub, subs: []*client{sub}}
}

// With permissions in place the hot path still allocates nothing once the
// publisher's permission cache holds the subject.
func TestHotPathAllocsWithPermissions(t *testing.T) {
	r := permRig(t)
	msg := []byte(hotMsg)
	r.batch(t, msg)
	if got := string(hotQueued(r.subs[0])); got != "" {
		t.Fatalf("batch left %q queued", got)
	}
	hotParse(t, r.pub, msg)
	if got := string(hotQueued(r.subs[0])); got != "MSG foo.bar 1 16\r\n0123456789abcdef\r\n" {
		t.Fatalf("subscriber got %q", got)
	}
	hotDiscard(r.subs[0])
	// A denied subject is filtered at delivery; the publisher may send it.
	hotParse(t, r.pub, []byte("PUB foo.secret 1\r\nx\r\n"))
	if got := string(hotQueued(r.pub)); got != `-ERR 'Permissions Violation for Publish to "foo.secret"'`+"\r\n" {
		t.Fatalf("publisher got %q", got)
	}
	hotDiscard(r.pub)
	// From a publisher without permissions, the denied subject is filtered
	// at delivery to the wildcard subscription.
	free := hotClient(t, r.pub.srv, "")
	hotParse(t, free, []byte("PUB foo.secret 1\r\nx\r\nPUB foo.open 1\r\ny\r\n"))
	if got := string(hotQueued(r.subs[0])); got != "MSG foo.open 1 1\r\ny\r\n" {
		t.Fatalf("subscriber got %q", got)
	}
	hotDiscard(r.subs[0])
	for range 10 {
		r.batch(t, msg)
	}
	allocs := testing.AllocsPerRun(1000, func() { r.batch(t, msg) })
	if hotRaceEnabled() {
		t.Skipf("%v allocs/run; not checked under the race detector", allocs)
	}
	if allocs > 0 {
		t.Fatalf("%v allocations per message with permissions", allocs)
	}
}

func BenchmarkParseDeliverPermissions(b *testing.B) {
	r := permRig(b)
	msg := []byte(hotMsg)
	b.ReportAllocs()
	for b.Loop() {
		r.batch(b, msg)
	}
}

func TestSubjectsCollide(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"foo.bar", "foo.*", true}, {"foo.bar", "foo.>", true}, {"foo.bar", "bar.*", false},
		{"foo.*.baz", "foo.bar.*", true}, {"foo", "foo.>", false}, {"foo.>", "*", false}, {"*.*", "a.>", true},
	} {
		if got := subjectsCollide(tc.a, tc.b); got != tc.want {
			t.Errorf("subjectsCollide(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
