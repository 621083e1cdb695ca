package unveil

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
	"kernel.org/pub/linux/libs/security/libcap/psx"
)

// scopeABI is the first Landlock ABI with scopes (Linux 6.12).
const scopeABI = 6

// scopeAttrSize is the size of struct landlock_ruleset_attr up to and
// including its scoped field (ABI 6); unix.LandlockRulesetAttr has grown
// fields that older kernels would reject if non-zero.
const scopeAttrSize = 24

// restrictScope stacks a Landlock layer that handles no file-system right
// but scopes signals and abstract unix sockets: the container can neither
// signal nor connect to an abstract socket of a process outside its domain.
// go-landlock cannot express it. Like go-landlock, it restricts every OS
// thread through psx.
func restrictScope() error {
	attr := unix.LandlockRulesetAttr{Scoped: unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL}
	fd, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), scopeAttrSize, 0)
	if e != 0 {
		return fmt.Errorf("create landlock scope ruleset: %w", e)
	}
	defer unix.Close(int(fd))
	if _, _, e := psx.Syscall3(unix.SYS_LANDLOCK_RESTRICT_SELF, fd, 0, 0); e != 0 {
		return fmt.Errorf("restrict landlock scope: %w", e)
	}
	return nil
}
