package broker

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"time"
)

// Start opens the client listener, logs the start-up lines nats-server logs
// and begins accepting. It returns once the listener accepts connections, or
// with the error that prevented it. Start may be called once.
func (s *Server) Start() error {
	o := s.Options()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	if s.started {
		s.mu.Unlock()
		return errors.New("broker: server already started")
	}
	s.started = true
	s.mu.Unlock()

	s.logger().Noticef("Starting nats-server")
	s.logger().Noticef("  Version:  %s", Version)
	s.logger().Noticef("  Git:      [not set]")
	s.logger().Debugf("  Go build: %s", runtime.Version())
	s.logger().Noticef("  Name:     %s", s.name)
	s.logger().Noticef("  ID:       %s", s.id)
	s.warnPlaintextPasswords()
	if o.ConfigFile != "" {
		s.logger().Noticef("Using configuration file: %s (%s)", o.ConfigFile, o.configDigest)
	}
	if o.PidFile != "" {
		if err := writePidFile(o.PidFile); err != nil {
			return fmt.Errorf("could not write pidfile: %w", err)
		}
	}
	if err := s.startMonitoring(o); err != nil {
		return err
	}
	port := o.Port
	if port == RandomPort {
		port = 0
	}
	hp := net.JoinHostPort(o.Host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", hp)
	if err != nil {
		s.stopMonitoring()
		return fmt.Errorf("error listening on port: %s, %q", hp, err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.ln = ln
	s.mu.Unlock()
	s.logger().Noticef("Listening for client connections on %s", net.JoinHostPort(o.Host, strconv.Itoa(s.port)))
	s.logTLSMode(o)
	s.logNonLocalIPs(o)
	s.wg.Add(1)
	go s.acceptLoop(ln)
	s.writePortsFile(o.PortsFileDir)
	s.logger().Noticef("Server is ready")
	close(s.ready)
	return nil
}

// acceptLoop accepts clients until the listener closes. Temporary errors
// (out of file descriptors, say) back off instead of spinning.
func (s *Server) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	delay := 10 * time.Millisecond
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() || errors.Is(err, net.ErrClosed) {
				if !s.InLameDuck() { // lame duck closed it: nats-server says nothing
					s.logger().Debugf("Client accept loop exiting..")
				}
				return
			}
			s.logAcceptError(err, delay)
			time.Sleep(delay)
			delay = min(delay*2, time.Second)
			continue
		}
		delay = 10 * time.Millisecond
		s.createClient(nc)
	}
}

// logAcceptError words a failed accept as nats-server does.
func (s *Server) logAcceptError(err error, delay time.Duration) {
	var te interface{ Temporary() bool }
	if errors.As(err, &te) && te.Temporary() {
		s.logger().Errorf("Temporary Client Accept Error(%v), sleeping %dms", err, delay.Milliseconds())
		return
	}
	s.logger().Errorf("Client Accept error: %v", err)
}

// createClient sends INFO and starts the connection's goroutines; past
// max_connections the client gets INFO and then -ERR and is closed.
func (s *Server) createClient(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c := newClient(s, nc, s.cids.Add(1))
	info := s.baseInfo()
	info.CID, info.ClientIP = c.cid, c.host
	tp := c.prepareConn(&info) // with TLS, INFO went out in clear (or waits for the handshake)
	if tp == nil {
		c.out.write(infoProto(&info))
	}

	o := s.Options()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	full := o.MaxConn < 0 || len(s.clients) >= o.MaxConn
	if !full {
		c.startTLS(tp) // before anyone else can see c.nc; past the limit the -ERR goes in clear
		s.clients[c.cid] = c
		s.totalConns.Add(1)
	}
	s.wg.Add(2)
	s.mu.Unlock()

	go func() { defer s.wg.Done(); c.writeLoop() }()
	if full {
		// As nats-server: created, refused, and the error logged at most
		// once a second.
		c.debugf("Client connection created")
		if c.tracing() {
			c.traceOut("-ERR", []byte(errMaxConnections))
		}
		c.out.write([]byte("-ERR '" + errMaxConnections + "'\r\n"))
		if s.rateLimit.allow(errMaxConnections) {
			c.errorf("%s", errMaxConnections)
		}
		c.closeConnection(reasonMaxConnections, true)
		s.wg.Done()
		return
	}
	c.mu.Lock()
	c.setPingTimerLocked(o.PingInterval)
	c.mu.Unlock()
	c.signalFlush()
	c.debugf("Client connection created")
	go func() { defer s.wg.Done(); c.readLoop() }()
}

// removeClient forgets a closed connection.
func (s *Server) removeClient(c *client) {
	s.mu.Lock()
	if _, ok := s.clients[c.cid]; ok {
		delete(s.clients, c.cid)
		c.mu.Lock() // closed: its out counters are final
		s.closedOut.msgs += c.outStats.msgs
		s.closedOut.bytes += c.outStats.bytes
		c.mu.Unlock()
	}
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Shutdown closes the listener and every connection, waits for their
// goroutines to end and closes Done. It is safe to call more than once and
// before Start.
func (s *Server) Shutdown() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return
	}
	s.closed = true
	close(s.quit)
	ln := s.ln
	clients := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()

	s.logger().Noticef("Initiating Shutdown...")
	if ln != nil {
		_ = ln.Close()
	}
	s.stopMonitoring()
	for _, c := range clients {
		c.closeConnection(reasonServerShutdown, false)
	}
	s.wg.Wait()
	s.removePortsFile(s.Options().PortsFileDir)
	s.logger().Noticef("Server Exiting..")
	s.closeLog()
	close(s.done)
}

// Readiness reports whether every configured listener accepts connections
// and, while one does not, which: "client listener on 0.0.0.0:4222".
func (s *Server) Readiness() (bool, string) {
	o := s.Options()
	s.mu.Lock()
	ok := s.ln != nil && !s.closed
	s.mu.Unlock()
	if ok {
		select {
		case <-s.ready:
			return true, ""
		default:
		}
	}
	if o.HTTPPort != 0 && s.MonitorAddr() == nil {
		return false, "http monitor on " + net.JoinHostPort(o.HTTPHost, strconv.Itoa(o.HTTPPort))
	}
	if o.HTTPSPort != 0 && s.MonitorAddr() == nil {
		return false, "https monitor on " + net.JoinHostPort(o.HTTPHost, strconv.Itoa(o.HTTPSPort))
	}
	return false, "client listener on " + net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
}
