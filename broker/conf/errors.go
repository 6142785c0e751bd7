package conf

import (
	"fmt"
	"strconv"
)

// Error is a syntax or evaluation error at a place in a config source.
// Its message follows nats-server's wording where nats-server has one.
type Error struct {
	Pos Pos
	Msg string
	// Err is the underlying error, if any: the read or parse error of an
	// included file, or of an environment variable's value.
	Err error
}

// Error renders the error as "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns the underlying error, so that errors.Is sees, for
// example, fs.ErrNotExist for a missing include.
func (e *Error) Unwrap() error { return e.Err }

func errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// show renders a rune for a message the way nats-server does ('x'), with
// line ends escaped and the end of input spelled out.
func show(r rune) string {
	switch r {
	case eof:
		return "EOF"
	case '\n':
		return `'\n'`
	case '\r':
		return `'\r'`
	}
	if !strconv.IsPrint(r) {
		return strconv.QuoteRune(r)
	}
	return "'" + string(r) + "'"
}
