package conf

import (
	"strconv"
	"time"
)

// Pos is a place in a config source: the file name as given to Parse or
// ParseFile (or the included path), a 1-based line and a 1-based column
// counted in bytes, as go/scanner does.
type Pos struct {
	File string
	Line int
	Col  int
}

// String renders the position as "file:line:col", or "line:col" when the
// source has no name, counting columns as nats-server does: from 0 on a
// file's first line and from 1 after that (its lexer measures from the
// start of the input, then from each line's newline).
func (p Pos) String() string {
	col := p.Col
	if p.Line == 1 {
		col--
	}
	s := strconv.Itoa(p.Line) + ":" + strconv.Itoa(col)
	if p.File == "" {
		return s
	}
	return p.File + ":" + s
}

// Value is a parsed value and where it starts. V holds one of:
//
//	int64      integers, with size suffixes applied (1k = 1000, 1kb = 1024)
//	float64    decimals such as 1.5
//	bool       true/false, yes/no, on/off in any case
//	string     quoted, raw, block and unquoted strings, IP-like values
//	time.Time  Zulu datetimes such as 2026-01-02T03:04:05Z (UTC)
//	[]*Value   arrays
//	*Map       maps
//
// A value reached through a variable ($name) carries the position of the
// reference; its elements, if any, are shared with the variable's definition.
type Value struct {
	Pos Pos
	V   any
}

// TypeName names the kind of V for error messages: "integer", "float",
// "boolean", "string", "datetime", "array" or "map".
func (v *Value) TypeName() string {
	switch v.V.(type) {
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case string:
		return "string"
	case time.Time:
		return "datetime"
	case []*Value:
		return "array"
	case *Map:
		return "map"
	}
	return "unknown"
}

// Entry is one key of a Map with its value.
type Entry struct {
	Key    string
	KeyPos Pos
	Value  *Value
	// UsedAsVariable is set when a later $Key reference resolved to this
	// entry. nats-server ignores such keys instead of reporting them as
	// unknown options, so that a config may define its own variables.
	UsedAsVariable bool
}

// Map is a block of key/value entries in the order they were first
// written. Writing a key again replaces its entry in place: the last
// definition wins, with its own position.
type Map struct {
	entries []*Entry
	index   map[string]int
}

func newMap() *Map {
	return &Map{index: make(map[string]int)}
}

// Get returns the entry for key, which is case-sensitive.
func (m *Map) Get(key string) (*Entry, bool) {
	i, ok := m.index[key]
	if !ok {
		return nil, false
	}
	return m.entries[i], true
}

// Len returns the number of distinct keys.
func (m *Map) Len() int { return len(m.entries) }

// Keys returns the keys in order.
func (m *Map) Keys() []string {
	keys := make([]string, len(m.entries))
	for i, e := range m.entries {
		keys[i] = e.Key
	}
	return keys
}

// Entries returns the entries in order. The slice is a copy; the entries
// are not.
func (m *Map) Entries() []*Entry {
	return append([]*Entry(nil), m.entries...)
}

// set stores e, replacing an entry with the same key where it stands.
func (m *Map) set(e *Entry) {
	if i, ok := m.index[e.Key]; ok {
		m.entries[i] = e
		return
	}
	m.index[e.Key] = len(m.entries)
	m.entries = append(m.entries, e)
}
