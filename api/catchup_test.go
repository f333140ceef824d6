package api

import (
	"context"
	"errors"
	"testing"

	"github.com/zhidu/zhidu"
)

// lateEngine answers task.not_in_process to the first behind updates, as
// a workflow replaying on another worker answers until it has caught up
// with its projection.
type lateEngine struct {
	noEngine
	behind, calls int
	other         error
}

func (e *lateEngine) Update(context.Context, string, string, any, any) error {
	e.calls++
	if e.calls <= e.behind {
		return zhidu.Fail(zhidu.CodeNotFound, zhidu.NoTaskInProcess("t-1"))
	}
	return e.other
}

// TestUpdateTaskCatchesUp: an update about a task the projection holds is
// sent again while its workflow does not know the task yet, answering 503
// (retry), not 404, if it has not caught up; any other answer is final at
// once.
func TestUpdateTaskCatchesUp(t *testing.T) {
	e := &lateEngine{behind: 3}
	s := &Server{Engine: e}
	if err := s.updateTask(context.Background(), "p-1", "CompleteTask", nil, nil); err != nil || e.calls != 4 {
		t.Fatalf("caught up: %v after %d calls, want nil after 4", err, e.calls)
	}
	refused := zhidu.Fail(zhidu.CodeForbidden, zhidu.ClaimFirst())
	e = &lateEngine{other: refused}
	s.Engine = e
	if err := s.updateTask(context.Background(), "p-1", "CompleteTask", nil, nil); !errors.Is(err, refused) || e.calls != 1 {
		t.Fatalf("a refusal: %v after %d calls, want it after 1", err, e.calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e = &lateEngine{behind: 100}
	s = &Server{Engine: e}
	var coded *zhidu.Error
	if err := s.updateTask(ctx, "p-1", "CompleteTask", nil, nil); !errors.As(err, &coded) || coded.Code != zhidu.CodeUnavailable || e.calls != 1 {
		t.Fatalf("a request that ended before the workflow caught up: %v after %d calls, want unavailable (retry) after 1", err, e.calls)
	}
}
