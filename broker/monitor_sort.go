package broker

import (
	"cmp"
	"slices"
	"time"
)

// sortOpt is /connz's sort parameter.
type sortOpt string

// The sort options nats-server takes; all but cid, start, uptime and reason
// sort in descending order.
const (
	byCid      sortOpt = "cid"
	byStart    sortOpt = "start"
	bySubs     sortOpt = "subs"
	byPending  sortOpt = "pending"
	byOutMsgs  sortOpt = "msgs_to"
	byInMsgs   sortOpt = "msgs_from"
	byOutBytes sortOpt = "bytes_to"
	byInBytes  sortOpt = "bytes_from"
	byLast     sortOpt = "last"
	byIdle     sortOpt = "idle"
	byUptime   sortOpt = "uptime"
	byStop     sortOpt = "stop"
	byReason   sortOpt = "reason"
	byRTT      sortOpt = "rtt"
)

func (s sortOpt) valid() bool {
	switch s {
	case "", byCid, byStart, bySubs, byPending, byOutMsgs, byInMsgs, byOutBytes, byInBytes,
		byLast, byIdle, byUptime, byStop, byReason, byRTT:
		return true
	}
	return false
}

// sortConns orders conns by opt; ties keep cid order, so pages are stable.
func sortConns(conns []*connInfo, opt sortOpt, now time.Time) {
	up := func(ci *connInfo) time.Duration {
		if ci.Stop == nil {
			return now.Sub(ci.Start)
		}
		return ci.Stop.Sub(ci.Start)
	}
	var key func(a, b *connInfo) int
	switch opt {
	case bySubs:
		key = func(a, b *connInfo) int { return cmp.Compare(b.NumSubs, a.NumSubs) }
	case byPending:
		key = func(a, b *connInfo) int { return cmp.Compare(b.Pending, a.Pending) }
	case byOutMsgs:
		key = func(a, b *connInfo) int { return cmp.Compare(b.OutMsgs, a.OutMsgs) }
	case byInMsgs:
		key = func(a, b *connInfo) int { return cmp.Compare(b.InMsgs, a.InMsgs) }
	case byOutBytes:
		key = func(a, b *connInfo) int { return cmp.Compare(b.OutBytes, a.OutBytes) }
	case byInBytes:
		key = func(a, b *connInfo) int { return cmp.Compare(b.InBytes, a.InBytes) }
	case byLast:
		key = func(a, b *connInfo) int { return b.LastActivity.Compare(a.LastActivity) }
	case byIdle:
		key = func(a, b *connInfo) int { return cmp.Compare(now.Sub(b.LastActivity), now.Sub(a.LastActivity)) }
	case byUptime:
		key = func(a, b *connInfo) int { return cmp.Compare(up(a), up(b)) }
	case byStop:
		key = func(a, b *connInfo) int { return b.Stop.Compare(*a.Stop) }
	case byReason:
		key = func(a, b *connInfo) int { return cmp.Compare(a.Reason, b.Reason) }
	case byRTT:
		key = func(a, b *connInfo) int { return cmp.Compare(b.rtt, a.rtt) }
	}
	slices.SortStableFunc(conns, func(a, b *connInfo) int {
		if key != nil {
			if c := key(a, b); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Cid, b.Cid)
	})
}
