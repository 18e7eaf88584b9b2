package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

// A download that breaks off resumes with a Range request from the bytes
// already stored, and the file is checked against the server's size and
// SHA-256; a file that does not match is refused.
func TestMediaFileResumesWithRange(t *testing.T) {
	data := bytes.Repeat([]byte("chorus media "), 40_000)
	sum := sha256.Sum256(data)
	var mu sync.Mutex
	var ranges []string
	cut := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range"))
		first := cut
		cut = false
		mu.Unlock()
		if first {
			// The connection drops after part of the file.
			w.Header().Set("Content-Type", "image/jpeg")
			w.Header().Set("Content-Length", "520000")
			w.WriteHeader(http.StatusOK)
			w.Write(data[:100_000])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		http.ServeContent(w, r, "x.jpg", time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()

	store := newMediaStore(storage.NewFileURI(t.TempDir()))
	dl := mediaDownloader{http: srv.Client(), server: srv.URL, token: "tok", pid: "p"}
	m := mediaRef{ID: "med_1", Info: &client.MediaInfo{ContentType: "image/jpeg", SizeBytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}
	if _, err := store.file(context.Background(), dl, m, nil); err == nil {
		t.Fatal("a broken download gave a file")
	}
	var last int64
	f, err := store.file(context.Background(), dl, m, func(done, total int64) { last = done })
	if err != nil {
		t.Fatal(err)
	}
	if len(ranges) != 2 || ranges[0] != "" || ranges[1] != "bytes=100000-" {
		t.Errorf("requests' ranges %q, want the second to resume at 100000", ranges)
	}
	got, err := os.ReadFile(f.Path)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the resumed file differs (%d bytes, %v)", len(got), err)
	}
	if !strings.HasSuffix(f.Path, ".jpg") || f.MediaType != "image" || last != int64(len(data)) {
		t.Errorf("file %q type %q progress %d", f.Path, f.MediaType, last)
	}

	// The server's facts do not match the bytes: refused, nothing kept.
	bad := mediaRef{ID: "med_2", Info: &client.MediaInfo{ContentType: "image/jpeg", SizeBytes: int64(len(data)), SHA256: strings.Repeat("0", 64)}}
	if _, err := store.file(context.Background(), dl, bad, nil); !errors.Is(err, errMediaMismatch) {
		t.Errorf("a file with the wrong SHA-256: %v", err)
	}
	if _, ok := store.cachedFile("med_2"); ok {
		t.Error("the mismatched file was kept")
	}
}

// Without WeChat: the app says so, and the share sheet gets the same file.
func TestWeChatMissingOffersShareSheetWithTheFile(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.share.result = platform.WeChatMissing
	h.signIn(testserver.Member(1))
	a := h.open("Our new product launches today")
	h.ui.Wait()
	h.tap(a.action)
	if a.missing == nil {
		t.Fatal("no WeChat-missing dialog")
	}
	h.tap(a.missing.other)
	h.share.mu.Lock()
	sheets := h.share.sheets
	h.share.mu.Unlock()
	calls := h.share.wechatCalls()
	if len(sheets) != 1 || len(calls) != 1 || sheets[0] != calls[0] || sheets[0].MediaPath == "" {
		t.Errorf("share sheet got %+v, WeChat was offered %+v", sheets, calls)
	}
}
