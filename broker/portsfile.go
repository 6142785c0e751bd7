package broker

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// portsFileName is <exe>_<pid>.ports, as nats-server names it.
func portsFileName(dir string) string {
	exe := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	return filepath.Join(dir, exe+"_"+strconv.Itoa(pid())+".ports")
}

func pid() int { return os.Getpid() }

// clientURLs lists nats://host:port for the client listener, from its
// actual address, as nats-server's ports file does: a listener on every
// interface (0.0.0.0 or ::) is listed once per address of every interface,
// IPv4 and IPv6 alike, loopback and link-local included.
func (s *Server) clientURLs() []string { return listenerURLs("nats", s.Addr()) }

// listenerURLs lists proto://host:port for a listener's address, as
// clientURLs describes.
func listenerURLs(proto string, addr net.Addr) []string {
	a, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil
	}
	port := strconv.Itoa(a.Port)
	if !a.IP.IsUnspecified() {
		return []string{proto + "://" + net.JoinHostPort(a.IP.String(), port)}
	}
	var urls []string
	for _, ip := range interfaceIPs() {
		urls = append(urls, proto+"://"+net.JoinHostPort(ip.String(), port))
	}
	return urls
}

// writePortsFile writes the listeners' URLs into dir, if set.
func (s *Server) writePortsFile(dir string) {
	if dir == "" {
		return
	}
	ports := struct {
		Nats       []string `json:"nats,omitempty"`
		Monitoring []string `json:"monitoring,omitempty"`
	}{Nats: s.clientURLs(), Monitoring: listenerURLs(s.monitorProto(), s.MonitorAddr())}
	if err := writeJSONFile(portsFileName(dir), ports); err != nil {
		s.logger().Errorf("Error writing ports file (%s): %v", portsFileName(dir), err)
	}
}

// removePortsFile removes the ports file written into dir, if any.
func (s *Server) removePortsFile(dir string) {
	if dir != "" {
		_ = os.Remove(portsFileName(dir))
	}
}

// writeJSONFile writes v as JSON to path atomically (temp file, rename).
func writeJSONFile(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b, 0o644)
}
