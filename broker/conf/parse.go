package conf

import (
	"os"
	"path/filepath"
	"strings"
)

// MaxDepth bounds the nesting of maps, arrays, wrapper blocks, includes
// and environment values, so that no input can exhaust the stack.
// nats-server has no such bound (and crashes on an include cycle).
const MaxDepth = 100

// MaxFileSize bounds the size of a config file or included file.
const MaxFileSize = 64 << 20

// Parse parses data, a config in the NATS configuration language. name is
// used in positions and errors; include paths are joined to the working
// directory.
func Parse(name, data string) (*Map, error) {
	return newSession().parse(name, data, ".", 1)
}

// ParseFile reads and parses the config file at path. Include paths are
// joined to the file's directory.
func ParseFile(path string) (*Map, error) {
	s := newSession()
	data, err := s.readFile(path)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(path); err == nil {
		s.files, s.names = []string{abs}, []string{path}
	}
	return s.parse(path, data, filepath.Dir(path), 1)
}

// session is what the parsers of one Parse or ParseFile call share.
type session struct {
	lookupEnv func(string) (string, bool)
	readFile  func(string) (string, error)
	depth     int
	envStack  []string // environment variables being expanded
	files     []string // absolute paths of the files being parsed
	names     []string // the same paths, as written, for messages
}

func newSession() *session {
	return &session{lookupEnv: os.LookupEnv, readFile: readFile}
}

// parse parses one source whose first line starts at column col.
func (s *session) parse(name, data, dir string, col int) (*Map, error) {
	if i := strings.IndexByte(data, 0); i >= 0 {
		// nats-server reads a NUL as the end of input in some places and as
		// an error in others; we refuse it everywhere.
		return nil, errorf(posAt(name, data[:i], col), "unexpected NUL byte")
	}
	sc := newScanner(name, data)
	sc.col = col
	p := &parser{sc: sc, s: s, dir: dir}
	return p.document()
}

// enter records one more level of nesting, opened at pos.
func (s *session) enter(pos Pos) error {
	if s.depth >= MaxDepth {
		return errorf(pos, "nesting too deep: more than %d levels", MaxDepth)
	}
	s.depth++
	return nil
}

// leave closes the level opened by a successful enter.
func (s *session) leave() { s.depth-- }

// posAt is the position just after prefix, the start of a source.
func posAt(name, prefix string, col int) Pos {
	line := 1 + strings.Count(prefix, "\n")
	if i := strings.LastIndexByte(prefix, '\n'); i >= 0 {
		col = 1
		prefix = prefix[i+1:]
	}
	return Pos{File: name, Line: line, Col: col + len(prefix)}
}
