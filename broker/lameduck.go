package broker

import (
	"math/rand/v2"
	"time"
)

// LameDuck puts the server in lame duck mode, as nats-server does on
// SIGUSR2, and returns at once; Done is closed when it has finished:
//
//  1. the client listener closes (new dials are refused);
//  2. protocol-1 clients past their first PONG get INFO with "ldm":true,
//     so they reconnect elsewhere;
//  3. after lame_duck_grace_period the remaining clients are closed in a
//     random order, spread over the rest of lame_duck_duration (at most one
//     second apart);
//  4. then the server shuts down.
//
// With no clients connected it shuts down at once. A second call, or one
// during Shutdown, does nothing. Shutdown during lame duck stops it.
func (s *Server) LameDuck() {
	s.mu.Lock()
	if s.closed || s.ldm || s.ln == nil {
		s.mu.Unlock()
		return
	}
	s.ldm = true
	ln := s.ln
	s.mu.Unlock()
	s.logger().Noticef("Entering lame duck mode, stop accepting new clients")
	_ = ln.Close()
	go s.lameDuck()
}

// InLameDuck reports whether lame duck mode has begun.
func (s *Server) InLameDuck() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ldm
}

// lameDuck runs steps 2-4 of LameDuck.
func (s *Server) lameDuck() {
	o := s.Options()
	grace := o.LameDuckGracePeriod
	s.mu.Lock()
	clients := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()
	if len(clients) == 0 {
		s.Shutdown()
		return
	}
	rand.Shuffle(len(clients), func(i, j int) { clients[i], clients[j] = clients[j], clients[i] })
	s.sendLDMInfo(clients)

	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.quit:
		return
	}
	s.logger().Noticef("Closing existing clients")
	gap, batch := closeSpacing(o.LameDuckDuration-grace, len(clients))
	for i, c := range clients {
		c.closeConnection(reasonServerShutdown, false)
		if i == len(clients)-1 || (batch > 1 && i%batch != 0) {
			continue
		}
		d := gap/2 + time.Duration(rand.Int64N(int64(gap/2)+1))
		t.Reset(d)
		select {
		case <-t.C:
		case <-s.quit:
			return
		}
	}
	s.Shutdown()
}

// closeSpacing spreads n closes over d: the gap between closes (at most a
// second) and, when n exceeds d in nanoseconds, how many close per gap.
func closeSpacing(d time.Duration, n int) (time.Duration, int) {
	if d <= 0 {
		d = time.Second
	}
	gap := d / time.Duration(n)
	switch {
	case gap < 1:
		return 1, n / int(d)
	case gap > time.Second:
		return time.Second, 1
	}
	return gap, 1
}

// sendLDMInfo tells protocol-1 clients that finished their handshake (CONNECT
// and a first PING) that this server is going away.
func (s *Server) sendLDMInfo(clients []*client) {
	for _, c := range clients {
		c.mu.Lock()
		ok := c.firstPongSent && c.protocol >= 1 && !c.closed
		c.mu.Unlock()
		if !ok {
			continue
		}
		info := s.baseInfo()
		info.CID, info.ClientIP, info.LameDuckMode = c.cid, c.host, true
		c.mu.Lock()
		c.queueLocked(infoProto(&info))
		c.mu.Unlock()
		c.signalFlush()
	}
}
