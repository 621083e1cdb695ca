package hostcheck

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the report as aligned text: the verdict, then the facts.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL")
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Status, c.Detail)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "kernel\t%s %s\n", r.Kernel.Release, r.Kernel.Machine)
	for _, f := range r.Landlock.Features {
		fmt.Fprintf(tw, "landlock %s\t%s\tABI %d, Linux %s: %s\n", f.Name, yesNo(f.Available), f.ABI, f.Linux, f.Use)
	}
	fmt.Fprintf(tw, "cgroup layout\t%s\n", r.Cgroups.Layout)
	for _, h := range r.Cgroups.Hierarchies {
		fmt.Fprintf(tw, "cgroup v%d\t%s\t%s\n", h.Version, h.Path, strings.Join(h.Controllers, " "))
	}
	for _, ns := range r.Namespaces {
		fmt.Fprintf(tw, "namespace %s\t%s\n", ns.Type, yesNo(ns.Available))
	}
	fmt.Fprintf(tw, "pidfd\t%s\n", yesNo(r.Process.Pidfd))
	fmt.Fprintf(tw, "clone3\t%s\n", yesNo(r.Process.Clone3))
	fmt.Fprintf(tw, "clone_into_cgroup\t%s\n", yesNo(r.Process.CloneIntoCgroup))
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
