package conf

import "strings"

// unquoted parses an unquoted string from start, where the runes already
// consumed (the digits of a value such as 10s) are taken literally. It
// ends at white space, a line end, ';', ',', ']', '}' or the end of input,
// and then becomes a boolean, a variable reference or a string; it also
// ends, as a plain string, at a single quote, which it consumes.
// Backslash escapes are processed as in double-quoted strings, and a value
// with escapes is always a string.
func (p *parser) unquoted(pos Pos, start int) (*Value, error) {
	var b strings.Builder
	from, escaped := start, false
	for {
		r := p.sc.peek()
		switch {
		case r == '\\':
			b.WriteString(p.sc.src[from:p.sc.off])
			if err := p.escape(&b); err != nil {
				return nil, err
			}
			from, escaped = p.sc.off, true
		case r == '\'':
			b.WriteString(p.sc.src[from:p.sc.off])
			p.sc.next()
			return &Value{Pos: pos, V: b.String()}, nil
		case isNL(r) || isBlank(r) || r == eof || r == ';' || r == ',' || r == ']' || r == '}':
			if escaped {
				b.WriteString(p.sc.src[from:p.sc.off])
				return &Value{Pos: pos, V: b.String()}, nil
			}
			return p.word(pos, p.sc.src[start:p.sc.off])
		default:
			p.sc.next()
		}
	}
}

// word gives an unquoted string without escapes its meaning.
func (p *parser) word(pos Pos, s string) (*Value, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return &Value{Pos: pos, V: true}, nil
	case "false", "no", "off":
		return &Value{Pos: pos, V: false}, nil
	}
	if strings.HasPrefix(s, "$") {
		return p.variable(pos, s[1:])
	}
	return &Value{Pos: pos, V: s}, nil
}

// quotedString parses "...", which may span lines and takes the escapes
// \t \n \r \" \\ and \xHH only.
func (p *parser) quotedString(pos Pos) (*Value, error) {
	p.sc.next()
	at := p.sc.pos() // as nats-server places a string: its first character
	var b strings.Builder
	from := p.sc.off
	for {
		switch p.sc.peek() {
		case '\\':
			b.WriteString(p.sc.src[from:p.sc.off])
			if err := p.escape(&b); err != nil {
				return nil, err
			}
			from = p.sc.off
		case '"':
			b.WriteString(p.sc.src[from:p.sc.off])
			p.sc.next()
			return &Value{Pos: at, V: b.String()}, nil
		case eof:
			return nil, errorf(pos, "Unexpected EOF in quoted string.")
		default:
			p.sc.next()
		}
	}
}

// rawString parses '...', which may span lines and takes no escapes.
func (p *parser) rawString(pos Pos) (*Value, error) {
	p.sc.next()
	at := p.sc.pos()
	start := p.sc.off
	for {
		switch p.sc.next() {
		case '\'':
			return &Value{Pos: at, V: p.sc.src[start : p.sc.off-1]}, nil
		case eof:
			return nil, errorf(pos, "Unexpected EOF in quoted string.")
		}
	}
}

// blockString parses "( ... )", closed by a ')' alone at the start of a
// line. The string is everything after '(' up to and including the line
// end before ')'. When that ')' is the very last byte of the input,
// nats-server keeps it in the string, and so do we.
func (p *parser) blockString(pos Pos) (*Value, error) {
	p.sc.next()
	start := p.sc.off
	for {
		switch p.sc.next() {
		case ')':
			end := p.sc.off - 1 // the ')'
			if end-1 < start || p.sc.src[end-1] != '\n' {
				continue
			}
			switch p.sc.peek() {
			case '\n':
				return &Value{Pos: pos, V: p.sc.src[start:end]}, nil
			case eof:
				return &Value{Pos: pos, V: p.sc.src[start:p.sc.off]}, nil
			}
		case eof:
			return nil, errorf(pos, "Unexpected EOF processing block.")
		}
	}
}

// escape decodes one backslash escape into b.
func (p *parser) escape(b *strings.Builder) error {
	pos := p.sc.pos()
	p.sc.next()
	switch r := p.sc.next(); r {
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case '"':
		b.WriteByte('"')
	case '\\':
		b.WriteByte('\\')
	case 'x':
		return p.hexEscape(b, pos)
	default:
		return errorf(pos, "Invalid escape character %s. Only the following escape characters are allowed: "+
			`\xXX, \t, \n, \r, \", \\.`, show(r))
	}
	return nil
}

// hexEscape decodes the two hex digits of \xHH into a byte, which need not
// make valid UTF-8.
func (p *parser) hexEscape(b *strings.Builder, pos Pos) error {
	var digits [2]rune
	for i := range digits {
		r := p.sc.next()
		switch {
		case isNL(r):
			return errorf(pos, `Expected two hexadecimal digits after '\x', but hit end of line`)
		case r == eof:
			return errorf(pos, `Expected two hexadecimal digits after '\x', but hit end of input`)
		}
		digits[i] = r
	}
	hi, ok1 := hexDigit(digits[0])
	lo, ok2 := hexDigit(digits[1])
	if !ok1 || !ok2 {
		return errorf(pos, `Expected two hexadecimal digits after '\x', but got '%s'`, string(digits[:]))
	}
	b.WriteByte(hi<<4 | lo)
	return nil
}

func hexDigit(r rune) (byte, bool) {
	switch {
	case '0' <= r && r <= '9':
		return byte(r - '0'), true
	case 'a' <= r && r <= 'f':
		return byte(r - 'a' + 10), true
	case 'A' <= r && r <= 'F':
		return byte(r - 'A' + 10), true
	}
	return 0, false
}
