package unveil

// Feature is a Landlock capability, the first ABI that has it, and what
// exec2-oci does with it (for exec2-oci check).
type Feature struct {
	Name  string `json:"name"`
	ABI   int    `json:"abi"`
	Linux string `json:"linux"`
	Use   string `json:"use"`
}

// ABIFeatures lists the Landlock features by ABI, oldest first.
func ABIFeatures() []Feature {
	return []Feature{
		{Name: "filesystem", ABI: 1, Linux: "5.13", Use: "unveil rules from the bundle"},
		{Name: "refer", ABI: 2, Linux: "5.19", Use: "rename and link across directories under c"},
		{Name: "truncate", ABI: 3, Linux: "6.2", Use: "truncate needs w"},
		{Name: "tcp", ABI: netABI, Linux: "6.7", Use: "TCP ports of annotation " + NetAnnotation},
		{Name: "ioctl_dev", ABI: ioctlABI, Linux: "6.10", Use: "device ioctls only on device rules"},
		{Name: "scopes", ABI: scopeABI, Linux: "6.12", Use: "signals and abstract unix sockets scoped to the container"},
		{Name: "audit", ABI: 7, Linux: "6.15", Use: "not used"},
	}
}
