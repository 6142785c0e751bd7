//lint:file-ignore ST1005 error texts are nats-server's, word for word (clients and operators match them)

package broker

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nkeys"

	"github.com/natsvisor/natsvisor/broker/conf"
	"github.com/natsvisor/natsvisor/broker/sublist"
)

// authBlock is a parsed `authorization {}` block.
type authBlock struct {
	user, pass, token string
	timeout           time.Duration
	users             []*User
	nkeys             []*NkeyUser
	usersSet          bool // `users` was present, even empty
	defaults          *Permissions
}

// setAuthorization applies `authorization {}` with nats-server's rules
// (opts.go parseAuthorization and the checks of processConfigFileLine).
func setAuthorization(o *Options, v *conf.Value, ce *ConfigError) error {
	m, ok := v.V.(*conf.Map)
	if !ok {
		return typeErr("a map", v)
	}
	a := &authBlock{}
	for _, e := range m.Entries() {
		if err := a.key(e, ce); err != nil {
			ce.Errors = append(ce.Errors, placeAt(e.KeyPos, err))
		}
	}
	if a.defaults != nil {
		for _, u := range a.users {
			if u.Permissions == nil {
				u.Permissions = a.defaults
			}
		}
		for _, u := range a.nkeys {
			if u.Permissions == nil {
				u.Permissions = a.defaults
			}
		}
	}
	o.Username, o.Password, o.Authorization = a.user, a.pass, a.token
	if a.timeout != 0 {
		o.AuthTimeout = a.timeout
	}
	if (a.user != "" || a.pass != "") && a.token != "" {
		return fmt.Errorf("Cannot have a user/pass and token")
	}
	if a.usersSet {
		if a.user != "" {
			return fmt.Errorf("Can not have a single user/pass and a users array")
		}
		if a.token != "" {
			return fmt.Errorf("Can not have a token and a users array")
		}
	}
	seen := map[string]bool{}
	for _, u := range a.users {
		if seen[u.Username] {
			return fmt.Errorf("Duplicate user %q detected", u.Username)
		}
		seen[u.Username] = true
	}
	for _, u := range a.nkeys {
		if seen[u.Nkey] {
			return fmt.Errorf("Duplicate nkey %q detected", u.Nkey)
		}
		seen[u.Nkey] = true
	}
	if a.usersSet {
		o.Users = append(make([]*User, 0, len(a.users)), a.users...)
	}
	if len(a.nkeys) > 0 {
		o.Nkeys = a.nkeys
	}
	return nil
}

func (a *authBlock) key(e *conf.Entry, ce *ConfigError) error {
	v := e.Value
	switch strings.ToLower(e.Key) {
	case "user", "username":
		return strInto(&a.user, v)
	case "pass", "password":
		return strInto(&a.pass, v)
	case "token":
		return strInto(&a.token, v)
	case "timeout":
		var secs float64
		switch x := v.V.(type) {
		case int64:
			secs = float64(x)
		case float64:
			secs = x
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return fmt.Errorf("error parsing authorization config, 'timeout' %s", err)
			}
			secs = d.Seconds()
		default:
			return fmt.Errorf("error parsing authorization config, 'timeout' wrong type")
		}
		if secs > 60 {
			ce.Warnings = append(ce.Warnings, placedErr(e.KeyPos, fmt.Sprintf("invalid use of field %q: timeout of %v (%f seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example", e.Key, v.V, secs)))
		}
		a.timeout = time.Duration(secs * float64(time.Second))
	case "users":
		return a.parseUsers(v, ce)
	case "default_permission", "default_permissions", "permissions":
		p, err := parsePermissions(v, ce)
		if err != nil {
			return err
		}
		a.defaults = p
	default:
		if unsupportedAuthKeys[strings.ToLower(e.Key)] {
			return fmt.Errorf("field %q is not supported yet", e.Key)
		}
		if !e.UsedAsVariable {
			return fmt.Errorf("unknown field %q", e.Key)
		}
	}
	return nil
}

// unsupportedAuthKeys and unsupportedUserKeys are nats-server keys of
// authorization {} and of a user whose feature the broker does not have
// yet: refused, never ignored.
var (
	unsupportedAuthKeys = setOf("auth_callout", "callout", "proxy_required")
	unsupportedUserKeys = setOf("account", "proxy_required")
)

// errPlaced marks a nested warning that keeps its own position instead of
// the top-level key's.
var errPlaced = errors.New("placed")

func placedErr(p conf.Pos, msg string) error {
	return &conf.Error{Pos: p, Msg: msg, Err: errPlaced}
}

// placeAt positions err at p unless it already has a place. (nats-server
// reports a bad subject in a plain permission list without a place; ours
// says where it is.)
func placeAt(p conf.Pos, err error) error {
	var ce *conf.Error
	if errors.As(err, &ce) {
		return err
	}
	return posErr(p, err.Error())
}

func strInto(dst *string, v *conf.Value) error {
	s, ok := v.V.(string)
	if !ok {
		return typeErr("a string", v)
	}
	*dst = s
	return nil
}

// parseUsers reads the `users` array: each entry a user/password or an nkey.
func (a *authBlock) parseUsers(v *conf.Value, ce *ConfigError) error {
	arr, ok := v.V.([]*conf.Value)
	if !ok {
		return fmt.Errorf("Expected users field to be an array, got %s", describe(v))
	}
	a.usersSet = true
	for _, uv := range arr {
		um, ok := uv.V.(*conf.Map)
		if !ok {
			ce.Errors = append(ce.Errors, posErr(uv.Pos, fmt.Sprintf("Expected user entry to be a map/struct, got %s", describe(uv))))
			continue
		}
		var user User
		var nkey string
		var perms *Permissions
		var types []string
		for _, e := range um.Entries() {
			var err error
			switch strings.ToLower(e.Key) {
			case "nkey":
				err = strInto(&nkey, e.Value)
			case "user", "username":
				err = strInto(&user.Username, e.Value)
			case "pass", "password":
				err = strInto(&user.Password, e.Value)
			case "permission", "permissions", "authorization":
				perms, err = parsePermissions(e.Value, ce)
			case "allowed_connection_types", "connection_types", "clients":
				types = parseConnectionTypes(e.KeyPos, e.Value, ce)
			default:
				if unsupportedUserKeys[strings.ToLower(e.Key)] {
					err = fmt.Errorf("field %q is not supported yet", e.Key)
				} else if !e.UsedAsVariable {
					err = fmt.Errorf("unknown field %q", e.Key)
				}
			}
			if err != nil {
				ce.Errors = append(ce.Errors, placeAt(e.KeyPos, err))
			}
		}
		switch {
		case nkey == "" && user.Username == "":
			return fmt.Errorf("User entry requires a user")
		case nkey != "":
			if !nkeys.IsValidPublicUserKey(nkey) {
				return fmt.Errorf("Not a valid public nkey for a user")
			}
			if user.Username != "" || user.Password != "" {
				return fmt.Errorf("Nkey users do not take usernames or passwords")
			}
			a.nkeys = append(a.nkeys, &NkeyUser{Nkey: nkey, Permissions: perms, ConnectionTypes: types})
		default:
			user.Permissions, user.ConnectionTypes = perms, types
			a.users = append(a.users, &user)
		}
	}
	return nil
}

// parsePermissions reads a permissions map: publish, subscribe,
// allow_responses (opts.go parseUserPermissions).
func parsePermissions(v *conf.Value, ce *ConfigError) (*Permissions, error) {
	m, ok := v.V.(*conf.Map)
	if !ok {
		return nil, fmt.Errorf("Expected permissions to be a map/struct, got %s", describe(v))
	}
	p := &Permissions{}
	for _, e := range m.Entries() {
		var err error
		switch strings.ToLower(e.Key) {
		case "pub", "publish", "import":
			p.Publish, err = parseSubjectPermission(e.Value, false)
		case "sub", "subscribe", "export":
			p.Subscribe, err = parseSubjectPermission(e.Value, true)
		case "publish_allow_responses", "allow_responses":
			p.Response, err = parseAllowResponses(e.Value)
			if p.Response != nil {
				if p.Publish == nil {
					p.Publish = &SubjectPermission{}
				}
				if p.Publish.Allow == nil {
					p.Publish.Allow = []string{}
				}
			}
		default:
			if !e.UsedAsVariable {
				err = fmt.Errorf("Unknown field %q parsing permissions", e.Key)
			}
		}
		if err != nil {
			ce.Errors = append(ce.Errors, placeAt(e.KeyPos, err))
		}
	}
	return p, nil
}

func parseSubjectPermission(v *conf.Value, allowQueue bool) (*SubjectPermission, error) {
	m, ok := v.V.(*conf.Map)
	if !ok {
		subjects, err := permSubjects(v, allowQueue)
		if err != nil {
			return nil, err
		}
		return &SubjectPermission{Allow: subjects}, nil
	}
	if m.Len() == 0 {
		return nil, nil
	}
	p := &SubjectPermission{}
	for _, e := range m.Entries() {
		var err error
		switch strings.ToLower(e.Key) {
		case "allow":
			p.Allow, err = permSubjects(e.Value, allowQueue)
		case "deny":
			p.Deny, err = permSubjects(e.Value, allowQueue)
		default:
			if !e.UsedAsVariable {
				err = fmt.Errorf("Unknown field name %q parsing subject permissions, only 'allow' or 'deny' are permitted", e.Key)
			}
		}
		if err != nil {
			return nil, placeAt(e.KeyPos, err)
		}
	}
	return p, nil
}

func permSubjects(v *conf.Value, allowQueue bool) ([]string, error) {
	var subjects []string
	switch x := v.V.(type) {
	case string:
		subjects = []string{x}
	case []*conf.Value:
		subjects = []string{}
		for _, e := range x {
			s, ok := e.V.(string)
			if !ok {
				return nil, fmt.Errorf("Subject in permissions array cannot be cast to string")
			}
			subjects = append(subjects, s)
		}
	default:
		return nil, fmt.Errorf("Expected subject permissions to be a subject, or array of subjects, got %T", v.V)
	}
	for _, s := range subjects {
		if err := checkPermSubject(s, allowQueue); err != nil {
			return nil, err
		}
	}
	return subjects, nil
}

// checkPermSubject accepts a subject, or with allowQueue "subject queue".
func checkPermSubject(s string, allowQueue bool) error {
	if sublist.ValidSubject(s) {
		return nil
	}
	f := strings.Fields(s)
	switch {
	case !allowQueue || len(f) != 2:
		return fmt.Errorf("subject %q is not a valid subject", s)
	case !sublist.ValidSubject(f[0]):
		return fmt.Errorf("subject %q is not a valid subject", f[0])
	case !sublist.ValidSubject(f[1]):
		return fmt.Errorf("queue %q is not a valid queue", f[1])
	}
	return nil
}

func parseAllowResponses(v *conf.Value) (*ResponsePermission, error) {
	rp := &ResponsePermission{MaxMsgs: DefaultAllowResponseMaxMsgs, Expires: DefaultAllowResponseExpires}
	switch x := v.V.(type) {
	case bool:
		if !x {
			return nil, nil
		}
		return rp, nil
	case *conf.Map:
		for _, e := range x.Entries() {
			switch strings.ToLower(e.Key) {
			case "max", "max_msgs", "max_messages", "max_responses":
				n, ok := e.Value.V.(int64)
				if !ok {
					return nil, typeErr("an integer", e.Value)
				}
				if n != 0 {
					rp.MaxMsgs = int(n)
				}
			case "expires", "expiration", "ttl":
				s, ok := e.Value.V.(string)
				if !ok {
					return nil, fmt.Errorf("error parsing expires, not a duration string")
				}
				d, err := time.ParseDuration(s)
				if err != nil {
					return nil, fmt.Errorf("error parsing expires: %v", err)
				}
				if d != 0 {
					rp.Expires = d
				}
			default:
				if !e.UsedAsVariable {
					return nil, fmt.Errorf("Unknown field %q parsing permissions", e.Key)
				}
			}
		}
		return rp, nil
	}
	return nil, fmt.Errorf("error parsing response permissions, expected a boolean or a map")
}

// validateAuth refuses what nats-server refuses at start (auth.go
// validateAuth, validateNoAuthUser) and a TLS setup that cannot load.
func validateAuth(o *Options) error {
	if _, err := buildTLSConfig(o); err != nil {
		return err
	}
	for _, u := range o.Users {
		if err := validatePermSubjects(u.Permissions); err != nil {
			return fmt.Errorf("invalid permissions for user %q: %w", u.Username, err)
		}
	}
	for _, u := range o.Nkeys {
		if err := validatePermSubjects(u.Permissions); err != nil {
			return fmt.Errorf("invalid permissions for nkey %q: %w", u.Nkey, err)
		}
	}
	if o.NoAuthUser == "" {
		return nil
	}
	if o.Nkeys == nil && o.Users == nil {
		return fmt.Errorf(`no_auth_user: "%s" present, but users/nkeys are not defined`, o.NoAuthUser)
	}
	for _, u := range o.Users {
		if u.Username == o.NoAuthUser {
			return nil
		}
	}
	for _, u := range o.Nkeys {
		if u.Nkey == o.NoAuthUser {
			return nil
		}
	}
	return fmt.Errorf(`no_auth_user: "%s" not present as user or nkey in authorization block or account configuration`, o.NoAuthUser)
}

func validatePermSubjects(p *Permissions) error {
	if p == nil {
		return nil
	}
	check := func(what string, subs []string, queue bool) error {
		for _, s := range subs {
			if err := checkPermSubject(s, queue); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return nil
	}
	var errs []error
	if p.Publish != nil {
		errs = append(errs, check("publish allow", p.Publish.Allow, false), check("publish deny", p.Publish.Deny, false))
	}
	if p.Subscribe != nil {
		errs = append(errs, check("subscribe allow", p.Subscribe.Allow, true), check("subscribe deny", p.Subscribe.Deny, true))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
