package broker

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// defaultConnListSize is /connz's and /subsz's default limit.
const defaultConnListSize = 1024

// globalAccount is the one account every client is in.
const globalAccountName = "$G"

// monInfo is what /connz shows of a connection beyond its counters; the
// fields are guarded by the client's mu.
type monInfo struct {
	name, lang, version string
	authUser            string      // as nats-server's getRawAuthUser
	subs                []subDetail // the subscriptions when the connection closed
}

// subDetail is one subscription in /connz (subs=detail) and /subsz.
type subDetail struct {
	Account    string `json:"account,omitempty"`
	AccountTag string `json:"account_tag,omitempty"`
	Subject    string `json:"subject"`
	Queue      string `json:"qgroup,omitempty"`
	Sid        string `json:"sid"`
	Msgs       int64  `json:"msgs"`
	Max        int64  `json:"max,omitempty"`
	Cid        uint64 `json:"cid"`
}

// newSubDetail describes sub; its client's mu is held.
func newSubDetail(sub *subscription) subDetail {
	return subDetail{Subject: sub.subject, Queue: sub.queue, Sid: sub.sid, Msgs: sub.nm, Max: sub.max, Cid: sub.client.cid}
}

// closedSubs keeps a closing connection's subscriptions for /connz, in sid
// order; the client's mu is held.
func closedSubs(subs map[string]*subscription) []subDetail {
	if len(subs) == 0 {
		return nil
	}
	out := make([]subDetail, 0, len(subs))
	for _, sub := range subs {
		d := newSubDetail(sub)
		d.Account, d.AccountTag = globalAccountName, globalAccountName // as nats-server keeps them
		out = append(out, d)
	}
	sortSubDetails(out)
	return out
}

func sortSubDetails(d []subDetail) {
	slices.SortFunc(d, func(a, b subDetail) int { return compareSids(a.Sid, b.Sid) })
}

// compareSids puts numeric sids in numeric order.
func compareSids(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// rawAuthUser is the user /connz?auth=1 shows, as nats-server picks it.
func rawAuthUser(o *connectOpts) string {
	switch {
	case o.Nkey != "":
		return o.Nkey
	case o.User != "":
		return o.User
	case o.Token != "":
		return "[REDACTED]"
	}
	return ""
}

// closedRing keeps the last max_closed_clients closed connections. It holds
// the client itself: its counters are final once its read goroutine ends,
// and /connz reads them under the client's mu like an open one's.
type closedRing struct {
	mu    sync.Mutex
	buf   []*client
	next  int // where the next one goes
	total int // ever added, for the order
}

func (r *closedRing) add(c *client) {
	limit := c.srv.Options().MaxClosedClients
	if limit <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) != limit {
		// First use, or max_closed_clients changed: keep the newest.
		old := r.listLocked()
		r.buf = make([]*client, limit)
		r.next = 0
		for _, oc := range old[max(len(old)-limit, 0):] {
			r.buf[r.next] = oc
			r.next = (r.next + 1) % limit
		}
	}
	r.buf[r.next] = c
	r.next = (r.next + 1) % len(r.buf)
	r.total++
}

// list returns the kept connections, oldest first.
func (r *closedRing) list() []*client {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.listLocked()
}

func (r *closedRing) listLocked() []*client {
	out := make([]*client, 0, len(r.buf))
	for i := range r.buf {
		if c := r.buf[(r.next+i)%len(r.buf)]; c != nil {
			out = append(out, c)
		}
	}
	return out
}

// connInfo is one connection in /connz, nats-server's ConnInfo fields in
// its order.
type connInfo struct {
	Cid            uint64      `json:"cid"`
	Kind           string      `json:"kind,omitempty"`
	Type           string      `json:"type,omitempty"`
	IP             string      `json:"ip"`
	Port           int         `json:"port"`
	Start          time.Time   `json:"start"`
	LastActivity   time.Time   `json:"last_activity"`
	Stop           *time.Time  `json:"stop,omitempty"`
	Reason         string      `json:"reason,omitempty"`
	RTT            string      `json:"rtt,omitempty"`
	Uptime         string      `json:"uptime"`
	Idle           string      `json:"idle"`
	Pending        int         `json:"pending_bytes"`
	InMsgs         int64       `json:"in_msgs"`
	OutMsgs        int64       `json:"out_msgs"`
	InBytes        int64       `json:"in_bytes"`
	OutBytes       int64       `json:"out_bytes"`
	Stalls         int64       `json:"stalls,omitempty"`
	NumSubs        uint32      `json:"subscriptions"`
	Name           string      `json:"name,omitempty"`
	Lang           string      `json:"lang,omitempty"`
	Version        string      `json:"version,omitempty"`
	TLSVersion     string      `json:"tls_version,omitempty"`
	TLSCipher      string      `json:"tls_cipher_suite,omitempty"`
	TLSPeerCerts   []peerCert  `json:"tls_peer_certs,omitempty"`
	TLSFirst       bool        `json:"tls_first,omitempty"`
	AuthorizedUser string      `json:"authorized_user,omitempty"`
	Account        string      `json:"account,omitempty"`
	Subs           []string    `json:"subscriptions_list,omitempty"`
	SubsDetail     []subDetail `json:"subscriptions_list_detail,omitempty"`
	NameTag        string      `json:"name_tag,omitempty"`

	rtt time.Duration // for sorting
}

// connz is /connz's answer.
type connz struct {
	ID       string      `json:"server_id"`
	Now      time.Time   `json:"now"`
	NumConns int         `json:"num_connections"`
	Total    int         `json:"total"`
	Offset   int         `json:"offset"`
	Limit    int         `json:"limit"`
	Conns    []*connInfo `json:"connections"`
}

// connState selects open, closed or all connections.
type connState int

const (
	connOpen connState = iota
	connClosed
	connAll
)

// connzOptions are /connz's query parameters.
type connzOptions struct {
	sort          sortOpt
	auth          bool
	subs, subsDet bool
	offset, limit int
	cid           uint64
	state         connState
	user, acc     string
}

// fill describes c as of now; c.mu is held. A closed connection is
// described as of its close.
func (ci *connInfo) fill(c *client, now time.Time, o *connzOptions) {
	if c.closed && !c.stop.IsZero() {
		now = c.stop
		stop := c.stop.UTC()
		ci.Stop, ci.Reason = &stop, c.reason.String()
	}
	ci.Cid, ci.Kind, ci.Type = c.cid, "Client", "nats"
	ci.IP, ci.Port = c.host, c.port
	last := c.last
	if c.lastOut.After(last) {
		last = c.lastOut
	}
	ci.Start, ci.LastActivity = c.start.UTC(), last.UTC()
	ci.rtt = monitorRTT(c.rtt)
	ci.RTT = ci.rtt.String()
	ci.Uptime, ci.Idle = uptime(now.Sub(c.start)), uptime(now.Sub(last))
	if !c.closed {
		ci.Pending = c.out.size + c.inFlight
	}
	ci.Stalls = c.stalls
	ci.InMsgs, ci.InBytes = c.inStats.msgs, c.inStats.bytes
	ci.OutMsgs, ci.OutBytes = c.outStats.msgs, c.outStats.bytes
	ci.Name, ci.Lang, ci.Version = c.connInfo.name, c.connInfo.lang, c.connInfo.version
	var subs []subDetail
	if c.closed {
		subs = c.connInfo.subs
	} else if o.subs || o.subsDet {
		subs = make([]subDetail, 0, len(c.subs))
		for _, sub := range c.subs {
			subs = append(subs, newSubDetail(sub))
		}
		sortSubDetails(subs)
	}
	if c.closed {
		ci.NumSubs = uint32(len(subs))
	} else {
		ci.NumSubs = uint32(len(c.subs))
	}
	switch {
	case o.subsDet && len(subs) > 0:
		ci.SubsDetail = subs
	case o.subs && len(subs) > 0:
		ci.Subs = make([]string, len(subs))
		for i := range subs {
			ci.Subs[i] = subs[i].Subject
		}
	}
	if cs := c.tlsState; cs != nil && !c.closed {
		// As nats-server: the TLS of an open connection only, its peer
		// certificates with auth.
		ci.TLSVersion, ci.TLSCipher = tlsVersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite)
		if o.auth {
			ci.TLSPeerCerts = peerCerts(cs.PeerCertificates)
		}
		ci.TLSFirst = c.tlsFirst
	}
	if o.auth {
		// nats-server shows the account's name tag for an open connection
		// only; a closed one in $G has neither account nor tag.
		ci.AuthorizedUser = c.connInfo.authUser
		if !c.closed {
			ci.NameTag = globalAccountName
		}
	}
}

// monitorRTT rounds an RTT as nats-server shows it: to microseconds below
// a millisecond.
func monitorRTT(d time.Duration) time.Duration {
	if d > time.Microsecond && d < time.Millisecond {
		return d.Truncate(time.Microsecond)
	}
	return d
}

func (s *Server) handleConnz(w http.ResponseWriter, r *http.Request) {
	var o connzOptions
	var err error
	o.sort = sortOpt(r.URL.Query().Get("sort"))
	if o.auth, err = decodeBool(w, r, "auth"); err != nil {
		return
	}
	if o.subs, o.subsDet, err = decodeSubs(w, r); err != nil {
		return
	}
	if o.offset, err = decodeInt(w, r, "offset"); err != nil {
		return
	}
	if o.limit, err = decodeInt(w, r, "limit"); err != nil {
		return
	}
	if o.cid, err = decodeUint64(w, r, "cid"); err != nil {
		return
	}
	switch st := r.URL.Query().Get("state"); strings.ToLower(st) {
	case "", "open":
		o.state = connOpen
	case "closed":
		o.state = connClosed
	case "any", "all":
		o.state = connAll
	default:
		badRequest(w, fmt.Sprintf("Error decoding state for %s", st))
		return
	}
	o.user, o.acc = r.URL.Query().Get("user"), r.URL.Query().Get("acc")
	s.countRequest(connzPath)
	cz, err := s.connz(&o)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	s.writeJSON(w, http.StatusOK, cz)
}

// connz builds /connz for o, as nats-server's Connz does.
func (s *Server) connz(o *connzOptions) (*connz, error) {
	if o.sort == "" {
		o.sort = byCid
	}
	if !o.sort.valid() {
		return nil, fmt.Errorf("invalid sorting option: %s", o.sort)
	}
	o.offset = max(o.offset, 0)
	if o.limit <= 0 {
		o.limit = defaultConnListSize
	}
	if (o.sort == byStop || o.sort == byReason) && o.state != connClosed {
		return nil, fmt.Errorf("sort by %s only valid on closed connections", o.sort)
	}
	if o.cid > 0 {
		o.limit = 1
	}
	cz := &connz{Offset: o.offset, Limit: o.limit, Now: time.Now().UTC()}
	if o.acc != "" && o.acc != globalAccountName {
		return cz, nil // no such account
	}
	cz.ID = s.id

	// Total counts the connections before the cid and user filters, as
	// nats-server's does.
	var open, closed []*client
	if o.state != connClosed {
		s.mu.Lock()
		cz.Total = len(s.clients)
		for _, c := range s.clients {
			if o.cid == 0 || c.cid == o.cid {
				open = append(open, c)
			}
		}
		s.mu.Unlock()
	}
	if o.state != connOpen {
		all := s.closedConns.list()
		cz.Total += len(all)
		for _, c := range all {
			if o.cid == 0 || (c.cid == o.cid && len(open) == 0) {
				closed = append(closed, c)
			}
		}
		if o.cid > 0 && len(closed) > 1 {
			closed = closed[:1]
		}
	}
	conns := make([]*connInfo, 0, len(open)+len(closed))
	for _, c := range append(open, closed...) {
		ci := &connInfo{}
		c.mu.Lock()
		ci.fill(c, cz.Now, o)
		user := c.connInfo.authUser
		c.mu.Unlock()
		if o.user != "" && user != o.user {
			continue
		}
		conns = append(conns, ci)
	}
	sortConns(conns, o.sort, cz.Now)
	lo := min(o.offset, len(conns))
	hi := lo + min(o.limit, len(conns)-lo)
	cz.Conns = conns[lo:hi]
	cz.NumConns = len(cz.Conns)
	return cz, nil
}
