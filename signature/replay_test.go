package signature

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/zhidu/zhidu/payload"
	"github.com/zhidu/zhidu/workflows"
)

// TestOldHistoriesReplayWithCodecAndCheck replays the recorded histories —
// unencrypted and unsigned, as every history before this change — through
// a worker configured as zhidu's is now: the payload codec on its data
// converter and the actor check on its interceptors. Plain payloads pass
// through the codec, and neither the start check nor the update check
// runs on replay.
func TestOldHistoriesReplayWithCodecAndCheck(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "workflows", "testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no replay fixtures found")
	}
	ring, err := payload.NewKeyring([]payload.Key{payload.NewKey("p", time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	signer := mustSigner(t, payload.NewKey("a", time.Now()))
	dc := payload.DataConverter(ring)
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter:    dc,
				FailureConverter: payload.FailureConverter(dc),
				Interceptors:     []interceptor.WorkerInterceptor{signer.WorkerInterceptor()},
			})
			if err != nil {
				t.Fatal(err)
			}
			workflows.Register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(logger, file); err != nil {
				t.Errorf("replay %s: %v", file, err)
			}
		})
	}
}
