package libexec2

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/sirupsen/logrus"
)

// List returns the state of every container under root, sorted by id.
// Directories without a readable state (a create in progress or killed
// half-way) are skipped.
func List(root string, log *logrus.Entry) ([]OCIState, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read state root %s: %w", root, err)
	}
	var out []OCIState
	for _, e := range entries {
		if !e.IsDir() || ValidateID(e.Name()) != nil {
			continue
		}
		c, err := Load(root, e.Name(), log)
		if errors.Is(err, ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c.OCIState())
		c.Close()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
