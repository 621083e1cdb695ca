package libexec2

import "fmt"

// ValidateID accepts [A-Za-z0-9][A-Za-z0-9_.-]*: the first character may not
// be a dot or dash, so an id can never be ".", ".." or look like a flag.
func ValidateID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty", ErrInvalidID)
	}
	if len(id) > 1024 {
		return fmt.Errorf("%w: longer than 1024 characters", ErrInvalidID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if alnum || i > 0 && (c == '_' || c == '.' || c == '-') {
			continue
		}
		return fmt.Errorf("%w: %q", ErrInvalidID, id)
	}
	return nil
}
