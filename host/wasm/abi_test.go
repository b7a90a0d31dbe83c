package wasm

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/moongate/moongate/abi"
)

// abiDocFuncs returns the function names of ABI.md's tables under
// "## Host functions": the backticked first cell of each row.
func abiDocFuncs(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../abi/ABI.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Host functions"
			continue
		}
		cell, ok := strings.CutPrefix(line, "| `")
		if !in || !ok {
			continue
		}
		name, _, _ := strings.Cut(cell, "`")
		names = append(names, name)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestFuncsAgree(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	m := load(t, rt, writeModule(t, guestModule()), Limits{})
	registered := m.eng.wr.Module(abi.Module).ExportedFunctionDefinitions()
	var table []string
	for _, f := range abi.Funcs {
		table = append(table, f.Name)
		d, ok := registered[f.Name]
		if !ok {
			continue
		}
		want := signature{valueTypes(f.Params), valueTypes(f.Results)}
		if got := signatureOf(d); !got.equal(want) {
			t.Errorf("host module registers %s as %s, abi.Funcs says %s", f.Name, got, want)
		}
	}
	sources := map[string][]string{
		"the host module": sortedKeys(registered),
		"ABI.md":          abiDocFuncs(t),
	}
	slices.Sort(table)
	for source, names := range sources {
		slices.Sort(names)
		for _, n := range names {
			if _, found := slices.BinarySearch(table, n); !found {
				t.Errorf("%s has %s, abi.Funcs does not", source, n)
			}
		}
		for _, n := range table {
			if _, found := slices.BinarySearch(names, n); !found {
				t.Errorf("abi.Funcs has %s, %s does not", n, source)
			}
		}
		if len(names) != len(slices.Compact(slices.Clone(names))) {
			t.Errorf("%s lists a function twice", source)
		}
	}
}
