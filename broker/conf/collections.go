package conf

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// value parses one value where a value is expected. Blanks before it are
// skipped, but not a line end: "key =" followed by a new line is an error.
func (p *parser) value() (*Value, error) {
	p.sc.skipBlanks()
	pos := p.sc.pos()
	r := p.sc.peek()
	switch {
	case r == '[':
		return p.array(pos)
	case r == '{':
		return p.mapValue(pos)
	case r == '"':
		return p.quotedString(pos)
	case r == '\'':
		return p.rawString(pos)
	case r == '(':
		return p.blockString(pos)
	case r == '-':
		return p.negNumber(pos)
	case unicode.IsDigit(r):
		return p.number(pos)
	case r == '.':
		return nil, errorf(pos, "Floats must start with a digit")
	case isNL(r):
		return nil, errorf(pos, "Expected value but found new line")
	}
	// Anything else, even the end of input, is an unquoted string (maybe
	// empty), a boolean or a variable reference.
	return p.unquoted(pos, p.sc.off)
}

// array parses "[a, b\n c]": commas or line ends separate the elements,
// and one trailing comma is allowed.
func (p *parser) array(pos Pos) (*Value, error) {
	if err := p.s.enter(pos); err != nil {
		return nil, err
	}
	defer p.s.leave()
	p.sc.next()
	elems := []*Value{}
	for {
		r := p.sc.peek()
		switch {
		case unicode.IsSpace(r):
			p.sc.next()
		case p.sc.atComment():
			p.sc.skipComment()
		case r == ',' || r == '/':
			return nil, errorf(p.sc.pos(), "Unexpected array value terminator %s.", show(r))
		case r == ']':
			p.sc.next()
			return &Value{Pos: pos, V: elems}, nil
		default:
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			elems = append(elems, v)
			st, err := p.valueEnd(inArray)
			if err != nil {
				return nil, swallowedBracket(err, v)
			}
			if st == stepClose {
				return &Value{Pos: pos, V: elems}, nil
			}
		}
	}
}

// swallowedBracket explains the error after an array element such as the
// "1]" of "[1]": a value that starts with a digit takes the ']' that
// follows it (nats-server's rule), so the array is left unclosed.
func swallowedBracket(err error, v *Value) error {
	var e *Error
	s, ok := v.V.(string)
	if !ok || !strings.HasSuffix(s, "]") || !startsWithDigit(s) || !errors.As(err, &e) {
		return err
	}
	e.Msg += fmt.Sprintf(" (the element %q at %s took the ']': put a space or a comma before it)", s, v.Pos)
	return e
}

func startsWithDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}

// mapValue parses "{ k = v, ... }". The map is a scope for variables while
// it is being built.
func (p *parser) mapValue(pos Pos) (*Value, error) {
	if err := p.s.enter(pos); err != nil {
		return nil, err
	}
	defer p.s.leave()
	p.sc.next()
	m := newMap()
	p.scopes = append(p.scopes, m)
	defer func() { p.scopes = p.scopes[:len(p.scopes)-1] }()
	for {
		done, err := p.mapEntry(m)
		if err != nil {
			return nil, err
		}
		if done {
			return &Value{Pos: pos, V: m}, nil
		}
	}
}

// mapEntry skips to the next key of a map and parses its entry, or the
// map's closing brace (done).
func (p *parser) mapEntry(m *Map) (done bool, err error) {
	p.sc.skipSpace()
	keyPos := p.sc.pos()
	var key string
	r := p.sc.peek()
	switch {
	case isKeySep(r):
		return false, errorf(keyPos, "Unexpected key separator %s.", show(r))
	case r == ']':
		return false, errorf(keyPos, "Unexpected array end ']' processing map.")
	case r == '}':
		p.sc.next()
		return true, nil
	case p.sc.atComment():
		p.sc.skipComment()
		return false, nil
	case r == eof:
		return false, errorf(keyPos, "Unexpected EOF processing map.")
	case r == '"':
		key, err = p.quotedKey("Unexpected EOF processing double quoted map key.")
		keyPos.Col++ // nats-server places a quoted key at its first character
	case r == '\'':
		key, err = p.quotedKey("Unexpected EOF processing quoted map key.")
		keyPos.Col++
	default:
		if r == '/' {
			// nats-server drops a lone slash before a map key.
			p.sc.next()
			keyPos = p.sc.pos()
		}
		key = p.bareKey()
		if p.sc.peek() == eof {
			return false, errorf(p.sc.pos(), "Unexpected EOF processing map key.")
		}
		if p.atInclude(key) {
			if err := p.include(m, keyPos); err != nil {
				return false, err
			}
			st, err := p.valueEnd(inMap)
			return st == stepClose, err
		}
	}
	if err != nil {
		return false, err
	}
	return p.mapEntryValue(m, key, keyPos)
}

// mapEntryValue parses the separator and value after a map key, then what
// ends the entry. Unlike at the document's level, the value may follow
// the separator on a later line.
func (p *parser) mapEntryValue(m *Map, key string, keyPos Pos) (done bool, err error) {
	p.sc.skipSpace()
	if isKeySep(p.sc.peek()) {
		p.sc.next()
		p.sc.skipSpace()
	}
	switch r := p.sc.peek(); r {
	case ',':
		return false, errorf(p.sc.pos(), "Unexpected map value terminator ','.")
	case '}':
		// nats-server silently moves such a map up a level under this key
		// and loses its own key; a missing value is surely a mistake.
		return false, errorf(p.sc.pos(), "Expected a value for key '%s', but got '}'.", key)
	}
	v, err := p.value()
	if err != nil {
		return false, err
	}
	m.set(&Entry{Key: key, KeyPos: keyPos, Value: v})
	st, err := p.valueEnd(inMap)
	return st == stepClose, err
}
