package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/payload"
)

func TestKeysFromConfig(t *testing.T) {
	now := time.Now()
	pk, ak := payload.NewKey("p", now), payload.NewKey("a", now)
	env := map[string]string{"ZHIDU_PAYLOAD_KEYS": payload.FormatKeys([]payload.Key{pk}), "ZHIDU_ACTOR_KEYS": payload.FormatKeys([]payload.Key{ak})}
	cfg, err := load("worker", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.resolveKeys("", nil); err != nil {
		t.Fatal(err)
	}
	if got := cfg.secrets.ring.ActiveKeyID(); got != pk.ID {
		t.Errorf("active payload key = %q, want %q", got, pk.ID)
	}

	// zhidu dev: a key file in the data directory, created once, 0600.
	dir := t.TempDir()
	file := filepath.Join(dir, devKeysFile)
	var dev config
	if err := dev.resolveKeys(file, nil); err != nil {
		t.Fatal(err)
	}
	first := dev.secrets.ring.ActiveKeyID()
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("dev key file: %v, %v", fi, err)
	}
	if err := dev.resolveKeys(file, nil); err != nil || dev.secrets.ring.ActiveKeyID() != first {
		t.Errorf("second dev start: key %q, %v; want the same key %q", dev.secrets.ring.ActiveKeyID(), err, first)
	}
	// serve and worker refuse to run without keys, after saying what
	// else is missing.
	var none config
	if err := none.resolveKeys("", nil); err == nil || !strings.Contains(err.Error(), "ZHIDU_KEYS_FILE") {
		t.Errorf("no keys: %v", err)
	}
	err = run(context.Background(), []string{"worker", "--database-url", "postgres://127.0.0.1:1/x"}, func(string) string { return "" }, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "ZHIDU_PAYLOAD_KEYS") {
		t.Errorf("worker without keys: %v", err)
	}
}

func TestCodecEndpoint(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/api/v1/codec",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/api/v1/codec",
		":8080":          "http://127.0.0.1:8080/api/v1/codec",
		"[::1]:8080":     "http://[::1]:8080/api/v1/codec",
	} {
		if got := codecEndpoint(addr); got != want {
			t.Errorf("codecEndpoint(%q) = %q, want %q", addr, got, want)
		}
	}
}
