package broker

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// ConfigError lists every error and warning found in a config file, each
// as `file:line:col: message`. Warnings alone do not fail a start or a
// reload (they are logged); `-t` treats them as failures, as nats-server
// does.
type ConfigError struct {
	Errors   []error
	Warnings []error
}

// Error lists the warnings, then the errors, one a line, in nats-server's
// order.
func (e *ConfigError) Error() string {
	var b strings.Builder
	for i, err := range append(append([]error(nil), e.Warnings...), e.Errors...) {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// ProcessConfigFile reads the config file at path into o: every key of
// reference §2.2 whose feature the broker has, with nats-server's aliases,
// defaults and rules. It returns the config's digest as nats-server prints
// it. The error, when not nil, is a *ConfigError (or the file's read error);
// a *ConfigError with only warnings leaves o filled in.
func (o *Options) ProcessConfigFile(path string) (string, error) {
	m, err := conf.ParseFile(path)
	if err != nil {
		return "", err
	}
	o.ConfigFile = path
	ce := &ConfigError{}
	if m.Len() == 0 {
		ce.Warnings = append(ce.Warnings, fmt.Errorf("%s: config has no values or is empty", path))
	}
	for _, e := range m.Entries() {
		applyKey(o, e, ce)
	}
	digest, derr := configDigest(m)
	if derr != nil {
		ce.Errors = append(ce.Errors, derr)
	}
	if len(ce.Errors) > 0 || len(ce.Warnings) > 0 {
		return digest, ce
	}
	return digest, nil
}

// applyKey sets the option one top-level key names. A key that is also
// used as a variable ($name) is still an option when it names one, as in
// nats-server; only a key that names no option is skipped for being a
// variable.
func applyKey(o *Options, e *conf.Entry, ce *ConfigError) {
	key := strings.ToLower(e.Key)
	h, ok := configKeys[key]
	switch {
	case ok:
		nw := len(ce.Warnings)
		err := h(o, e.Value, ce)
		for i := nw; i < len(ce.Warnings); i++ {
			if w := ce.Warnings[i].(*conf.Error); w.Err != errPlaced {
				ce.Warnings[i] = posErr(e.KeyPos, w.Msg) // nats-server places them at the key
			}
		}
		if err != nil {
			ce.Errors = append(ce.Errors, placeAt(e.KeyPos, err))
		}
	case unsupportedKeys[key]:
		ce.Errors = append(ce.Errors, posErr(e.KeyPos, fmt.Sprintf("field %q is not supported yet", e.Key)))
	case e.UsedAsVariable:
	default:
		ce.Errors = append(ce.Errors, posErr(e.KeyPos, fmt.Sprintf("unknown field %q", e.Key)))
	}
}

// posErr is an error at a config position.
func posErr(p conf.Pos, msg string) error {
	return &conf.Error{Pos: p, Msg: msg}
}

// IsWarningsOnly reports whether err holds config warnings and no errors.
func IsWarningsOnly(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce) && len(ce.Errors) == 0 && len(ce.Warnings) > 0
}

// configDigest is nats-server's: sha256 over the JSON of the parsed config.
func configDigest(m *conf.Map) (string, error) {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(plain(m)); err != nil {
		return "", err
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)), nil
}

// plain turns a parsed map into the Go values nats-server digests: maps,
// slices and scalars.
func plain(v any) any {
	switch x := v.(type) {
	case *conf.Map:
		m := make(map[string]any, x.Len())
		for _, e := range x.Entries() {
			m[e.Key] = plain(e.Value.V)
		}
		return m
	case []*conf.Value:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = plain(e.V)
		}
		return a
	}
	return v
}
