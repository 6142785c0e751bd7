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

// clientURLs lists nats://host:port for the client listener; a listener on
// every interface is listed once per interface address.
func (s *Server) clientURLs() []string {
	host := s.Options().Host
	port := strconv.Itoa(s.port)
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsUnspecified() {
		return []string{"nats://" + net.JoinHostPort(host, port)}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return []string{"nats://" + net.JoinHostPort("127.0.0.1", port)}
	}
	var urls []string
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && (n.IP.To4() != nil || ip.To4() == nil) {
			urls = append(urls, "nats://"+net.JoinHostPort(n.IP.String(), port))
		}
	}
	return urls
}

// writePortsFile writes the listeners' URLs into dir, if set.
func (s *Server) writePortsFile(dir string) {
	if dir == "" {
		return
	}
	ports := struct {
		Nats []string `json:"nats,omitempty"`
	}{Nats: s.clientURLs()}
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
