package wire

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// constants returns the string constants declared in this package whose
// names start with prefix, by value.
func constants(t *testing.T, prefix string) map[string]string {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	out := map[string]string{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, sp := range g.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, prefix) {
						continue
					}
					v, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
					if err != nil {
						t.Fatal(err)
					}
					out[v] = name.Name
				}
			}
		}
	}
	return out
}

// Codes, ActivityTypes, ActivityStatuses, ImportProblems and AuditActions list every constant of their kind, once, so tests
// built on them (every code has an HTTP status, every code a translation)
// miss none.
func TestListsAreComplete(t *testing.T) {
	for prefix, list := range map[string][]string{"Code": Codes(), "Activity": ActivityTypes(), "Status": ActivityStatuses(), "Import": ImportProblems(), "Audit": AuditActions()} {
		declared := constants(t, prefix)
		if len(declared) < 3 {
			t.Fatalf("%s: found only %v: is the parser reading this package?", prefix, declared)
		}
		for v, name := range declared {
			if !slices.Contains(list, v) {
				t.Errorf("%s (%q) is missing from the list of %s constants", name, v, prefix)
			}
		}
		if len(list) != len(declared) {
			t.Errorf("%s: the list has %d entries for %d distinct constants (a duplicate?)", prefix, len(list), len(declared))
		}
	}
}
