package broker

import (
	"reflect"
	"testing"
)

func TestParseDN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want distName
		err  bool
	}{
		{in: "CN=dave,O=Acme", want: distName{{{"CN", "dave"}}, {{"O", "Acme"}}}},
		{in: "  cn = dave ,  o=Acme  ", want: distName{{{"cn", "dave"}}, {{"o", "Acme"}}}},
		{in: `CN=a\,b\20,O=x\2Cy`, want: distName{{{"CN", "a,b "}}, {{"O", "x,y"}}}},
		{in: "CN=a+UID=1,O=b", want: distName{{{"CN", "a"}, {"UID", "1"}}, {{"O", "b"}}}},
		{in: "CN=a,O=", want: distName{{{"CN", "a"}}}}, // a type without a value is dropped
		{in: "", want: nil},
		{in: "alice", err: true},
		{in: ",CN=a", err: true},
		{in: "CN=#0403", err: true},
		{in: `CN=a\zz`, err: true},
		{in: `CN=a\4`, err: true},
	} {
		got, err := parseDN(tc.in)
		if (err != nil) != tc.err || (!tc.err && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("parseDN(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
	a, _ := parseDN("CN=a+UID=1,O=b")
	b, _ := parseDN("o=b,uid=1+cn=a")
	if a.equal(b) || !a.sameRDNs(b) {
		t.Errorf("%v against %v: equal %v, same RDNs %v", a, b, a.equal(b), a.sameRDNs(b))
	}
}
