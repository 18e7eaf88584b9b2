package platform

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestPhoneFilesTypeCheck type-checks the Android and iOS files on this
// machine, which has neither the NDK nor Xcode: the C side is faked
// (FakeImportC) and the Go imports come from the host build, whose APIs are
// the same on every OS. It catches Go mistakes in code we cannot build here.
func TestPhoneFilesTypeCheck(t *testing.T) {
	for _, goos := range []string{"android", "ios"} {
		t.Run(goos, func(t *testing.T) {
			fset := token.NewFileSet()
			var files []*ast.File
			imports := map[string]bool{}
			for _, name := range []string{"platform.go", "platform_" + goos + ".go"} {
				f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
				for _, im := range f.Imports {
					p, _ := strconv.Unquote(im.Path.Value)
					if p != "C" {
						imports[p] = true
					}
				}
			}
			exports := exportData(t, imports)
			conf := types.Config{
				FakeImportC: true,
				Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
					f, ok := exports[path]
					if !ok {
						return nil, os.ErrNotExist
					}
					return os.Open(f)
				}),
			}
			if _, err := conf.Check("platform", fset, files, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func exportData(t *testing.T, imports map[string]bool) map[string]string {
	t.Helper()
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}"}
	for p := range imports {
		args = append(args, p)
	}
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		path, file, ok := strings.Cut(sc.Text(), " ")
		if ok && file != "" {
			m[path] = file
		}
	}
	return m
}
