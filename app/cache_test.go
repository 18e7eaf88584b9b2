package app

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/backend/client"
)

func TestCacheWritesWholeDocuments(t *testing.T) {
	dir := t.TempDir()
	c := NewCache(storage.NewFileURI(filepath.Join(dir, "nested")))
	var v map[string]int
	if err := c.Load("x.json", &v); !errors.Is(err, errNotCached) {
		t.Fatalf("load of nothing: %v", err)
	}
	if err := c.Save("x.json", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := c.Load("x.json", &v); err != nil || v["a"] != 1 {
		t.Fatalf("load: %v %v", v, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nested", "x.json.tmp")); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
	if err := c.Delete("x.json"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("x.json"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}

// A person in several programs picks one; with one program there is no
// question.
func TestProgramPickerOnlyWithSeveralPrograms(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLang, "en")
	w := test.NewTempWindow(t, nil)
	ui, err := New(Options{App: a, Window: w, Catalog: catalog(t), Platform: &fakeSharer{},
		Cache: NewCache(storage.NewFileURI(t.TempDir())), SyncEvery: -1, Server: "http://127.0.0.1:1", Runner: &serial{}})
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Stop()
	ui.connect("http://127.0.0.1:1", "")
	ui.signedIn(client.Me{ID: "u1", Name: "Li", Timezone: "Asia/Shanghai", Memberships: []client.Membership{
		{ProgramID: "p1", ProgramName: "Acme China"}, {ProgramID: "p2", ProgramName: "Acme Global"}}})
	if ui.programs == nil || len(ui.programs.buttons) != 2 || ui.shell != nil {
		t.Fatalf("no picker for two programs")
	}
	if ui.programs.buttons[1].Text != "Acme Global" {
		t.Errorf("button %q", ui.programs.buttons[1].Text)
	}
	test.Tap(ui.programs.buttons[1])
	ui.Wait()
	if ui.session().ProgramID != "p2" || ui.shell == nil {
		t.Fatalf("picked p2, opened %q", ui.session().ProgramID)
	}
	// The server is unreachable here: the feed says so instead of failing.
	if !ui.offline {
		t.Error("unreachable server not shown as offline")
	}
}
