package conf

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// include parses "include path" after its keyword and merges the included
// file's entries into m, where they are visible to later variable
// references. The path is joined to the including file's directory (to
// the working directory for Parse and environment values) with
// filepath.Join, as nats-server does: even an absolute path is taken as
// relative to it. The included file is parsed on its own: it sees the
// environment, but no variable of the file that includes it.
func (p *parser) include(m *Map, pos Pos) error {
	path, err := p.includePath()
	if err != nil {
		return err
	}
	inc, err := p.s.parseInclude(pos, filepath.Join(p.dir, path))
	if err != nil {
		return &Error{Pos: pos, Msg: fmt.Sprintf("error parsing include file '%s', %v", path, err), Err: err, form: bare}
	}
	for _, e := range inc.entries {
		m.set(e)
	}
	return nil
}

// includePath reads the path of an include: in single or double quotes
// (without escapes), or bare up to white space, a line end, ';' or '}'.
func (p *parser) includePath() (string, error) {
	p.sc.skipBlanks()
	pos := p.sc.pos()
	r := p.sc.peek()
	switch {
	case r == '\'':
		return p.quotedInclude("Unexpected EOF in quoted include")
	case r == '"':
		return p.quotedInclude("Unexpected EOF in double quoted include")
	case r == '[':
		return "", errorf(pos, "Expected include value but found start of an array")
	case r == '{':
		return "", errorf(pos, "Expected include value but found start of a map")
	case r == '(':
		return "", errorf(pos, "Expected include value but found start of a block")
	case unicode.IsDigit(r) || r == '-':
		return "", errorf(pos, "Expected include value but found start of a number")
	case r == '\\':
		return "", errorf(pos, "Expected include value but found escape sequence")
	case isNL(r):
		return "", errorf(pos, "Expected include value but found new line")
	}
	start := p.sc.off
	for {
		switch r := p.sc.peek(); {
		case isNL(r) || isBlank(r) || r == eof || r == ';' || r == '}':
			return p.sc.src[start:p.sc.off], nil
		case r == '\'':
			path := p.sc.src[start:p.sc.off]
			p.sc.next()
			return path, nil
		}
		p.sc.next()
	}
}

func (p *parser) quotedInclude(eofMsg string) (string, error) {
	pos := p.sc.pos()
	q := p.sc.next()
	start := p.sc.off
	for {
		switch p.sc.next() {
		case q:
			return p.sc.src[start : p.sc.off-1], nil
		case eof:
			return "", errorf(pos, "%s", eofMsg)
		}
	}
}

// parseInclude parses the file at path for an include at pos, refusing a
// file that is already being parsed further up the chain of includes.
func (s *session) parseInclude(pos Pos, path string) (*Map, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if slices.Contains(s.files, abs) {
		return nil, fmt.Errorf("include cycle: %s -> %s", strings.Join(s.names, " -> "), path)
	}
	data, err := s.readFile(path)
	if err != nil {
		return nil, err
	}
	s.files, s.names = append(s.files, abs), append(s.names, path)
	defer func() {
		s.files, s.names = s.files[:len(s.files)-1], s.names[:len(s.names)-1]
	}()
	if err := s.enter(pos); err != nil {
		return nil, err
	}
	defer s.leave()
	return s.parse(path, data, filepath.Dir(path), 1)
}

// readFile reads a config file of at most MaxFileSize bytes.
func readFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return "", err
	}
	if len(data) > MaxFileSize {
		return "", fmt.Errorf("%s: larger than %d bytes", path, MaxFileSize)
	}
	return string(data), nil
}
