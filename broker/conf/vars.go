package conf

import (
	"fmt"
	"slices"
	"strings"
)

// bcryptPrefix starts an unquoted bcrypt hash ($2a$11$...), which is kept
// as a literal string instead of being read as a variable. nats-server
// v2.15.2 knows only the 2a variant: "$2b$..." and "$2y$..." are variable
// references there, which cannot be found, and so they are here.
const bcryptPrefix = "2a$"

// envKey is the key an environment variable's value is parsed under.
const envKey = "pk"

// variable resolves the reference $name found at pos. The maps being
// built are searched from the innermost out, so only keys written before
// the reference are seen; then the environment. The value is shared with
// its definition, but the returned Value has the reference's position.
func (p *parser) variable(pos Pos, name string) (*Value, error) {
	if strings.HasPrefix(name, bcryptPrefix) {
		return &Value{Pos: pos, V: "$" + name}, nil
	}
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if e, ok := p.scopes[i].Get(name); ok {
			e.UsedAsVariable = true
			return &Value{Pos: pos, V: e.Value.V}, nil
		}
	}
	return p.s.env(pos, name)
}

// env resolves $name from the environment. The value is parsed as the
// value of a top-level key, so P=4333 is an integer and P='"4333"' a
// string, and it may refer to other environment variables, but not to
// keys of the file. A variable met again while it is being expanded is a
// reference cycle.
func (s *session) env(pos Pos, name string) (*Value, error) {
	if slices.Contains(s.envStack, name) {
		return nil, bareErrorf(pos, "variable reference cycle for '%s'", name)
	}
	text, ok := s.lookupEnv(name)
	if !ok {
		return nil, bareErrorf(pos, "variable reference for '%s' on line %d can not be found", name, pos.Line)
	}
	if err := s.enter(pos); err != nil {
		return nil, err
	}
	defer s.leave()
	s.envStack = append(s.envStack, name)
	defer func() { s.envStack = s.envStack[:len(s.envStack)-1] }()

	// Columns are shifted so that the value itself starts at column 1.
	m, err := s.parse("env:"+name, envKey+"="+text, ".", 1-len(envKey+"="))
	if err != nil {
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("variable reference for '%s' on line %d could not be parsed: %v", name, pos.Line, err), Err: err, form: bare}
	}
	e, ok := m.Get(envKey)
	if !ok {
		return nil, bareErrorf(pos, "variable reference for '%s' on line %d can not be found", name, pos.Line)
	}
	return &Value{Pos: pos, V: e.Value.V}, nil
}
