// Command landlockabi prints the kernel's Landlock ABI version, or 0 when
// Landlock is unavailable. The bats suites skip Landlock tests on 0; a probe
// is needed because securityfs (/sys/kernel/security/lsm) is often absent.
package main

import (
	"fmt"
	"syscall"
)

const (
	// sysLandlockCreateRuleset is the same number on every architecture.
	sysLandlockCreateRuleset = 444
	// createRulesetVersion asks for the ABI version instead of a ruleset.
	createRulesetVersion = 1
)

func main() {
	abi, _, errno := syscall.Syscall(sysLandlockCreateRuleset, 0, 0, createRulesetVersion)
	if errno != 0 {
		fmt.Println(0)
		return
	}
	fmt.Println(abi)
}
