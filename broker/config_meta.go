package broker

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// setServerTags takes server_tags: a string or a list of strings, each
// trimmed, lower-cased and kept once, as nats-server keeps its tags.
func setServerTags(o *Options, v *conf.Value, _ *ConfigError) error {
	var tags []string
	switch x := v.V.(type) {
	case string:
		tags = []string{x}
	case []*conf.Value:
		for _, e := range x {
			s, ok := e.V.(string)
			if !ok {
				// nats-server names its own token type here.
				return errors.New("error parsing tags: unsupported type *conf.token where string is expected")
			}
			tags = append(tags, s)
		}
	default:
		return fmt.Errorf("error parsing tags: unsupported type %s", goTypeName(v.V))
	}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(o.Tags, t) {
			o.Tags = append(o.Tags, t)
		}
	}
	return nil
}

// setServerMetadata takes server_metadata: a map of strings.
func setServerMetadata(o *Options, v *conf.Value, _ *ConfigError) error {
	m, ok := v.V.(*conf.Map)
	if !ok {
		return fmt.Errorf("error parsing metadata: unsupported type %s", goTypeName(v.V))
	}
	for _, e := range m.Entries() {
		s, ok := e.Value.V.(string)
		if !ok {
			return posErr(e.KeyPos, "expected a string, got "+describe(e.Value))
		}
		if o.Metadata == nil {
			o.Metadata = make(map[string]string)
		}
		o.Metadata[e.Key] = s
	}
	return nil
}
