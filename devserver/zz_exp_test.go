package devserver

import (
	"context"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

func TestExpQuiet(t *testing.T) {
	if os.Getenv("EXP") != "quiet" {
		t.Skip()
	}
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		s, err := Start(Options{Dir: dir, UIPort: 0})
		if err != nil {
			t.Fatal(err)
		}
		c := dial(t, s)
		w := startWorker(t, c)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: testTaskQueue}, timerWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
		cancel()
		w.Stop()
		c.Close()
		s.Stop()
		os.Stderr.WriteString("---- stopped\n")
	}
	time.Sleep(3 * time.Second)
}
