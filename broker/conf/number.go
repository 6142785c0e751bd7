package conf

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// number parses a value that starts with a digit: an integer with an
// optional size suffix, a float, a Zulu datetime, an IP-like string
// (127.0.0.1:4222), or a string that merely starts with a digit (10s).
func (p *parser) number(pos Pos) (*Value, error) {
	start := p.sc.off
	p.sc.next()
	for {
		r := p.sc.peek()
		switch {
		case unicode.IsDigit(r):
			p.sc.next()
		case r == '-':
			if p.sc.off-start != 4 {
				return nil, errorf(p.sc.pos(), "All ISO8601 dates must be in full Zulu form.")
			}
			p.sc.next()
			return p.datetime(pos, start)
		case r == '.':
			p.sc.next()
			return p.float(pos, start)
		case isSizeSuffix(r):
			p.sc.next()
			return p.sized(pos, start)
		case isNumberEnd(r):
			return p.integer(pos, p.sc.src[start:p.sc.off])
		default:
			// The value is a string. nats-server takes this rune as is, even
			// a ']', a quote or a backslash, and so do we: "[1]" is an error
			// (the string "1]" is not followed by ']'), "[1 ]" is not.
			p.sc.next()
			return p.unquoted(pos, start)
		}
	}
}

// negNumber parses a value that starts with '-': an integer or a float.
// Unlike a positive number it never turns into a string.
func (p *parser) negNumber(pos Pos) (*Value, error) {
	start := p.sc.off
	p.sc.next()
	switch r := p.sc.peek(); {
	case r == '.':
		return nil, errorf(p.sc.pos(), "Floats must start with a digit, not '.'.")
	case !unicode.IsDigit(r):
		return nil, errorf(p.sc.pos(), "Expected a digit but got %s.", show(r))
	}
	for {
		r := p.sc.peek()
		switch {
		case unicode.IsDigit(r):
			p.sc.next()
		case r == '.':
			p.sc.next()
			return p.float(pos, start)
		case isSizeSuffix(r):
			p.sc.next()
			return p.sized(pos, start)
		default:
			return p.integer(pos, p.sc.src[start:p.sc.off])
		}
	}
}

// float parses the digits after a number's '.'; a second '.' makes the
// value an IP-like string.
func (p *parser) float(pos Pos, start int) (*Value, error) {
	if r := p.sc.peek(); !unicode.IsDigit(r) {
		return nil, errorf(p.sc.pos(), "Floats must have a digit after the '.', but got %s instead.", show(r))
	}
	for unicode.IsDigit(p.sc.peek()) {
		p.sc.next()
	}
	if p.sc.peek() == '.' {
		for r := p.sc.peek(); unicode.IsDigit(r) || r == '.' || r == ':' || r == '-'; r = p.sc.peek() {
			p.sc.next()
		}
		return &Value{Pos: pos, V: p.sc.src[start:p.sc.off]}, nil
	}
	text := p.sc.src[start:p.sc.off]
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return nil, bareErrorf(pos, "float '%s' is out of the range", text)
		}
		return nil, errorf(pos, "expected float, but got '%s'", text)
	}
	return &Value{Pos: pos, V: f}, nil
}

// sized parses the rest of a size suffix (1k, 1kb, 1KiB) after its
// letter. Anything else after it makes the value a string (1ms, 5e7x).
func (p *parser) sized(pos Pos, start int) (*Value, error) {
	for r := p.sc.peek(); r == 'b' || r == 'B' || r == 'i' || r == 'I'; r = p.sc.peek() {
		p.sc.next()
	}
	if !isNumberEnd(p.sc.peek()) {
		return p.unquoted(pos, start)
	}
	return p.integer(pos, p.sc.src[start:p.sc.off])
}

// multipliers are the size suffixes: a letter alone is a power of 1000,
// with "b", "i" or "ib" a power of 1024.
var multipliers = func() map[string]int64 {
	m := make(map[string]int64)
	dec, bin := int64(1), int64(1)
	for _, letter := range []string{"k", "m", "g", "t", "p", "e"} {
		dec *= 1000
		bin *= 1024
		m[letter] = dec
		m[letter+"b"], m[letter+"i"], m[letter+"ib"] = bin, bin, bin
	}
	return m
}()

// integer converts an integer with an optional size suffix.
func (p *parser) integer(pos Pos, text string) (*Value, error) {
	digits := strings.IndexFunc(text, func(r rune) bool { return !unicode.IsDigit(r) && r != '-' })
	if digits < 0 {
		digits = len(text)
	}
	n, err := strconv.ParseInt(text[:digits], 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return nil, bareErrorf(pos, "integer '%s' is out of the range", text)
		}
		return nil, errorf(pos, "expected integer, but got '%s'", text)
	}
	if suffix := strings.ToLower(text[digits:]); suffix != "" {
		mult, ok := multipliers[suffix]
		if !ok {
			// nats-server silently drops the key of such a value (1kbb).
			return nil, errorf(pos, "invalid size suffix in '%s'", text)
		}
		if n*mult/mult != n {
			// nats-server lets such a product wrap around.
			return nil, bareErrorf(pos, "integer '%s' is out of the range", text)
		}
		n *= mult
	}
	return &Value{Pos: pos, V: n}, nil
}

// zulu is the one datetime layout, after its "YYYY-": '0' stands for a
// digit, any other rune for itself.
const zulu = "00-00T00:00:00Z"

// datetime parses a Zulu datetime whose "YYYY-" is consumed.
func (p *parser) datetime(pos Pos, start int) (*Value, error) {
	for _, want := range zulu {
		r := p.sc.peek()
		if want == '0' && !unicode.IsDigit(r) {
			return nil, errorf(p.sc.pos(), "Expected digit in ISO8601 datetime, but found %s instead.", show(r))
		}
		if want != '0' && r != want {
			return nil, errorf(p.sc.pos(), "Expected %s in ISO8601 datetime, but found %s instead.", show(want), show(r))
		}
		p.sc.next()
	}
	text := p.sc.src[start:p.sc.off]
	t, err := time.Parse("2006-01-02T15:04:05Z", text)
	if err != nil {
		return nil, errorf(pos, "expected Zulu formatted DateTime, but got '%s'", text)
	}
	return &Value{Pos: pos, V: t}, nil
}

// isSizeSuffix is the first letter of a size suffix.
func isSizeSuffix(r rune) bool {
	switch r {
	case 'k', 'K', 'm', 'M', 'g', 'G', 't', 'T', 'p', 'P', 'e', 'E':
		return true
	}
	return false
}

// isNumberEnd is what may follow a number. A ']' is not, which is
// nats-server's rule.
func isNumberEnd(r rune) bool {
	return isNL(r) || isBlank(r) || r == eof || r == '}' || r == ';' || r == ','
}
