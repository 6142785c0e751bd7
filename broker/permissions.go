package broker

import (
	"fmt"
	"strings"
	"time"

	"github.com/natsvisor/natsvisor/broker/sublist"
)

// permEntry is one allow or deny entry; the index holds pointers to it.
type permEntry struct{ subject, queue string }

// permList is a compiled allow or deny list.
type permList = sublist.Index[*permEntry]

// permSet is a compiled Permissions, shared by every connection of its
// users; immutable.
type permSet struct {
	pubAllow, pubDeny *permList // nil: no list
	subAllow, subDeny *permList
	subDenies         []string // the subscribe deny subjects, for the delivery filter
	resp              *ResponsePermission
}

func newPermSet(p *Permissions) *permSet {
	ps := &permSet{resp: p.Response}
	if p.Publish != nil {
		ps.pubAllow = compileList(p.Publish.Allow, false)
		ps.pubDeny = compileList(p.Publish.Deny, false)
	}
	if p.Subscribe != nil {
		ps.subAllow = compileList(p.Subscribe.Allow, true)
		ps.subDeny = compileList(p.Subscribe.Deny, true)
		for _, s := range p.Subscribe.Deny {
			ps.subDenies = append(ps.subDenies, strings.Fields(s)[0])
		}
	}
	return ps
}

// compileList indexes subjects; nil stays nil (no list), empty is a list
// that matches nothing.
func compileList(subjects []string, queues bool) *permList {
	if subjects == nil {
		return nil
	}
	l := sublist.New[*permEntry]()
	for _, s := range subjects {
		e := &permEntry{subject: s}
		if f := strings.Fields(s); queues && len(f) == 2 {
			e.subject, e.queue = f[0], f[1]
		}
		_ = l.Insert(e.subject, e.queue, e)
	}
	return l
}

// connPerms is one connection's permissions with its publish cache. The
// cache belongs to the read goroutine; a reload installs a new connPerms.
type connPerms struct {
	set    *permSet
	pcache map[string]bool
}

// maxPermCache bounds a connection's cache of publish decisions.
const maxPermCache = 128

// replyPerm is one reply subject a client may publish to (allow_responses).
type replyPerm struct {
	t time.Time
	n int
}

// setPerms installs ps (nil: no permissions) for the connection.
func (c *client) setPerms(ps *permSet) {
	if ps == nil {
		c.perms.Store(nil)
		return
	}
	c.perms.Store(&connPerms{set: ps, pcache: make(map[string]bool)})
}

// pubAllowed checks a publish on the read goroutine. Without publish
// permissions it costs one atomic load; with them a cache hit allocates
// nothing.
func (c *client) pubAllowed(subject []byte) bool {
	cp := c.perms.Load()
	if cp == nil || (cp.set.pubAllow == nil && cp.set.pubDeny == nil) {
		return true
	}
	if v, ok := cp.pcache[string(subject)]; ok {
		return v
	}
	allowed := cp.set.pubAllowedNoCache(subject)
	if !allowed && cp.set.resp != nil {
		c.mu.Lock()
		allowed = c.responseAllowed(cp.set.resp, string(subject))
		c.mu.Unlock()
		return allowed
	}
	if len(cp.pcache) >= maxPermCache {
		clear(cp.pcache)
	}
	cp.pcache[string(subject)] = allowed
	return allowed
}

func (ps *permSet) pubAllowedNoCache(subject []byte) bool {
	allowed := true
	if ps.pubAllow != nil {
		allowed = !ps.pubAllow.Match(subject).Empty()
	}
	if allowed && ps.pubDeny != nil {
		allowed = ps.pubDeny.Match(subject).Empty()
	}
	return allowed
}

// responseAllowed uses up one reply grant for subject (c.mu held).
func (c *client) responseAllowed(rp *ResponsePermission, subject string) bool {
	r := c.replies[subject]
	if r == nil {
		return false
	}
	r.n++
	if (rp.MaxMsgs > 0 && r.n > rp.MaxMsgs) || (rp.Expires > 0 && time.Since(r.t) > rp.Expires) {
		delete(c.replies, subject)
		return false
	}
	return true
}

// grantReply records, on delivery to dst (dst.mu held), that dst may answer
// on reply. Only for users with allow_responses.
func (dst *client) grantReply(reply []byte) {
	cp := dst.perms.Load()
	if cp == nil || cp.set.resp == nil {
		return
	}
	if dst.replies == nil {
		dst.replies = make(map[string]*replyPerm)
	}
	if r := dst.replies[string(reply)]; r != nil {
		r.t, r.n = time.Now(), 0
		return
	}
	dst.replies[string(reply)] = &replyPerm{t: time.Now()}
	if len(dst.replies) > 1024 {
		for k, r := range dst.replies {
			if time.Since(r.t) > cp.set.resp.Expires {
				delete(dst.replies, k)
			}
		}
	}
}

// canSubscribe applies the subscribe allow and deny lists as nats-server
// does: a queue entry ("subj queue") matches only that queue; deny wins.
func (ps *permSet) canSubscribe(subject, queue string) bool {
	allowed := true
	if ps.subAllow != nil {
		r := ps.subAllow.Match([]byte(subject))
		allowed = len(r.Plain) > 0
		if queue != "" && len(r.Queues) > 0 {
			allowed = queueMatches(queue, r.Queues)
		}
	}
	if allowed && ps.subDeny != nil {
		r := ps.subDeny.Match([]byte(subject))
		allowed = len(r.Plain) == 0
		if allowed && queue != "" && len(r.Queues) > 0 {
			allowed = !queueMatches(queue, r.Queues)
		}
	}
	return allowed
}

// queueMatches reports whether queue is one of the groups' names, a name
// being a literal or a wildcard pattern.
func queueMatches(queue string, groups []sublist.Group[*permEntry]) bool {
	for _, g := range groups {
		if queue == g.Name || (hasWildcard(g.Name) && subjectMatches(g.Name, queue)) {
			return true
		}
	}
	return false
}

// needsDenyFilter reports whether a permitted subscription can still see
// denied subjects: a wildcard or queue subscription overlapping a deny entry.
func (ps *permSet) needsDenyFilter(subject, queue string) bool {
	if queue == "" && !hasWildcard(subject) {
		return false
	}
	for _, d := range ps.subDenies {
		if subjectsCollide(d, subject) {
			return true
		}
	}
	return false
}

// deniedDelivery reports whether a message on subject must not reach sub,
// whose subscription matched it through a wildcard (dst.mu held).
func (dst *client) deniedDelivery(sub *subscription, subject []byte) bool {
	cp := dst.perms.Load()
	if cp == nil || cp.set.subDeny == nil {
		return false
	}
	r := cp.set.subDeny.Match(subject)
	if len(r.Plain) > 0 {
		return true
	}
	return sub.queue != "" && len(r.Queues) > 0 && queueMatches(sub.queue, r.Queues)
}

// checkSub is processSub's permission check: on refusal it sends the -ERR
// and logs, without closing.
func (c *client) checkSub(sub *subscription) bool {
	cp := c.perms.Load()
	if cp == nil {
		return true
	}
	if !cp.set.canSubscribe(sub.subject, sub.queue) {
		c.subPermissionViolation(sub)
		return false
	}
	sub.denyFilter = cp.set.needsDenyFilter(sub.subject, sub.queue)
	return true
}

func (c *client) subPermissionViolation(sub *subscription) {
	if sub.queue != "" {
		c.sendErr(fmt.Sprintf("Permissions Violation for Subscription to %q using queue %q", sub.subject, sub.queue))
		c.errorf("Subscription Violation - Subject %q, Queue: %q, SID %s", sub.subject, sub.queue, sub.sid)
		return
	}
	c.sendErr(fmt.Sprintf("Permissions Violation for Subscription to %q", sub.subject))
	c.errorf("Subscription Violation - Subject %q, SID %s", sub.subject, sub.sid)
}

func (c *client) pubPermissionViolation(subject []byte) {
	c.sendErr(fmt.Sprintf("Permissions Violation for Publish to %q", subject))
	c.errorf("Publish Violation - Subject %q", subject)
}

func hasWildcard(s string) bool {
	for tok := range strings.SplitSeq(s, ".") {
		if tok == "*" || tok == ">" {
			return true
		}
	}
	return false
}

// subjectMatches reports whether the literal subject matches pattern.
func subjectMatches(pattern, subject string) bool {
	p, s := strings.Split(pattern, "."), strings.Split(subject, ".")
	for i, t := range p {
		if t == ">" {
			return len(s) > i
		}
		if i >= len(s) || (t != "*" && t != s[i]) {
			return false
		}
	}
	return len(p) == len(s)
}

// subjectsCollide reports whether some literal subject matches both a and b.
func subjectsCollide(a, b string) bool {
	ta, tb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; ; i++ {
		switch {
		case i == len(ta) && i == len(tb):
			return true
		case i == len(ta) || i == len(tb):
			return false
		case ta[i] == ">" || tb[i] == ">":
			return true
		case ta[i] != "*" && tb[i] != "*" && ta[i] != tb[i]:
			return false
		}
	}
}

// checkSubTokens refuses a subscription with more tokens than
// max_sub_tokens allows, as a permissions violation; the connection stays.
func (c *client) checkSubTokens(sub *subscription) bool {
	limit := int(c.srv.Options().MaxSubTokens)
	if limit == 0 || strings.Count(sub.subject, ".")+1 <= limit {
		return true
	}
	c.sendErr(fmt.Sprintf("Permissions Violation for Subscription to %q, too many tokens", sub.subject))
	c.errorf("Subscription Violation Too Many Tokens - Subject %q, SID %s", sub.subject, sub.sid)
	return false
}
