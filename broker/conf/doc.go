// Package conf parses the NATS configuration language, as nats-server
// v2.15.2 reads it, into a tree of values with positions. It knows no
// option names: mapping the tree to options is the caller's job.
//
// The language, in short:
//
//	port = 4222                  # "=", ":" or just a space between key and value
//	"quoted key": 1              // a value ends at a line end, ';', ',' or '}'
//	cluster { name: c1 }         # maps; the separator before '{' is optional
//	routes = [a, b               # arrays mix types; line ends separate too
//	  c]
//	max_payload = 1MB            # k/m/g/t/p/e are powers of 1000, kb/ki/kib... of 1024
//	ping_interval = 10s          # a digit followed by other characters is a string
//	listen = 127.0.0.1:4222      # and so is an IP-like value
//	when = 2026-01-02T03:04:05Z  # a Zulu datetime
//	s = "tab\t hex\x41"          # escapes \t \n \r \" \\ \xHH only
//	r = 'raw \d'                 # no escapes
//	b = (
//	multi-line, closed by ')' alone on a line
//	)
//	user = $USER                 # a key defined before, in this map or an enclosing one, or the environment
//	include auth.conf            # relative to this file's directory, merged here
//
// A whole file may be wrapped in braces, so JSON files parse. Booleans are
// true/false, yes/no, on/off in any case. The last of duplicate keys wins.
//
// Variables are unquoted only ("$X" is literal, and ${X} names "{X").
// Environment values are parsed as config values, so P=4333 gives an
// integer; reference cycles are errors. An unquoted $2a$... bcrypt hash is
// a literal string. A key used as a variable is marked
// (Entry.UsedAsVariable) so that option processing can skip it.
//
// nats-server's parser has many accidental rules, and this one keeps them
// where a config could depend on them: a number directly followed by ']'
// takes the bracket ("[1]" is an error, "[1 ]" is not), an absolute include
// path is joined to the including directory, a value may sit on the line
// after its key when no separator is used. Where nats-server accepts an
// input only to lose data or crash, this parser reports an error instead:
// a map key without a value, a size suffix it does not know (1kbb), a
// size that overflows, a NUL byte, an unterminated quote at the end of
// input, nesting deeper than MaxDepth, an include cycle.
//
// Errors are *Error values that read "file:line:col: message", with
// nats-server's wording where it has one; columns count bytes from 1.
package conf
