package libexec2

import (
	"errors"
	"testing"
)

func TestValidateID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"c1", true},
		{"A.b_c-d", true},
		{"0abc", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../x", false},
		{"a/b", false},
		{"-x", false},
		{"_x", false},
		{".hidden", false},
		{"a b", false},
		{"a\x00b", false},
		{"ünï", false},
	} {
		err := ValidateID(tc.id)
		if tc.ok != (err == nil) {
			t.Errorf("ValidateID(%q) = %v, want ok=%v", tc.id, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidID) {
			t.Errorf("ValidateID(%q) error %v does not match ErrInvalidID", tc.id, err)
		}
	}
}
