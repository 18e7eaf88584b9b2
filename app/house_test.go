package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// uiParts are the files that are the UI itself: its type, its navigation,
// and the parts of it that live in their own files (live events, push,
// TikTok's connection, single sign-on, the tour, the e2e probe, the
// shells, the start-up and scrolling measurements). Every other file of the package is a screen or something the
// screens stand on: it holds the kit and a small host interface of its
// own, never the UI, so the screens sit below ui.go and can be read (and
// tested) without it.
var uiParts = []string{"ui.go", "auth.go", "events.go", "push.go", "tiktok.go", "sso.go", "tour.go",
	"probe.go", "shell.go", "startup.go", "measure_scroll.go"}

func TestScreensDoNotHoldTheUI(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || slices.Contains(uiParts, name) {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "UI" {
				t.Errorf("%s: uses the UI (give the screen the kit and name what it needs in its host interface)", fset.Position(id.Pos()))
			}
			return true
		})
	}
	if checked < 25 {
		t.Fatalf("checked only %d files: is the glob reading this package?", checked)
	}
}
