package payload

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

type secretDoc struct {
	Title  string         `json:"title"`
	Amount float64        `json:"amount"`
	Data   map[string]any `json:"data"`
}

func mustRing(t *testing.T, keys ...Key) *Keyring {
	t.Helper()
	kr, err := NewKeyring(keys)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func forWorkflow(dc converter.DataConverter, id string) converter.DataConverter {
	return converter.WithDataConverterSerializationContext(dc,
		converter.WorkflowSerializationContext{Namespace: "default", WorkflowID: id})
}

func TestCodecSealsAndOpens(t *testing.T) {
	k := NewKey("p", time.Now())
	kr := mustRing(t, k)
	dc := forWorkflow(DataConverter(kr), "approval-1")
	in := secretDoc{Title: "并购计划 价格8亿", Amount: 8e8, Data: map[string]any{"note": "华光"}}
	p, err := dc.ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	md := p.GetMetadata()
	if got := string(md[converter.MetadataEncoding]); got != EncodingEncrypted {
		t.Errorf("encoding = %q, want %q", got, EncodingEncrypted)
	}
	if got := string(md[MetaKeyID]); got != k.ID {
		t.Errorf("key ID = %q, want %q", got, k.ID)
	}
	if got := string(md[MetaWorkflowID]); got != "approval-1" {
		t.Errorf("workflow ID = %q, want approval-1", got)
	}
	for _, plain := range []string{"并购计划", "华光", "title", "json/plain"} {
		if bytes.Contains(p.GetData(), []byte(plain)) {
			t.Errorf("ciphertext contains %q", plain)
		}
	}
	var out secretDoc
	if err := dc.FromPayload(p, &out); err != nil {
		t.Fatal(err)
	}
	if out.Title != in.Title || out.Amount != in.Amount || out.Data["note"] != "华光" {
		t.Errorf("decoded %+v, want %+v", out, in)
	}
	// The same payload decodes with a converter given no context, or
	// another workflow's: the origin comes from the payload.
	if err := DataConverter(kr).FromPayload(p, &out); err != nil {
		t.Errorf("decode without context: %v", err)
	}
	plain, o, enc, err := kr.Open(p)
	if err != nil || !enc || o != (Origin{Namespace: "default", WorkflowID: "approval-1"}) {
		t.Errorf("Open = %v, %+v, %v, %v", plain, o, enc, err)
	}
}

func TestUnencryptedPayloadsPassThrough(t *testing.T) {
	kr := mustRing(t, NewKey("p", time.Now()))
	old, err := converter.GetDefaultDataConverter().ToPayload(secretDoc{Title: "old history"})
	if err != nil {
		t.Fatal(err)
	}
	var out secretDoc
	if err := DataConverter(kr).FromPayload(old, &out); err != nil || out.Title != "old history" {
		t.Fatalf("decode of an unencrypted payload = %+v, %v", out, err)
	}
	got, _, enc, err := kr.Open(old)
	if err != nil || enc || got != old {
		t.Errorf("Open(plain) = %v, %v, %v; want it unchanged", got, enc, err)
	}
}

func TestKeyRotation(t *testing.T) {
	now := time.Now()
	k1, k2 := NewKey("p", now), NewKey("p", now.Add(24*time.Hour))
	before := mustRing(t, k1)
	after := mustRing(t, k2, k1) // k2 encrypts, k1 still decrypts
	oldP, err := forWorkflow(DataConverter(before), "w").ToPayload("sealed with k1")
	if err != nil {
		t.Fatal(err)
	}
	newP, err := forWorkflow(DataConverter(after), "w").ToPayload("sealed with k2")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(newP.Metadata[MetaKeyID]); got != k2.ID {
		t.Errorf("new payload sealed with %q, want the active key %q", got, k2.ID)
	}
	var s string
	if err := DataConverter(after).FromPayload(oldP, &s); err != nil || s != "sealed with k1" {
		t.Errorf("old payload with the rotated ring = %q, %v", s, err)
	}
	if err := DataConverter(before).FromPayload(newP, &s); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("new payload with the old ring: err = %v, want ErrUnknownKey", err)
	}
}

func TestTamperedPayloadsFail(t *testing.T) {
	kr := mustRing(t, NewKey("p", time.Now()))
	seal := func() *commonpb.Payload {
		p, err := kr.Seal(&commonpb.Payload{Data: []byte(`"x"`)}, Origin{Namespace: "default", WorkflowID: "approval-a"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name   string
		tamper func(p *commonpb.Payload)
	}{
		{"workflow moved", func(p *commonpb.Payload) { p.Metadata[MetaWorkflowID] = []byte("approval-b") }},
		{"workflow removed", func(p *commonpb.Payload) { delete(p.Metadata, MetaWorkflowID) }},
		{"namespace changed", func(p *commonpb.Payload) { p.Metadata[MetaNamespace] = []byte("other") }},
		{"ciphertext flipped", func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 1 }},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:5] }},
		{"unknown key", func(p *commonpb.Payload) { p.Metadata[MetaKeyID] = []byte("nope") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := seal()
			tt.tamper(p)
			if _, _, _, err := kr.Open(p); err == nil {
				t.Error("a tampered payload opened")
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := NewKey("p", time.Now()), NewKey("q", time.Now())
	got, err := ParseKeys(FormatKeys([]Key{k1, k2}))
	if err != nil || len(got) != 2 || got[0].ID != k1.ID || !bytes.Equal(got[1].Secret, k2.Secret) {
		t.Fatalf("ParseKeys(FormatKeys) = %v, %v", got, err)
	}
	for _, bad := range []string{"nocolon", "k:!!!", "k:c2hvcnQ=", FormatKeys([]Key{k1, k1}), ":" + FormatKeys([]Key{k1})[len(k1.ID)+1:]} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	k, created, err := LoadOrCreateFile(path, time.Now())
	if err != nil || !created || len(k.Payload) != 1 || len(k.Actor) != 1 {
		t.Fatalf("first start: %+v, created %v, %v", k, created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %v, want 0600", perm)
	}
	again, created, err := LoadOrCreateFile(path, time.Now())
	if err != nil || created || again.Payload[0].ID != k.Payload[0].ID || !bytes.Equal(again.Actor[0].Secret, k.Actor[0].Secret) {
		t.Errorf("second start: %+v, created %v, %v; want the same keys", again, created, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("a world-readable key file: err = %v", err)
	}
}
