// Package testserver runs the real chorus-server for the app's tests. The
// app may not import backend/internal (Go's rule), so the tests build the
// binary once per test process and run `serve --demo` on loopback.
package testserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Demo program facts (backend/internal/seed).
const (
	Manager  = "manager@demo.test"
	Password = "chorus-demo"
)

// Member is demo member i's email (1-based).
func Member(i int) string { return fmt.Sprintf("member%d@demo.test", i) }

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

// Main builds the server, runs the tests, and removes the build; call it
// from TestMain: os.Exit(testserver.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	return code
}

// BinEnv names a prebuilt chorus-server to use instead of building one
// (handy while the backend is mid-change in the same checkout).
const BinEnv = "CHORUS_TEST_SERVER_BIN"

func build() (string, error) {
	buildOnce.Do(func() {
		if bin := os.Getenv(BinEnv); bin != "" {
			binPath = bin
			return
		}
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		binDir, err = os.MkdirTemp("", "chorus-testserver-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(binDir, "chorus-server")
		cmd := exec.Command("go", "build", "-o", binPath, "./backend/cmd/chorus-server")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build chorus-server: %v\n%s", err, out)
		}
	})
	return binPath, buildErr
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testserver: go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// Server is a running chorus-server.
type Server struct {
	t       testing.TB
	bin     string
	DataDir string
	Addr    string // host:port
	URL     string // http://host:port
	cmd     *exec.Cmd
	logs    *syncBuffer
	done    chan struct{}
}

// Start runs a demo server with its own data directory; it is stopped when
// the test ends, and its log is printed if the test failed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	// A port of our own rather than :0: the server's public URL (TikTok's
	// redirect back to it) is made from the address it is given.
	addr, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, DataDir: t.TempDir(), Addr: addr, logs: &syncBuffer{}}
	s.start()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("chorus-server log:\n%s", s.logs.String())
		}
	})
	return s
}

func (s *Server) start() {
	s.t.Helper()
	cmd := exec.Command(s.bin, "serve", "--demo", "--addr", s.Addr, "--data", s.DataDir, "--log-level", "warn")
	cmd.Stderr = s.logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "chorus-server listening on "); ok {
				addr <- rest
			}
			s.logs.WriteString(line + "\n")
		}
	}()
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	select {
	case u := <-addr:
		s.URL = u
		s.Addr = strings.TrimPrefix(u, "http://")
	case <-s.done:
		s.t.Fatalf("chorus-server exited before listening:\n%s", s.logs.String())
	case <-time.After(60 * time.Second):
		s.Stop()
		s.t.Fatalf("chorus-server did not report its address:\n%s", s.logs.String())
	}
}

// freePort finds a loopback port nobody listens on now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Stop ends the server with SIGTERM (it drains), then SIGKILL after 10 s.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Restart starts the server again on the same address with the same data,
// as a server coming back after an outage.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Logs is what the server printed so far.
func (s *Server) Logs() string { return s.logs.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
