package instance

import (
	"fmt"
	"net"
	"strings"

	"github.com/natsvisor/natsvisor/broker"
)

// Listener is one TCP port an instance listens on.
type Listener struct {
	// Kind names the listener: "client", or "monitor" for the HTTP
	// monitoring port (-m, http_port).
	Kind string `json:"kind"`
	// Host is the bind address; "0.0.0.0" or "::" mean every address.
	Host string `json:"host"`
	// Port is the resolved port: 0 became the default, and
	// broker.RandomPort (-1) means the OS picks a free one at start.
	Port int `json:"port"`
	// TLS is true for a listener that speaks TLS from the start: the
	// monitor on an https port (-ms, https_port).
	TLS bool `json:"tls,omitempty"`
}

// Listeners returns the ports the instance's options ask for. It fails
// when the options cannot be read (see Options).
func (i *Instance) Listeners() ([]Listener, error) {
	opts, err := i.Options()
	if opts == nil {
		return nil, err
	}
	return listeners(opts), nil
}

// listeners lists opts' listeners with defaults resolved, as the broker
// would bind them.
func listeners(opts *broker.Options) []Listener {
	host, port := opts.Host, opts.Port
	if host == "" {
		host = broker.DefaultHost
	}
	if port == 0 {
		port = broker.DefaultPort
	}
	ls := []Listener{{Kind: "client", Host: host, Port: port}}
	mhost := opts.HTTPHost
	if mhost == "" {
		mhost = host
	}
	switch {
	case opts.HTTPPort != 0:
		ls = append(ls, Listener{Kind: "monitor", Host: mhost, Port: opts.HTTPPort})
	case opts.HTTPSPort != 0:
		ls = append(ls, Listener{Kind: "monitor", Host: mhost, Port: opts.HTTPSPort, TLS: true})
	}
	return ls
}

// clashes reports whether two listeners would bind the same port: equal
// ports (not random) on addresses that overlap.
func (l Listener) clashes(o Listener) bool {
	return l.Port > 0 && l.Port == o.Port && hostsOverlap(l.Host, o.Host)
}

// hostsOverlap is true unless both hosts are distinct specific IPs: a
// wildcard overlaps everything, and a host name may resolve to anything.
func hostsOverlap(a, b string) bool {
	ipa, ipb := net.ParseIP(strings.Trim(a, "[]")), net.ParseIP(strings.Trim(b, "[]"))
	if ipa == nil || ipb == nil || ipa.IsUnspecified() || ipb.IsUnspecified() {
		return true
	}
	return ipa.Equal(ipb)
}

// CheckPorts refuses inst when one of its ports is already used by another
// registered instance (one with another name). Instances whose options
// cannot be read are skipped: their ports are unknown. The error wraps
// ErrPortInUse and names both instances and the port.
func (r *Registry) CheckPorts(inst *Instance) error {
	mine, err := inst.Listeners()
	if err != nil && mine == nil {
		return err
	}
	others, err := r.List()
	if err != nil {
		return err
	}
	for _, other := range others {
		if strings.EqualFold(other.Name, inst.Name) {
			continue
		}
		theirs, _ := other.Listeners()
		for _, m := range mine {
			for _, t := range theirs {
				if m.clashes(t) {
					return fmt.Errorf("instance %q: %w: %s port %d is instance %q's (%s %s:%d); choose another port (-p, or port in the config file)",
						inst.Name, ErrPortInUse, m.Kind, m.Port, other.Name, t.Kind, t.Host, t.Port)
				}
			}
		}
	}
	return nil
}
