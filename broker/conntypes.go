package broker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// The connection types a user's allowed_connection_types may name, as
// nats-server knows them. This broker accepts only standard client
// connections, so a user whose list leaves STANDARD out can never log in.
var connectionTypes = setOf("STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS", "IN_PROCESS")

// connStandard is the type of every connection this broker accepts.
const connStandard = "STANDARD"

// parseConnectionTypes reads allowed_connection_types: a string or a list
// of strings, upper-cased. Errors go to ce with nats-server's words and
// places (at the key, or at a bad element); the known types are kept either
// way, as nats-server keeps them.
func parseConnectionTypes(key conf.Pos, v *conf.Value, ce *ConfigError) []string {
	var names []string
	switch x := v.V.(type) {
	case string:
		names = []string{x}
	case []*conf.Value:
		for _, e := range x {
			s, ok := e.V.(string)
			if !ok {
				ce.Errors = append(ce.Errors, posErr(e.Pos, fmt.Sprintf("error parsing allowed connection types: unsupported type in array %s", goTypeName(e.V))))
				continue
			}
			names = append(names, s)
		}
	default:
		ce.Errors = append(ce.Errors, posErr(key, fmt.Sprintf("error parsing allowed connection types: unsupported type %s", goTypeName(v.V))))
		return nil
	}
	types := make([]string, 0, len(names))
	var unknown []string
	for _, n := range names {
		n = strings.ToUpper(n)
		switch {
		case !connectionTypes[n]:
			unknown = append(unknown, n)
		case !slices.Contains(types, n):
			types = append(types, n)
		}
	}
	if len(unknown) > 0 {
		ce.Errors = append(ce.Errors, posErr(key, fmt.Sprintf("invalid connection types %q", unknown)))
	}
	return types
}

// standardAllowed reports whether a user with these allowed connection
// types may connect as a client of this broker.
func standardAllowed(types []string) bool {
	return len(types) == 0 || slices.Contains(types, connStandard)
}
