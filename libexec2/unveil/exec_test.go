package unveil

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func interpOf(t *testing.T, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Skipf("requires an ELF %s: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				t.Fatal(err)
			}
			return strings.TrimRight(string(b), "\x00")
		}
	}
	t.Skipf("requires a dynamically linked %s", path)
	return ""
}

func rulesBySource(rules []Rule) map[string]string {
	out := map[string]string{}
	for _, r := range rules {
		if r.Mode != "rx" {
			panic("ExecRules gave mode " + r.Mode)
		}
		out[r.Source] = r.Path
	}
	return out
}

func TestExecRulesELF(t *testing.T) {
	ls, err := filepath.EvalSymlinks("/bin/ls")
	if err != nil {
		t.Skip("requires /bin/ls")
	}
	interp := interpOf(t, ls)
	rules, err := ExecRules(ls, "")
	if err != nil {
		t.Fatal(err)
	}
	got := rulesBySource(rules)
	if got["executable"] != ls || got["ELF interpreter of "+ls] != interp {
		t.Fatalf("rules = %+v, want %s and its interpreter %s", rules, ls, interp)
	}
}

func TestExecRulesScripts(t *testing.T) {
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Skip("requires /bin/sh")
	}
	if _, err := os.Stat("/usr/bin/env"); err != nil {
		t.Skip("requires /usr/bin/env")
	}
	shInterp := interpOf(t, sh)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	a, b, tool, viaEnv := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(bin, "tool"), filepath.Join(dir, "viaenv")
	writeScript(t, a, "#!"+b+" -x\n")
	writeScript(t, b, "#! "+sh+"\necho b\n")
	writeScript(t, tool, "#!"+sh+"\n")
	writeScript(t, viaEnv, "#!/usr/bin/env -S tool --flag\n")

	rules, err := ExecRules(a, "")
	if err != nil {
		t.Fatal(err)
	}
	got := rulesBySource(rules)
	want := map[string]string{"executable": a, "interpreter of " + a: b, "interpreter of " + b: sh, "ELF interpreter of " + sh: shInterp}
	for src, p := range want {
		if got[src] != p {
			t.Errorf("%s: got %q, want %q (all: %+v)", src, got[src], p, rules)
		}
	}

	rules, err = ExecRules(viaEnv, "/nonexistent:"+bin)
	if err != nil {
		t.Fatal(err)
	}
	got = rulesBySource(rules)
	if got["interpreter of "+viaEnv] != "/usr/bin/env" || got["env target of "+viaEnv] != tool || got["interpreter of "+tool] != sh {
		t.Errorf("env chain: %+v", rules)
	}

	// env's target missing from PATH is env's error to report at exec time.
	rules, err = ExecRules(viaEnv, "/nonexistent")
	if err != nil || rulesBySource(rules)["env target of "+viaEnv] != "" {
		t.Errorf("env target outside PATH: %+v, %v", rules, err)
	}
}

func TestExecRulesErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing-interp")
	writeScript(t, missing, "#!/nonexistent/interp\n")
	if _, err := ExecRules(missing, ""); err == nil || !strings.Contains(err.Error(), "open /nonexistent/interp (interpreter of "+missing+"): no such file") {
		t.Errorf("missing interpreter: %v", err)
	}
	if _, err := ExecRules(filepath.Join(dir, "nope"), ""); err == nil || !strings.Contains(err.Error(), "(executable): no such file") {
		t.Errorf("missing executable: %v", err)
	}
	// A loop ends at the first repeat; a long chain hits the bound.
	x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
	writeScript(t, x, "#!"+y+"\n")
	writeScript(t, y, "#!"+x+"\n")
	if rules, err := ExecRules(x, ""); err != nil || len(rules) != 2 {
		t.Errorf("loop: %+v, %v", rules, err)
	}
	for i := 0; i < maxExecDepth+1; i++ {
		writeScript(t, filepath.Join(dir, fmt.Sprint("c", i)), fmt.Sprintf("#!%s/c%d\n", dir, i+1))
	}
	writeScript(t, filepath.Join(dir, fmt.Sprint("c", maxExecDepth+1)), "plain\n")
	if _, err := ExecRules(filepath.Join(dir, "c0"), ""); err == nil || !strings.Contains(err.Error(), "interpreter chain deeper than") {
		t.Errorf("deep chain: %v", err)
	}
	// Neither ELF nor script: only the file itself.
	plain := filepath.Join(dir, "plain")
	writeScript(t, plain, "just text\n")
	if rules, err := ExecRules(plain, ""); err != nil || len(rules) != 1 || rules[0].Path != plain {
		t.Errorf("plain file: %+v, %v", rules, err)
	}
}
