package broker

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/natsvisor/natsvisor/broker/sublist"
)

// processSub handles `SUB <subject> [queue] <sid>`.
func (c *client) processSub(arg []byte) error {
	var f [maxArgs][]byte
	sub := &subscription{client: c}
	switch splitArgs(arg, &f) {
	case 2:
		sub.subject, sub.sid = string(f[0]), string(f[1])
	case 3:
		sub.subject, sub.queue, sub.sid = string(f[0]), string(f[1]), string(f[2])
	default:
		c.errorf("processSub Parse Error: %q", arg)
		return c.silentClose(reasonProtocolViolation)
	}
	c.activity = true
	// nats-server's order: permissions, the token limit, the subscription
	// limit (a sid in use counts too), the sid, then the subject.
	if !c.checkSub(sub) || !c.checkSubTokens(sub) {
		return nil
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	if limit := c.srv.Options().MaxSubs; limit > 0 && len(c.subs) >= limit {
		c.mu.Unlock()
		if c.srv.maxSubsLogDue() {
			c.errorf("%s", errMaxSubs)
		}
		c.sendErr(errMaxSubs)
		return nil
	}
	if _, dup := c.subs[sub.sid]; dup {
		c.mu.Unlock() // a duplicate sid is ignored: the first stays
	} else if !sublist.ValidSubject(sub.subject) {
		c.mu.Unlock()
		c.sendErr(errInvalidSubject)
		return nil
	} else {
		c.subs[sub.sid] = sub
		c.mu.Unlock()
		if err := c.srv.subs.Insert(sub.subject, sub.queue, sub); err != nil {
			c.mu.Lock()
			delete(c.subs, sub.sid)
			c.mu.Unlock()
			c.sendErr(errInvalidSubject)
			return nil
		}
		// A close on another goroutine (slow consumer, stale ping) may have
		// swept the subscriptions between the unlock and the insert.
		c.mu.Lock()
		gone := sub.removed
		c.mu.Unlock()
		if gone {
			_ = c.srv.subs.Remove(sub.subject, sub.queue, sub)
			return errClosed
		}
	}
	if c.opts.Verbose {
		c.sendOK()
	}
	return nil
}

// processUnsub handles `UNSUB <sid> [max]`. An unknown sid is fine; a max at
// or below what was already delivered, or one that is not a number, removes
// the subscription now (as nats-server does).
func (c *client) processUnsub(arg []byte) error {
	var f [maxArgs][]byte
	max := -1
	switch splitArgs(arg, &f) {
	case 1:
	case 2:
		max = parseSize(f[1])
	default:
		c.errorf("processUnsub Parse Error: %q", arg)
		return c.silentClose(reasonProtocolViolation)
	}
	c.activity = true
	c.mu.Lock()
	sub := c.subs[string(f[0])]
	remove := sub != nil
	if sub != nil && max > 0 && int64(max) > sub.nm {
		sub.max = int64(max)
		remove = false
	}
	if remove {
		c.forgetLocked(sub)
	}
	c.mu.Unlock()
	if remove {
		c.unindex(sub)
	}
	if c.opts.Verbose {
		c.sendOK()
	}
	return nil
}

// processConnect handles CONNECT: its JSON is decoded over the options in
// force, the defaults at first, so omitted verbose, pedantic and echo are
// true and a later CONNECT keeps what it leaves out. Since nats-server 2.14
// a second CONNECT drops the connection's subscriptions.
func (c *client) processConnect(arg []byte) error {
	if !c.stopAuthTimer() {
		return errClosed // the auth timeout is closing the connection
	}
	opts := c.opts
	if err := json.Unmarshal(arg, &opts); err != nil {
		c.errorf("%v", jsonErr(err, "ClientOpts"))
		return c.silentClose(reasonProtocolViolation)
	}
	if !c.checkConnectAuth(&opts) {
		return errClosed
	}
	srvHeaders := !c.srv.Options().NoHeaderSupport
	opts.Headers = opts.Headers && srvHeaders
	switch {
	case opts.Protocol < 0 || opts.Protocol > 1:
		c.sendErrAndClose(errInvalidProtocol, reasonProtocolViolation)
		return errClosed
	case opts.NoResponders && !opts.Headers:
		c.sendErrAndClose(errNoRespHeaders, reasonProtocolViolation)
		return errClosed
	case opts.Account != "" || opts.NewAccount:
		c.sendErrAndClose(errAuthViolation, reasonAuthViolation)
		return errClosed
	}
	if c.connected {
		c.dropSubs()
	}
	if !c.connected {
		c.setLabel(&opts)
	}
	c.opts, c.connected = opts, true
	c.mu.Lock()
	c.headers, c.protocol, c.connectSeen = opts.Headers, opts.Protocol, true
	c.connInfo.name, c.connInfo.lang, c.connInfo.version = opts.Name, opts.Lang, opts.Version
	c.connInfo.authUser = rawAuthUser(&opts)
	c.rtt = time.Since(c.start)
	c.last = time.Now()
	c.mu.Unlock()
	if opts.Verbose {
		c.sendOK()
	}
	c.setFirstPingTimer()
	return nil
}

// dropSubs removes every subscription of the connection.
func (c *client) dropSubs() {
	c.mu.Lock()
	subs := c.subs
	c.subs = make(map[string]*subscription)
	for _, sub := range subs {
		sub.removed = true
	}
	c.mu.Unlock()
	for _, sub := range subs {
		c.unindex(sub)
	}
}

// processLoose runs the PING, PONG or +OK whose line just ended.
func (c *client) processLoose() {
	op := opKind(c.loose)
	c.loose = 0
	switch op {
	case opPing:
		c.processPing()
	case opPong:
		c.processPong()
	}
}

// processPing answers PONG. After the first PING that follows CONNECT, a
// protocol-1 client also gets an INFO saying its connection is complete.
func (c *client) processPing() {
	if c.tracing() {
		c.traceOut("PONG", nil)
	}
	c.publishIn()
	c.sendProto(pongProto)
	c.mu.Lock()
	c.lastIn = time.Now()
	first := c.connected && !c.firstPongSent
	if first {
		c.firstPongSent = true
	}
	c.mu.Unlock()
	if first && c.opts.Protocol >= 1 {
		info := c.srv.baseInfo()
		info.CID, info.ClientIP = c.cid, c.host
		info.ConnectInfo, info.RemoteAccount = true, globalAccount
		c.sendProto(infoProto(&info))
	}
}

// processPong records that the client answered a PING.
func (c *client) processPong() {
	c.mu.Lock()
	c.pingsOut = 0
	if !c.rttStart.IsZero() {
		c.rtt = time.Since(c.rttStart)
	}
	c.mu.Unlock()
}

// hostPort is the client's address for log lines.
func (c *client) hostPort() string {
	return c.host + ":" + strconv.Itoa(c.port)
}

// sendOK queues +OK for a verbose client.
func (c *client) sendOK() {
	if c.tracing() {
		c.traceOut("OK", nil)
	}
	c.sendProto(okProto)
}

// jsonErr words a decoding error as nats-server's would read, naming its
// struct type: a wrong type in CONNECT reads
// `json: cannot unmarshal string into Go struct field ClientOpts.verbose of type bool`.
func jsonErr(err error, typeName string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Struct != "" {
		named := *te
		named.Struct = typeName
		return &named
	}
	return err
}

// clientInfo is an INFO a client may send, with nats-server's field names
// and types: it is otherwise ignored, but one that is not valid JSON, or
// has a field of the wrong type, ends the connection as there.
type clientInfo struct {
	ID                string          `json:"server_id"`
	Name              string          `json:"server_name"`
	Version           string          `json:"version"`
	Proto             int             `json:"proto"`
	GitCommit         string          `json:"git_commit"`
	GoVersion         string          `json:"go"`
	Host              string          `json:"host"`
	Port              int             `json:"port"`
	Headers           bool            `json:"headers"`
	AuthRequired      bool            `json:"auth_required"`
	TLSRequired       bool            `json:"tls_required"`
	TLSVerify         bool            `json:"tls_verify"`
	TLSAvailable      bool            `json:"tls_available"`
	MaxPayload        int32           `json:"max_payload"`
	JetStream         bool            `json:"jetstream"`
	IP                string          `json:"ip"`
	CID               uint64          `json:"client_id"`
	ClientIP          string          `json:"client_ip"`
	Nonce             string          `json:"nonce"`
	Cluster           string          `json:"cluster"`
	Dynamic           bool            `json:"cluster_dynamic"`
	Domain            string          `json:"domain"`
	ClientConnectURLs []string        `json:"connect_urls"`
	WSConnectURLs     []string        `json:"ws_connect_urls"`
	LameDuckMode      bool            `json:"ldm"`
	Compression       string          `json:"compression"`
	ConnectInfo       bool            `json:"connect_info"`
	RemoteAccount     string          `json:"remote_account"`
	IsSystemAccount   bool            `json:"acc_is_sys"`
	JSApiLevel        int             `json:"api_lvl"`
	Import            *subjectAllowed `json:"import"`
	Export            *subjectAllowed `json:"export"`
	LNOC              bool            `json:"lnoc"`
	LNOCU             bool            `json:"lnocu"`
	LN                bool            `json:"ln"`
	InfoOnConnect     bool            `json:"info_on_connect"`
	RoutePoolSize     int             `json:"route_pool_size"`
	RoutePoolIdx      int             `json:"route_pool_idx"`
	RouteAccount      string          `json:"route_account"`
	RouteAccReqID     string          `json:"route_acc_add_reqid"`
	GossipMode        byte            `json:"gossip_mode"`
	Gateway           string          `json:"gateway"`
	GatewayURLs       []string        `json:"gateway_urls"`
	GatewayURL        string          `json:"gateway_url"`
	GatewayCmd        byte            `json:"gateway_cmd"`
	GatewayCmdPayload []byte          `json:"gateway_cmd_payload"`
	GatewayNRP        bool            `json:"gateway_nrp"`
	GatewayIOM        bool            `json:"gateway_iom"`
	LeafNodeURLs      []string        `json:"leafnode_urls"`
	XKey              string          `json:"xkey"`
}

// processInfo checks an INFO from the client (and otherwise ignores it).
func (c *client) processInfo(arg []byte) error {
	var info clientInfo
	if err := json.Unmarshal(arg, &info); err != nil {
		c.errorf("%v", jsonErr(err, "Info"))
		return c.silentClose(reasonProtocolViolation)
	}
	return nil
}
