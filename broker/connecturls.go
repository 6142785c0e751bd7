package broker

import "net"

// logNonLocalIPs does what nats-server does while working out its client
// connect URLs: for a listener on 0.0.0.0 or :: it lists, at debug level,
// the host's global unicast addresses, and logs an error when there is
// none. A client_advertise address makes the lookup unnecessary.
func (s *Server) logNonLocalIPs(o *Options) {
	if o.ClientAdvertise != "" {
		return
	}
	ip := net.ParseIP(o.Host)
	if ip == nil || !ip.IsUnspecified() {
		return
	}
	s.logger().Debugf("Get non local IPs for %q", o.Host)
	found := 0
	for _, ip := range interfaceIPs() {
		if ip.IsGlobalUnicast() && !ip.IsUnspecified() {
			s.logger().Debugf("  ip=%s", ip)
			found++
		}
	}
	if found == 0 && (o.Host == "0.0.0.0" || o.Host == "::") {
		s.logger().Errorf("Address %q can not be resolved properly", o.Host)
	}
}

// interfaceIPs lists the addresses of the host's network interfaces, in
// the order the system gives them.
func interfaceIPs() []net.IP {
	var ips []net.IP
	ifaces, _ := net.Interfaces()
	for _, iface := range ifaces {
		addrs, _ := iface.Addrs()
		for _, a := range addrs {
			switch v := a.(type) {
			case *net.IPNet:
				ips = append(ips, v.IP)
			case *net.IPAddr:
				ips = append(ips, v.IP)
			}
		}
	}
	return ips
}
