package broker

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/natsvisor/natsvisor/broker/sublist"
)

// subsz is /subsz's answer; the sublist statistics are inline, as
// nats-server embeds its SublistStats.
type subsz struct {
	ID           string      `json:"server_id"`
	Now          time.Time   `json:"now"`
	NumSubs      uint32      `json:"num_subscriptions"`
	NumCache     uint32      `json:"num_cache"`
	NumInserts   uint64      `json:"num_inserts"`
	NumRemoves   uint64      `json:"num_removes"`
	NumMatches   uint64      `json:"num_matches"`
	CacheHitRate float64     `json:"cache_hit_rate"`
	MaxFanout    uint32      `json:"max_fanout"`
	AvgFanout    float64     `json:"avg_fanout"`
	Total        int         `json:"total"`
	Offset       int         `json:"offset"`
	Limit        int         `json:"limit"`
	Subs         []subDetail `json:"subscriptions_list,omitempty"`
}

func (s *Server) handleSubsz(w http.ResponseWriter, r *http.Request) {
	s.countRequest(subszPath)
	subs, err := decodeBool(w, r, "subs")
	if err != nil {
		return
	}
	offset, err := decodeInt(w, r, "offset")
	if err != nil {
		return
	}
	limit, err := decodeInt(w, r, "limit")
	if err != nil {
		return
	}
	sz, err := s.subsz(subs, offset, limit, r.URL.Query().Get("test"), r.URL.Query().Get("acc"))
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	s.writeJSON(w, http.StatusOK, sz)
}

// subsz builds /subsz as nats-server's Subsz does: the list (with subs) is
// filtered by test, a literal subject, and paged by offset and limit.
func (s *Server) subsz(details bool, offset, limit int, test, acc string) (*subsz, error) {
	offset = max(offset, 0)
	if limit <= 0 {
		limit = defaultConnListSize
	}
	if test != "" && !sublist.ValidLiteralSubject([]byte(test)) {
		return nil, fmt.Errorf("invalid test subject, must be valid publish subject: %s", test)
	}
	sz := &subsz{ID: s.id, Now: time.Now().UTC(), Offset: offset, Limit: limit}
	if acc != "" && acc != globalAccountName {
		return sz, nil
	}
	st := s.subs.Stats()
	sz.NumSubs, sz.NumCache = uint32(st.Subs), uint32(st.Cached)
	sz.NumInserts, sz.NumRemoves, sz.NumMatches = st.Inserts, st.Removes, st.Matches
	if st.Matches > 0 {
		sz.CacheHitRate = float64(st.CacheHits) / float64(st.Matches)
	}
	sz.MaxFanout = uint32(st.MaxFanout)
	if st.TotalFanout > 0 {
		sz.AvgFanout = float64(st.TotalFanout) / float64(st.Cached)
	}
	if !details {
		return sz, nil
	}
	var tr *sublist.Result[*subscription]
	if test != "" {
		tr = s.subs.Match([]byte(test))
	}
	entries := s.subs.All(nil)
	list := make([]subDetail, 0, len(entries))
	for _, e := range entries {
		sub := e.Value
		if tr != nil && !resultHas(tr, sub) {
			continue
		}
		sub.client.mu.Lock()
		d := newSubDetail(sub)
		sub.client.mu.Unlock()
		d.Account, d.AccountTag = globalAccountName, globalAccountName
		list = append(list, d)
	}
	// In the index's order, as nats-server lists them: depth first, at
	// each level the literal tokens, then *, then >.
	sz.Total = len(list)
	lo := min(offset, len(list))
	hi := lo + min(limit, len(list)-lo)
	sz.Subs = list[lo:hi]
	return sz, nil
}

// resultHas reports whether a match result delivers to sub.
func resultHas(r *sublist.Result[*subscription], sub *subscription) bool {
	if slices.Contains(r.Plain, sub) {
		return true
	}
	for _, g := range r.Queues {
		if slices.Contains(g.Members, sub) {
			return true
		}
	}
	return false
}
