package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// TestReplay replays every recorded history against today's workflow
// code: a change that would break a running process (a missing
// workflow.GetVersion) fails here. Record new fixtures with
// `go run ./cmd/record-histories` before changing a workflow.
func TestReplay(t *testing.T) { replayHistories(t, filepath.Join("testdata", "histories")) }

// replayHistories replays every history in dir.
func replayHistories(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no histories in %s; record them with go run ./cmd/record-histories", dir)
	}
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			Register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(logger, file); err != nil {
				t.Errorf("replay %s: %v", file, err)
			}
		})
	}
}
