// Package sublist is the subject index used on the publish hot path: a token
// trie with `*` and `>` nodes, a shared result cache (L2) inside the index and
// a per-connection cache (L1) in front of it, both invalidated by a
// generation counter.
//
// Subjects are split into tokens on '.'. A token that is exactly `*` matches
// any single token; a token that is exactly `>` (last token only) matches one
// or more trailing tokens. Anywhere else `*` and `>` are ordinary characters,
// so `foo*` and `foo.*bar` are literal subjects.
package sublist

import "errors"

// Errors returned by Insert and Remove.
var (
	// ErrInvalidSubject is returned when a subscription subject is malformed.
	ErrInvalidSubject = errors.New("sublist: invalid subject")
	// ErrNotFound is returned by Remove when the entry is not in the index.
	ErrNotFound = errors.New("sublist: entry not found")
)

const (
	tokSep = '.'
	pwcTok = "*"
	fwcTok = ">"
)

// ValidSubject reports whether s is a valid subscription subject: it is not
// empty, no token is empty, `>` appears only as the last token, and no token
// contains whitespace (space, tab, CR, LF, form feed). Wildcards are only
// recognised as whole tokens, so `foo*` is valid (and literal). Any other
// byte, including UTF-8 sequences, is allowed.
func ValidSubject(s string) bool {
	if s == "" {
		return false
	}
	start := 0
	sawFWC := false
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case tokSep:
			case ' ', '\t', '\r', '\n', '\f':
				return false
			default:
				continue
			}
		}
		// s[start:i] is a complete token.
		if i == start || sawFWC {
			return false
		}
		if i-start == 1 && s[start] == '>' {
			sawFWC = true
		}
		start = i + 1
	}
	return true
}

// ValidLiteralSubject reports whether s is a valid literal (publish) subject:
// it is not empty, no token is empty and no token is a wildcard (`*` or `>`
// as a whole token). Like nats-server's pedantic check it does not look for
// whitespace, which the protocol framing already excludes.
func ValidLiteralSubject(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != tokSep {
			continue
		}
		switch i - start {
		case 0:
			return false
		case 1:
			if c := s[start]; c == '*' || c == '>' {
				return false
			}
		}
		start = i + 1
	}
	return true
}

// matchable reports whether a publish subject can match anything: it must be
// non-empty and have no empty token. Publish subjects are otherwise not
// validated; wildcard characters in them are matched literally.
func matchable[S string | []byte](s S) bool {
	if len(s) == 0 || s[len(s)-1] == tokSep {
		return false
	}
	prev := byte(tokSep)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == tokSep && prev == tokSep {
			return false
		}
		prev = c
	}
	return true
}

// literal reports whether the valid subscription subject s has no wildcard
// token.
func literal(s string) bool {
	for rest, last := s, false; ; {
		var tok string
		tok, rest, last = nextToken(rest)
		if tok == pwcTok || tok == fwcTok {
			return false
		}
		if last {
			return true
		}
	}
}

// patternMatches reports whether the valid subscription subject pattern
// matches the publish subject, with the same rules as Match: `*` and `>`
// tokens in s are literal tokens, which the pattern's wildcards match.
func patternMatches(pattern, subject string) bool {
	for s := subject; ; {
		pt, prest, plast := nextToken(pattern)
		st, srest, slast := nextToken(s)
		if pt == fwcTok {
			return matchable(subject) // `>` is last; s has a token left at least
		}
		if pt != pwcTok && pt != st {
			return false
		}
		if plast || slast {
			return plast && slast && matchable(subject)
		}
		pattern, s = prest, srest
	}
}

// literalPrefix returns the leading literal tokens of the subscription
// subject pattern, each followed by a separator: every publish subject the
// pattern matches starts with it. It is "" if the first token is a wildcard.
func literalPrefix(pattern string) string {
	for i := 0; ; {
		tok, _, last := nextToken(pattern[i:])
		if tok == pwcTok || tok == fwcTok || last {
			return pattern[:i]
		}
		i += len(tok) + 1
	}
}

// nextToken splits s at the first separator. It returns the first token, the
// remainder after the separator and whether the token was the last one.
func nextToken(s string) (tok, rest string, last bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == tokSep {
			return s[:i], s[i+1:], false
		}
	}
	return s, "", true
}
