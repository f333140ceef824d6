package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// inboxDrift lists the inbox rows the triggers got wrong: rows missing
// from the inbox table ("-") and rows it holds in excess ("+"), compared
// with inbox_source, the one definition of what it should hold.
func inboxDrift(t *testing.T, s *store.Store) []string {
	t.Helper()
	return lines(t, s, `
        SELECT concat_ws(' ', sign, task_id, key, entry, state, 'level', level, 'priority', priority, 'due', due_at) FROM (
            (SELECT '-' AS sign, task_id, key, entry, state, level, priority, due_at FROM inbox_source
             EXCEPT SELECT '-', task_id, key, entry, state, level, priority, due_at FROM inbox)
            UNION ALL
            (SELECT '+', task_id, key, entry, state, level, priority, due_at FROM inbox
             EXCEPT SELECT '+', task_id, key, entry, state, level, priority, due_at FROM inbox_source)) d`)
}

// missingParticipants lists the people a task names (assignee, delegate,
// completer, on whose behalf, candidate by name) who are not recorded as
// participants of its process (the read rule relies on them).
func missingParticipants(t *testing.T, s *store.Store) []string {
	t.Helper()
	return lines(t, s, `
        SELECT t.process_id || ' ' || u FROM tasks t,
            unnest(ARRAY[t.assignee, t.delegate, t.completed_by, t.on_behalf_of]) AS u WHERE u IS NOT NULL
        UNION SELECT t.process_id || ' ' || c.username FROM task_candidates c JOIN tasks t ON t.id = c.task_id WHERE c.username <> ''
        EXCEPT SELECT process_id || ' ' || username FROM participants`)
}

// lines returns the rows of a one-column text query.
func lines(t *testing.T, s *store.Store, sql string) []string {
	t.Helper()
	rows, err := s.Pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInboxFollowsTasks: after every kind of change to tasks the inbox
// table holds exactly what inbox_source says it should, and everyone a
// task names is a participant of its process.
func TestInboxFollowsTasks(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	head := store.Viewer{Username: "head", Clearance: zhidu.Secret, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}}}
	role := zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}
	check := func(after string) {
		t.Helper()
		if drift := inboxDrift(t, s); len(drift) > 0 {
			t.Fatalf("after %s the inbox differs from inbox_source:\n%v", after, drift)
		}
		if missing := missingParticipants(t, s); len(missing) > 0 {
			t.Fatalf("after %s these people named by tasks are not participants of their process: %v", after, missing)
		}
	}
	claim := func(id string) {
		t.Helper()
		d, err := s.TaskDetail(ctx, id, t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, head, d, t0); err != nil {
			t.Fatal(err)
		}
	}

	createTask(t, s, 0, zhidu.Internal, role)
	createTask(t, s, 1, zhidu.Internal, role, zhidu.Candidate{User: "ann"}, zhidu.Candidate{User: "bob"})
	createTask(t, s, 2, zhidu.Internal)
	// A task with exclusions has rows of its own before any candidate.
	in := zhidu.CreateTaskInput{TaskID: "t-x", CreatedAt: t0, Process: zhidu.ProcessInfo{ID: "approval-x", RunID: "run",
		Kind: "approval", Level: zhidu.Internal, Department: zhidu.DeptCS, StartedBy: "starter"},
		Spec: zhidu.TaskSpec{StepKey: "t-x", Step: "dept_head_approval", Title: zhidu.Text{Zh: "排除", En: "excluded"},
			Department: zhidu.DeptCS, Candidates: []zhidu.Candidate{role}, Excluded: []string{"starter"}, Level: zhidu.Internal,
			Priority: 2, Form: zhidu.Form{Outcomes: []string{"approve"}}}}
	if _, err := s.CreateTask(ctx, in); err != nil {
		t.Fatal(err)
	}
	check("creating tasks")
	if n := inboxRows(t, s, "t-0001"); n != 3 {
		t.Fatalf("a task with three candidates has %d inbox rows", n)
	}

	claim("t-0000")
	check("a claim")
	if err := s.AssignTask(ctx, zhidu.AssignRecord{EventKey: "d", TaskID: "t-0000", ProcessID: "approval-0000", Step: "s",
		Kind: zhidu.AssignDelegate, By: "head", Owner: "head", To: "ann", At: t0}); err != nil {
		t.Fatal(err)
	}
	check("a delegation")
	// The same assignment again (an activity retried after its answer was
	// lost): nothing is written twice, not even the audit entry.
	if err := s.AssignTask(ctx, zhidu.AssignRecord{EventKey: "d", TaskID: "t-0000", ProcessID: "approval-0000", Step: "s",
		Kind: zhidu.AssignDelegate, By: "head", Owner: "head", To: "ann", At: t0}); err != nil {
		t.Fatal(err)
	}
	var timelines, audits int
	if err := s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM timeline WHERE event_key = 'd'),
        (SELECT count(*) FROM audit WHERE object = 'task:t-0000' AND action = 'task.delegate')`).Scan(&timelines, &audits); err != nil {
		t.Fatal(err)
	}
	if timelines != 1 || audits != 1 {
		t.Errorf("a delegation recorded twice has %d timeline and %d audit entries, want 1 and 1", timelines, audits)
	}
	d, err := s.TaskDetail(ctx, "t-0000", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Unclaim(ctx, head, d.Task, t0); err != nil {
		t.Fatal(err)
	}
	check("an unclaim")
	if err := s.AssignTask(ctx, zhidu.AssignRecord{EventKey: "r", TaskID: "t-0001", ProcessID: "approval-0001", Step: "s",
		Kind: zhidu.AssignReassign, By: "head", To: "carl", At: t0}); err != nil {
		t.Fatal(err)
	}
	check("a reassignment")
	if _, err := s.RecordTaskEvent(ctx, zhidu.TaskEvent{EventKey: "e", TaskID: "t-0002", ProcessID: "approval-0002", Step: "s",
		Event: zhidu.EventEscalated, Rung: 1, AddCandidates: []zhidu.Candidate{role, {User: "dan"}}, At: t0}); err != nil {
		t.Fatal(err)
	}
	check("an escalation adding candidates")
	if err := s.SetProcessLevel(ctx, zhidu.LevelRecord{EventKey: "l", ProcessID: "approval-x", From: zhidu.Internal,
		To: zhidu.Secret, Actor: "head", Reason: "r", At: t0}); err != nil {
		t.Fatal(err)
	}
	check("a level change")
	claim("t-x")
	if err := s.CompleteTask(ctx, zhidu.CompletionRecord{TaskID: "t-x", ProcessID: "approval-x", Step: "s", Actor: "head",
		Outcome: "approve", At: t0}); err != nil {
		t.Fatal(err)
	}
	check("a completion")
	if n := inboxRows(t, s, "t-x"); n != 0 {
		t.Fatalf("a completed task has %d inbox rows", n)
	}
	if err := s.FinishProcess(ctx, zhidu.FinishRecord{ProcessID: "approval-0002", State: zhidu.ProcessCancelled, Actor: "head", At: t0}); err != nil {
		t.Fatal(err)
	}
	check("a cancel")
	if n := inboxRows(t, s, "t-0002"); n != 0 {
		t.Fatalf("a cancelled task has %d inbox rows", n)
	}
}

func inboxRows(t *testing.T, s *store.Store, task string) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM inbox WHERE task_id = $1`, task).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
