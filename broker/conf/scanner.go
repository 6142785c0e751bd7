package conf

import (
	"unicode"
	"unicode/utf8"
)

// eof is what the scanner reads past the end of its input. It is not a
// valid rune, so it never matches a character of the source. (nats-server
// uses 0 here, which makes a NUL byte act as the end of input in some
// places; Parse refuses NUL bytes instead.)
const eof rune = -1

// scanner reads a source rune by rune and knows where it is. Every loop of
// the parser consumes at least one rune or stops, so parsing is linear.
type scanner struct {
	src  string
	file string
	off  int // byte offset of the next rune
	line int // line of the next rune
	col  int // column of the next rune, 1-based, in bytes
}

func newScanner(file, src string) *scanner {
	return &scanner{src: src, file: file, line: 1, col: 1}
}

// pos returns the position of the next rune.
func (s *scanner) pos() Pos { return Pos{File: s.file, Line: s.line, Col: s.col} }

// peek returns the next rune without consuming it.
func (s *scanner) peek() rune {
	r, _ := s.decode(s.off)
	return r
}

// peek2 returns the rune after the next one.
func (s *scanner) peek2() rune {
	_, w := s.decode(s.off)
	r, _ := s.decode(s.off + w)
	return r
}

// next consumes and returns the next rune.
func (s *scanner) next() rune {
	r, w := s.decode(s.off)
	if w == 0 {
		return eof
	}
	s.off += w
	if r == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col += w
	}
	return r
}

func (s *scanner) decode(off int) (rune, int) {
	if off >= len(s.src) {
		return eof, 0
	}
	if c := s.src[off]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s.src[off:])
}

// skipSpace consumes Unicode white space, line ends included.
func (s *scanner) skipSpace() {
	for unicode.IsSpace(s.peek()) {
		s.next()
	}
}

// skipBlanks consumes spaces and tabs.
func (s *scanner) skipBlanks() {
	for isBlank(s.peek()) {
		s.next()
	}
}

// atComment reports whether a comment starts here: '#' or "//".
func (s *scanner) atComment() bool {
	r := s.peek()
	return r == '#' || r == '/' && s.peek2() == '/'
}

// skipComment consumes a comment up to, not including, its line end.
func (s *scanner) skipComment() {
	for r := s.peek(); !isNL(r) && r != eof; r = s.peek() {
		s.next()
	}
}

// isBlank is the white space that may sit inside a line between tokens.
func isBlank(r rune) bool { return r == ' ' || r == '\t' }

// isNL is a line end; a lone '\r' counts as one, as in nats-server.
func isNL(r rune) bool { return r == '\n' || r == '\r' }

func isKeySep(r rune) bool { return r == '=' || r == ':' }
