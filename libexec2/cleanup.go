package libexec2

// cleanup is a stack of undo steps for a partly built container: Add as
// each resource appears, defer Clean, Release once everything succeeded.
type cleanup struct{ fns []func() }

func (c *cleanup) Add(fn func()) { c.fns = append(c.fns, fn) }

// Clean runs the steps in reverse order, unless released.
func (c *cleanup) Clean() {
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
	c.fns = nil
}

// Release keeps everything: the operation succeeded.
func (c *cleanup) Release() { c.fns = nil }
