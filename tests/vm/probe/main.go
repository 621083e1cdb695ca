// Command probe prints the Landlock ABI version the running kernel offers.
// The VM runner builds it into its initramfs for the boot banner, and
// tests/vm/smoke.bats uses it to check that the guest kernel enforces Landlock.
package main

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	abi, err := landlockABI()
	if err != nil {
		fmt.Fprintf(os.Stderr, "probe: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(abi)
}

// landlockABI asks the kernel for its Landlock ABI version; a NULL ruleset
// with the VERSION flag is the documented way to query it.
func landlockABI() (int, error) {
	v, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	switch {
	case errors.Is(errno, unix.ENOSYS), errors.Is(errno, unix.EOPNOTSUPP):
		return 0, fmt.Errorf("query landlock ABI: landlock not available: %w", errno)
	case errno != 0:
		return 0, fmt.Errorf("query landlock ABI: %w", errno)
	}
	return int(v), nil
}
