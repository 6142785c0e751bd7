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
	// form is how the message is written; nats-server writes a few errors
	// without their place, or with it at the end.
	form form
}

type form uint8

const (
	placed   form = iota // file:line:col: message
	bare                 // message
	trailing             // message (file:line:col)
)

// Error renders the error as nats-server words it: mostly
// "file:line:col: message".
func (e *Error) Error() string {
	switch e.form {
	case bare:
		return e.Msg
	case trailing:
		return e.Msg + " (" + e.Pos.String() + ")"
	}
	return e.Pos.String() + ": " + e.Msg
}

// Unwrap returns the underlying error, so that errors.Is sees, for
// example, fs.ErrNotExist for a missing include.
func (e *Error) Unwrap() error { return e.Err }

func errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// bareErrorf is an error nats-server reports without its place (which
// Pos still records).
func bareErrorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), form: bare}
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
