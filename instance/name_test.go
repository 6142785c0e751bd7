package instance

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"east", true},
		{"East-1", true},
		{"a", true},
		{"0", true},
		{"_x", true},
		{"nats.east_2-b", true},
		{strings.Repeat("a", MaxNameLen), true},
		{"concert", true},
		{"", false},
		{strings.Repeat("a", MaxNameLen+1), false},
		{".hidden", false},
		{"-flag", false},
		{"east.", false},
		{"a b", false},
		{"a/b", false},
		{`a\b`, false},
		{"..", false},
		{"a:b", false},
		{"a@b", false},
		{"é", false},
		{"con", false},
		{"NUL", false},
		{"com1.east", false},
		{"lpt9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if tt.ok != (err == nil) {
				t.Fatalf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidName) {
				t.Fatalf("error %v does not wrap ErrInvalidName", err)
			}
		})
	}
}
