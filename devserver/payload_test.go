package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu/payload"
)

func echoWorkflow(ctx workflow.Context, s string) (string, error) { return "echo: " + s, nil }

// TestPayloadsAreEncryptedInTheStore runs a workflow through a client with
// zhidu's payload codec and another through a plain one, then reads
// Temporal's SQLite files byte by byte: the plain workflow's secret is
// there (so the search would find one), the encrypted one's is not —
// neither its input, its result nor its memo. It also checks the Web UI is
// told about the codec endpoint.
func TestPayloadsAreEncryptedInTheStore(t *testing.T) {
	dir := t.TempDir()
	uiPort, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	const endpoint = "http://127.0.0.1:8080/api/v1/codec"
	s := startServer(t, Options{Dir: dir, UIPort: uiPort, Logger: testLogger(t), CodecEndpoint: endpoint})

	// The UI learns the codec endpoint, to be called with credentials.
	res, err := http.Get("http://" + s.UIAddress() + "/api/v1/settings")
	if err != nil {
		t.Fatal(err)
	}
	var settings struct {
		Codec struct {
			Endpoint           string
			IncludeCredentials bool
			DefaultErrorLink   string
		}
	}
	err = json.NewDecoder(res.Body).Decode(&settings)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if settings.Codec.Endpoint != endpoint || !settings.Codec.IncludeCredentials || settings.Codec.DefaultErrorLink != "http://127.0.0.1:8080/signin" {
		t.Errorf("UI codec settings = %+v, want %s with credentials", settings.Codec, endpoint)
	}

	ring, err := payload.NewKeyring([]payload.Key{payload.NewKey("p", time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	dial := func(dc *payload.Keyring) client.Client {
		o := client.Options{HostPort: s.Address(), Namespace: "default",
			Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
		if dc != nil {
			o.DataConverter = payload.DataConverter(dc)
		}
		c, err := client.Dial(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	nonce := strconv.FormatInt(time.Now().UnixNano(), 36)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	run := func(c client.Client, queue, secret string) {
		w := worker.New(c, queue, worker.Options{})
		w.RegisterWorkflow(echoWorkflow)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue + "-" + nonce, TaskQueue: queue,
			Memo: map[string]any{"title": secret + " memo"}}, echoWorkflow, secret)
		if err != nil {
			t.Fatal(err)
		}
		var out string
		if err := r.Get(ctx, &out); err != nil || out != "echo: "+secret {
			t.Fatalf("result = %q, %v", out, err)
		}
	}
	sealedSecret, plainSecret := "并购计划-sealed-"+nonce, "plain-"+nonce
	run(dial(ring), "sealed", sealedSecret)
	run(dial(nil), "plain", plainSecret)
	s.Stop()

	var store []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, DBFileName+suffix))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		store = append(store, b...)
	}
	if !bytes.Contains(store, []byte(plainSecret)) {
		t.Fatalf("the plain workflow's input is not in the store either: the check cannot see payloads")
	}
	if bytes.Contains(store, []byte(sealedSecret)) || bytes.Contains(store, []byte("并购计划")) {
		t.Error("the encrypted workflow's secret is in Temporal's SQLite file in clear text")
	}

}
