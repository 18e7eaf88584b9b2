package netguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/netguard"
)

func TestIsPublic(t *testing.T) {
	for ip, public := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true, "1.1.1.1": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "172.31.255.255": false,
		"192.168.1.1": false, "169.254.169.254": false, "fe80::1": false, "fe80::1%eth0": false, "fc00::1": false, "fd12::1": false,
		"0.0.0.0": false, "0.1.2.3": false, "::": false, "100.64.0.1": false, "100.127.255.254": false, "224.0.0.1": false,
		"255.255.255.255": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "::ffff:169.254.169.254": false,
		"64:ff9b::a00:1": false, "64:ff9b::808:808": true, "198.18.0.1": false, "ff02::1": false, "2001:db8::1": false,
		"192.0.2.1": false, "fec0::1": false,
	} {
		if got := netguard.IsPublic(netip.MustParseAddr(ip)); got != public {
			t.Errorf("IsPublic(%s) = %v", ip, got)
		}
	}
}

func TestAllowAndParse(t *testing.T) {
	allow, err := netguard.ParseAllow(" 127.0.0.1, 10.0.0.0/8 ,")
	if err != nil || len(allow) != 2 {
		t.Fatalf("ParseAllow: %v %v", allow, err)
	}
	g := netguard.Guard{Allow: allow}
	for ip, ok := range map[string]bool{"127.0.0.1": true, "::ffff:127.0.0.1": true, "127.0.0.2": false, "10.9.8.7": true,
		"192.168.0.1": false, "8.8.8.8": true} {
		if g.Allowed(netip.MustParseAddr(ip)) != ok {
			t.Errorf("Allowed(%s) != %v", ip, ok)
		}
	}
	if _, err := netguard.ParseAllow("localhost"); err == nil {
		t.Fatal("a host name in the allow-list")
	}
	for addr, ok := range map[string]bool{"8.8.8.8:443": true, "[2606:4700::1111]:443": true, "127.0.0.1:80": false,
		"[::1]:443": false, "169.254.169.254:80": false, "[fd00::1]:443": false, "100.64.1.1:443": false, "no-port": false,
		"example.com:443": false} {
		err := netguard.Guard{}.Control("tcp", addr, nil)
		if (err == nil) != ok || (err != nil && !errors.Is(err, netguard.ErrBlocked)) {
			t.Errorf("Control(%s) = %v, want allowed=%v", addr, err, ok)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "LOCALHOST.": true, "a.localhost": true, "127.0.0.1": true,
		"127.9.9.9": true, "::1": true, "::ffff:127.0.0.1": true, "example.com": false, "10.0.0.1": false, "localhost.example": false} {
		if got := netguard.IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v", host, got)
		}
	}
}

// TestDialTime: the guard judges the address a connection is made to, so
// a name that resolves to loopback is refused as its address would be.
func TestDialTime(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	client := func(g netguard.Guard) *http.Client {
		return &http.Client{Transport: &http.Transport{Proxy: nil, DialContext: g.Dialer(time.Second).DialContext}}
	}
	strict := client(netguard.Guard{})
	for _, u := range []string{srv.URL, "http://localhost:" + port, "http://[::ffff:127.0.0.1]:" + port} {
		resp, err := strict.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("%s: %v, want refused", u, err)
		}
	}
	resp, err := client(netguard.Guard{Allow: netguard.Loopback}).Get(srv.URL)
	if err != nil {
		t.Fatalf("loopback allowed: %v", err)
	}
	resp.Body.Close()
}
