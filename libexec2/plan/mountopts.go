package plan

import (
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

const msBind = unix.MS_BIND

type flagOpt struct {
	clear bool
	flag  uintptr
}

// mountFlags maps fstab-style options to MS_* flags; "clear" options undo a
// flag set earlier in the list (rw after ro).
var mountFlags = map[string]flagOpt{
	"ro":            {false, unix.MS_RDONLY},
	"rw":            {true, unix.MS_RDONLY},
	"nosuid":        {false, unix.MS_NOSUID},
	"suid":          {true, unix.MS_NOSUID},
	"nodev":         {false, unix.MS_NODEV},
	"dev":           {true, unix.MS_NODEV},
	"noexec":        {false, unix.MS_NOEXEC},
	"exec":          {true, unix.MS_NOEXEC},
	"sync":          {false, unix.MS_SYNCHRONOUS},
	"async":         {true, unix.MS_SYNCHRONOUS},
	"dirsync":       {false, unix.MS_DIRSYNC},
	"remount":       {false, unix.MS_REMOUNT},
	"mand":          {false, unix.MS_MANDLOCK},
	"nomand":        {true, unix.MS_MANDLOCK},
	"atime":         {true, unix.MS_NOATIME},
	"noatime":       {false, unix.MS_NOATIME},
	"diratime":      {true, unix.MS_NODIRATIME},
	"nodiratime":    {false, unix.MS_NODIRATIME},
	"bind":          {false, unix.MS_BIND},
	"rbind":         {false, unix.MS_BIND | unix.MS_REC},
	"relatime":      {false, unix.MS_RELATIME},
	"norelatime":    {true, unix.MS_RELATIME},
	"strictatime":   {false, unix.MS_STRICTATIME},
	"nostrictatime": {true, unix.MS_STRICTATIME},
	"silent":        {false, unix.MS_SILENT},
	"loud":          {true, unix.MS_SILENT},
}

var propagationFlags = map[string]uintptr{
	"private":     unix.MS_PRIVATE,
	"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
	"shared":      unix.MS_SHARED,
	"rshared":     unix.MS_SHARED | unix.MS_REC,
	"slave":       unix.MS_SLAVE,
	"rslave":      unix.MS_SLAVE | unix.MS_REC,
	"unbindable":  unix.MS_UNBINDABLE,
	"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// ParseMountOptions splits OCI mount options into MS_* flags, propagation
// flags and the file-system specific data string.
func ParseMountOptions(opts []string) (flags, propagation uintptr, data string) {
	var extra []string
	for _, o := range opts {
		if f, ok := mountFlags[o]; ok {
			if f.clear {
				flags &^= f.flag
			} else {
				flags |= f.flag
			}
			continue
		}
		if p, ok := propagationFlags[o]; ok {
			propagation |= p
			continue
		}
		// idmap, recursive rro and similar need a newer mount API: keep
		// them out of the data string the kernel would reject.
		if o == "" || strings.HasPrefix(o, "idmap") || strings.HasPrefix(o, "ridmap") || o == "rro" || o == "tmpcopyup" {
			continue
		}
		extra = append(extra, o)
	}
	return flags, propagation, strings.Join(extra, ",")
}

// MountOptionNames lists every option the init understands, for features.
func MountOptionNames() []string {
	var names []string
	for n := range mountFlags {
		names = append(names, n)
	}
	for n := range propagationFlags {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
