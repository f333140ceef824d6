package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// counts returns the number of rows each query (SELECT count(*) ...) finds.
func counts(t *testing.T, s *store.Store, queries ...string) []int {
	t.Helper()
	out := make([]int, len(queries))
	for i, q := range queries {
		if err := s.Pool.QueryRow(context.Background(), q).Scan(&out[i]); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return out
}

// TestBatchIsOneTransaction: a batch whose last statement fails leaves
// nothing of the ones before it. Every projection write relies on this.
func TestBatchIsOneTransaction(t *testing.T) {
	s := newStore(t)
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO timeline (process_id, event_key, at, action) VALUES ('p', 'k', now(), 'x')`)
	b.Queue(`SELECT 1 / 0`)
	if err := s.Send(context.Background(), b); err == nil {
		t.Fatal("a batch dividing by zero succeeded")
	}
	if n := counts(t, s, `SELECT count(*) FROM timeline WHERE event_key = 'k'`)[0]; n != 0 {
		t.Fatalf("the failed batch left %d timeline rows", n)
	}
}

// TestProjectionWritesHappenOnce: completing, finishing and cancelling are
// each written once, with their timeline and audit entries, however often
// an activity retries them; a task created after a cancel leaves nothing.
func TestProjectionWritesHappenOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	cand := zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}
	done := createTask(t, s, 1, zhidu.Internal, cand)
	open := createTask(t, s, 2, zhidu.Internal, cand)

	complete := zhidu.CompletionRecord{TaskID: done, ProcessID: "approval-0001", Step: "dept_head_approval", Actor: "head",
		Outcome: "approve", Data: map[string]any{"note": "ok"}, At: t0}
	for range 2 {
		if err := s.CompleteTask(ctx, complete); err != nil {
			t.Fatal(err)
		}
	}
	got := counts(t, s,
		`SELECT count(*) FROM tasks WHERE id = 't-0001' AND state = 'completed' AND completed_by = 'head' AND outcome = 'approve'`,
		`SELECT count(*) FROM timeline WHERE task_id = 't-0001' AND action = 'task_completed'`,
		`SELECT count(*) FROM audit WHERE object = 'task:t-0001' AND action = 'task.complete' AND actor = 'head'`)
	if got[0] != 1 || got[1] != 1 || got[2] != 1 {
		t.Fatalf("after a retried completion: task completed %d, timeline %d, audit %d; want 1 each", got[0], got[1], got[2])
	}

	cancel := zhidu.FinishRecord{ProcessID: "approval-0002", State: zhidu.ProcessCancelled, Actor: "head", Reason: "duplicate", At: t0}
	for range 2 {
		if err := s.FinishProcess(ctx, cancel); err != nil {
			t.Fatal(err)
		}
	}
	got = counts(t, s,
		`SELECT count(*) FROM processes WHERE id = 'approval-0002' AND state = 'cancelled'`,
		`SELECT count(*) FROM tasks WHERE id = '`+open+`' AND state = 'cancelled'`,
		`SELECT count(*) FROM timeline WHERE process_id = 'approval-0002' AND action = 'process_cancelled'`,
		`SELECT count(*) FROM audit WHERE object = 'process:approval-0002' AND action = 'process.cancel'`)
	if got[0] != 1 || got[1] != 1 || got[2] != 1 || got[3] != 1 {
		t.Fatalf("after a retried cancel: process %d, task %d, timeline %d, audit %d; want 1 each", got[0], got[1], got[2], got[3])
	}

	// A completed process's open tasks stay as they are, and no audit entry is written.
	if err := s.FinishProcess(ctx, zhidu.FinishRecord{ProcessID: "approval-0001", State: zhidu.ProcessCompleted, Result: "approved", At: t0}); err != nil {
		t.Fatal(err)
	}
	got = counts(t, s,
		`SELECT count(*) FROM processes WHERE id = 'approval-0001' AND state = 'completed' AND result = 'approved'`,
		`SELECT count(*) FROM audit WHERE object = 'process:approval-0001'`)
	if got[0] != 1 || got[1] != 0 {
		t.Fatalf("after completing: process %d (want 1), audit entries %d (want 0)", got[0], got[1])
	}

	// A step the workflow reaches after the cancel puts nothing in the inbox.
	in := zhidu.CreateTaskInput{TaskID: "t-late", CreatedAt: t0,
		Process: zhidu.ProcessInfo{ID: "approval-0002", RunID: "run", Kind: "approval", Level: zhidu.Internal, Department: zhidu.DeptCS},
		Spec:    zhidu.TaskSpec{StepKey: "late", Step: "late", Candidates: []zhidu.Candidate{cand}, Form: zhidu.Form{Outcomes: []string{"ok"}}}}
	if _, err := s.CreateTask(ctx, in); err != nil {
		t.Fatal(err)
	}
	got = counts(t, s,
		`SELECT count(*) FROM tasks WHERE id = 't-late'`,
		`SELECT count(*) FROM task_candidates WHERE task_id = 't-late'`,
		`SELECT count(*) FROM timeline WHERE task_id = 't-late'`,
		`SELECT count(*) FROM inbox WHERE task_id = 't-late'`)
	if got[0]+got[1]+got[2]+got[3] != 0 {
		t.Fatalf("a task created after the cancel left rows: tasks %d, candidates %d, timeline %d, inbox %d", got[0], got[1], got[2], got[3])
	}
}

// TestCreateTaskWhileStartIsRecorded: a workflow's first step that runs
// while the API is still recording the start (its row written, not yet
// committed) waits for it and then puts the task in the inbox.
func TestCreateTaskWhileStartIsRecorded(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	start, err := s.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer start.Rollback(ctx)
	if _, err := start.Exec(ctx, `INSERT INTO processes (id, run_id, kind, title, level, department, started_by, started_at, input)
        VALUES ('approval-race', 'run', 'approval', 'race', 1, 'cs', 'starter', now(), '{"title": "race"}')`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.CreateTask(ctx, zhidu.CreateTaskInput{TaskID: "t-race", CreatedAt: t0,
			Process: zhidu.ProcessInfo{ID: "approval-race", RunID: "run", Kind: "approval", Level: zhidu.Internal, Department: zhidu.DeptCS, StartedBy: "starter"},
			Spec: zhidu.TaskSpec{StepKey: "race", Step: "dept_head_approval", Department: zhidu.DeptCS,
				Candidates: []zhidu.Candidate{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}}, Form: zhidu.Form{Outcomes: []string{"ok"}}}})
		done <- err
	}()
	// Commit the start only once the task's writer waits for it.
	for waited := 0; ; waited++ {
		var waiting int
		if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO processes%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if waited == 1000 {
			t.Fatal("the task's writer never waited for the start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := start.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := counts(t, s,
		`SELECT count(*) FROM tasks WHERE id = 't-race'`,
		`SELECT count(*) FROM task_candidates WHERE task_id = 't-race'`,
		`SELECT count(*) FROM timeline WHERE task_id = 't-race' AND action = 'task_created'`,
		`SELECT count(*) FROM inbox WHERE task_id = 't-race' AND key = 'r:dept_head@cs'`)
	if got[0] != 1 || got[1] != 1 || got[2] != 1 || got[3] != 1 {
		t.Fatalf("task %d, candidates %d, timeline %d, inbox %d; want 1 each", got[0], got[1], got[2], got[3])
	}
}
