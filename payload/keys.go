// Package payload encrypts what zhidu hands Temporal — workflow and
// activity inputs and results, update arguments, query results, memos,
// failure details — with AES-256-GCM, so Temporal's database and its
// operators hold only ciphertext.
//
// Each encrypted payload names the key that sealed it and the workflow it
// belongs to, both authenticated: keys rotate (one active key encrypts,
// every key in the ring decrypts), old histories written before
// encryption decode unchanged, and the Web UI's codec endpoint knows, from
// the ciphertext itself, whose process a payload is.
//
// The package depends on the Temporal SDK only, never on the server.
package payload

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// KeySize is the length of every key: AES-256 for payloads, HMAC-SHA256
// for actor signatures.
const KeySize = 32

// Key is one named secret. IDs are written next to what the key sealed or
// signed, so they must stay stable and unique in a ring.
type Key struct {
	ID     string `json:"id"`
	Secret []byte `json:"key"` // base64 in JSON
}

// Keys are the secrets one deployment shares between its API and its
// workers. In each list the first key is the active one (it encrypts or
// signs); all of them decrypt or verify.
type Keys struct {
	Payload []Key `json:"payload"`
	Actor   []Key `json:"actor"`
}

// NewKey returns a fresh random key named prefix-YYYYMMDD-xxxx.
func NewKey(prefix string, now time.Time) Key {
	secret := make([]byte, KeySize)
	_, _ = rand.Read(secret)
	tag := make([]byte, 2)
	_, _ = rand.Read(tag)
	return Key{ID: fmt.Sprintf("%s-%s-%x", prefix, now.UTC().Format("20060102"), tag), Secret: secret}
}

// ParseKeys reads keys written as "id:base64,id:base64" (the form the
// ZHIDU_PAYLOAD_KEYS and ZHIDU_ACTOR_KEYS settings take); the first is the
// active one.
func ParseKeys(s string) ([]Key, error) {
	var out []Key
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, b64, ok := strings.Cut(item, ":")
		if !ok || id == "" {
			return nil, errors.New("a key is written id:base64")
		}
		secret, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", id, err)
		}
		out = append(out, Key{ID: id, Secret: secret})
	}
	return out, checkKeys(out)
}

// FormatKeys writes keys the way ParseKeys reads them.
func FormatKeys(keys []Key) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret)
	}
	return strings.Join(parts, ",")
}

func checkKeys(keys []Key) error {
	seen := map[string]bool{}
	for _, k := range keys {
		switch {
		case k.ID == "" || strings.ContainsAny(k.ID, ":,\x00"):
			return fmt.Errorf("key ID %q: must be non-empty, without ':', ',' or NUL", k.ID)
		case len(k.Secret) != KeySize:
			return fmt.Errorf("key %s: %d bytes, want %d", k.ID, len(k.Secret), KeySize)
		case seen[k.ID]:
			return fmt.Errorf("key %s appears twice", k.ID)
		}
		seen[k.ID] = true
	}
	return nil
}

// LoadFile reads a key file (JSON, as Keys). It refuses a file others may
// read.
func LoadFile(path string) (Keys, error) {
	var k Keys
	fi, err := os.Stat(path)
	if err != nil {
		return k, fmt.Errorf("key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return k, fmt.Errorf("key file %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return k, fmt.Errorf("key file: %w", err)
	}
	if err := json.Unmarshal(b, &k); err != nil {
		return k, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := errors.Join(checkKeys(k.Payload), checkKeys(k.Actor)); err != nil {
		return k, fmt.Errorf("key file %s: %w", path, err)
	}
	if len(k.Payload) == 0 || len(k.Actor) == 0 {
		return k, fmt.Errorf("key file %s: needs at least one payload and one actor key", path)
	}
	return k, nil
}

// LoadOrCreateFile reads the key file at path, or creates it (mode 0600)
// with one fresh key of each kind when there is none; created reports
// which.
func LoadOrCreateFile(path string, now time.Time) (k Keys, created bool, err error) {
	k, err = LoadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	k = Keys{Payload: []Key{NewKey("p", now)}, Actor: []Key{NewKey("a", now)}}
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return k, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return k, false, fmt.Errorf("key file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return k, false, fmt.Errorf("key file: %w", err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return k, false, fmt.Errorf("key file: %w", err)
	}
	return k, true, nil
}
