package conf

import (
	"strings"
	"unicode"
)

// parser reads one source (a file, a string, or an environment variable's
// value) into a Map. It is a recursive-descent parser over a scanner; the
// session it belongs to carries what is shared across the sources of one
// Parse call: the nesting depth, the include chain and the environment
// variables being expanded.
type parser struct {
	sc  *scanner
	s   *session
	dir string // the directory include paths are joined to
	// scopes are the maps being built, outermost first: a variable is looked
	// up in them from the innermost out, then in the environment.
	scopes []*Map
}

// context is where an entry or a value sits; it decides what may follow
// a value.
type context int

const (
	inTop   context = iota // the document's own level
	inBlock                // inside braces that wrap the document, as in JSON
	inMap                  // inside a map value
	inArray                // inside an array
)

// step is what follows a value: another entry or element, or the end of
// the enclosing block, map or array.
type step int

const (
	stepNext step = iota
	stepClose
)

// document parses the whole source. At its level a '{' opens a wrapper
// block whose entries belong to the document itself, so JSON parses.
func (p *parser) document() (*Map, error) {
	root := newMap()
	p.scopes = append(p.scopes, root)
	for {
		p.sc.skipSpace()
		r := p.sc.peek()
		switch {
		case r == eof:
			return root, nil
		case p.sc.atComment():
			p.sc.skipComment()
		case r == '/':
			return nil, errorf(p.sc.pos(), "Unexpected '/': comments start with '//' or '#'.")
		case r == '{':
			pos := p.sc.pos()
			p.sc.next()
			atEOF, err := p.block(root, pos)
			if err != nil || atEOF {
				return root, err
			}
		default:
			if _, err := p.entry(root, inTop); err != nil {
				return nil, err
			}
		}
	}
}

// block parses the entries of a wrapper block after its '{'. It reports
// whether the input ended inside it: nats-server accepts an unclosed
// wrapper at the end of the file, provided its last entry ended its line.
func (p *parser) block(m *Map, pos Pos) (atEOF bool, err error) {
	if err := p.s.enter(pos); err != nil {
		return false, err
	}
	defer p.s.leave()
	for {
		p.sc.skipSpace()
		r := p.sc.peek()
		var st step
		switch {
		case r == eof:
			return true, nil
		case p.sc.atComment():
			p.sc.skipComment()
			continue
		case r == '/':
			return false, errorf(p.sc.pos(), "Unexpected '/': comments start with '//' or '#'.")
		case r == '}':
			p.sc.next()
			return false, nil
		case r == '{':
			inner := p.sc.pos()
			p.sc.next()
			if atEOF, err := p.block(m, inner); err != nil || atEOF {
				return atEOF, err
			}
			st, err = p.afterInnerBlock()
		default:
			st, err = p.entry(m, inBlock)
		}
		if err != nil || st == stepClose {
			return false, err
		}
	}
}

// afterInnerBlock reads what follows a wrapper block nested in another:
// a separator, a comment, or the outer block's '}'.
func (p *parser) afterInnerBlock() (step, error) {
	for {
		r := p.sc.peek()
		switch {
		case p.sc.atComment():
			p.sc.skipComment()
			return stepNext, nil
		case r == '/' || isNL(r) || isBlank(r):
			p.sc.next()
		case r == ';' || r == ',':
			p.sc.next()
			return stepNext, nil
		case r == '}':
			p.sc.next()
			return stepClose, nil
		default:
			return 0, errorf(p.sc.pos(), "Expected a block-level to end with a '}', but got %s instead.", show(r))
		}
	}
}

// entry parses "key value" (or an include) at the document's level or in
// a wrapper block, then what ends it.
func (p *parser) entry(m *Map, ctx context) (step, error) {
	keyPos := p.sc.pos()
	key, quoted, err := p.key()
	if err != nil {
		return 0, err
	}
	if quoted {
		keyPos.Col++ // nats-server places a quoted key at its first character
	}
	if !quoted && p.atInclude(key) {
		if err := p.include(m, keyPos); err != nil {
			return 0, err
		}
		return p.valueEnd(ctx)
	}
	// The value may even sit on a later line when no separator is used.
	p.sc.skipSpace()
	switch r := p.sc.peek(); {
	case r == eof:
		if key == "}" {
			return stepNext, nil // a stray final brace, as JSON-like files end
		}
		// nats-server names only where the input ended.
		return 0, &Error{Pos: p.sc.pos(), Msg: "config is invalid", form: trailing}
	case isKeySep(r):
		p.sc.next()
	}
	v, err := p.value()
	if err != nil {
		return 0, err
	}
	m.set(&Entry{Key: key, KeyPos: keyPos, Value: v})
	return p.valueEnd(ctx)
}

// key reads a key at the document's level: quoted, or running up to white
// space, a separator or the end of input.
func (p *parser) key() (key string, quoted bool, err error) {
	r := p.sc.peek()
	switch {
	case isKeySep(r):
		return "", false, errorf(p.sc.pos(), "Unexpected key separator %s", show(r))
	case r == '"' || r == '\'':
		key, err := p.quotedKey("Unexpected EOF in quoted key.")
		return key, true, err
	}
	return p.bareKey(), false, nil
}

// bareKey reads an unquoted key. Its first rune is taken whatever it is.
func (p *parser) bareKey() string {
	start := p.sc.off
	p.sc.next()
	for r := p.sc.peek(); !unicode.IsSpace(r) && !isKeySep(r) && r != eof; r = p.sc.peek() {
		p.sc.next()
	}
	return p.sc.src[start:p.sc.off]
}

// quotedKey reads a key between quotes, which take no escapes.
func (p *parser) quotedKey(eofMsg string) (string, error) {
	pos := p.sc.pos()
	q := p.sc.next()
	start := p.sc.off
	for {
		switch p.sc.peek() {
		case q:
			key := p.sc.src[start:p.sc.off]
			p.sc.next()
			return key, nil
		case eof:
			return "", errorf(pos, "%s", eofMsg)
		}
		p.sc.next()
	}
}

// atInclude reports whether an unquoted key is the include keyword: any
// case, followed by white space.
func (p *parser) atInclude(key string) bool {
	return len(key) == len("include") && strings.ToLower(key) == "include" && unicode.IsSpace(p.sc.peek())
}

// valueEnd reads what follows a value in ctx, up to and including the
// separator or closing bracket that ends it.
func (p *parser) valueEnd(ctx context) (step, error) {
	for {
		r := p.sc.peek()
		switch {
		case p.sc.atComment():
			p.sc.skipComment()
			if ctx == inTop {
				return stepNext, nil
			}
		case isBlank(r):
			p.sc.next()
		case r == '/':
			// A lone slash is ignored at the top and in wrapper blocks, and
			// separates values in maps and arrays (nats-server does so).
			p.sc.next()
			if ctx == inMap || ctx == inArray {
				return stepNext, nil
			}
		default:
			return p.terminator(ctx, r)
		}
	}
}

// terminator checks the rune that ends a value in ctx and consumes it.
func (p *parser) terminator(ctx context, r rune) (step, error) {
	var next, closes bool
	var msg string
	switch ctx {
	case inTop:
		next = isNL(r) || r == eof || r == ';' || r == ',' || r == '}'
		msg = "Expected a top-level value to end with a new line, comment or EOF, but got %s instead."
	case inBlock:
		next, closes = isNL(r) || r == ';' || r == ',', r == '}'
		msg = "Expected a block-level value to end with a new line, comment or EOF, but got %s instead."
	case inMap:
		next, closes = isNL(r) || r == ';' || r == ',', r == '}'
		msg = `Expected a map value terminator "," or a map terminator "}", but got %s instead.`
	case inArray:
		next, closes = isNL(r) || r == ',', r == ']'
		msg = `Expected an array value terminator "," or an array terminator "]", but got %s instead.`
	}
	switch {
	case next:
		p.sc.next()
		return stepNext, nil
	case closes:
		p.sc.next()
		return stepClose, nil
	}
	return 0, errorf(p.sc.pos(), msg, show(r))
}
