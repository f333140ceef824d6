package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
	"github.com/zhidu/zhidu/store"
)

func matrixAudit(t *testing.T, s *store.Store) []string {
	t.Helper()
	rows, err := s.Pool.Query(context.Background(), `SELECT action || ' ' || object || ' ' || actor FROM audit
        WHERE action LIKE 'admin.approval_matrix.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestMatrixVersions: a migrated database starts with the seed active; a
// proposal is the next version, audited; one proposal at a time; the GM's
// approval activates it and supersedes the old one, a rejection leaves the
// active one; decisions are idempotent and only the version's own process
// decides it.
func TestMatrixVersions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t) // migrated twice: one seed
	active, pending, err := s.CurrentMatrix(ctx)
	if err != nil || pending != nil || active.Version != 1 || active.State != store.MatrixActive || !matrix.Equal(active.Document, matrix.Seed()) ||
		active.ProposedBy != "zhidu-migrate" || active.DecidedAt == nil {
		t.Fatalf("after migrating: %+v, %v, %v", active, pending, err)
	}
	if n := counts(t, s, `SELECT count(*) FROM approval_matrix_versions`)[0]; n != 1 {
		t.Fatalf("%d versions after migrating twice, want 1", n)
	}

	change := store.AdminChange{Actor: "secadmin", Address: "10.0.0.9"}
	doc := matrix.Seed()
	doc.Rules[3].Steps = doc.Rules[3].Steps[:1]
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	v2, err := s.ProposeMatrix(ctx, change, store.MatrixProposal{Document: doc, Note: "no finance review below ¥2,000", Base: 1,
		ProcessID: "matrix_change-a", At: at, Detail: map[string]any{"changes": []string{"~ rules[3]"}}})
	if err != nil || v2.Version != 2 || v2.State != store.MatrixProposed || *v2.BaseVersion != 1 || v2.ProcessID != "matrix_change-a" ||
		!matrix.Equal(v2.Document, doc) || v2.Note == "" || !v2.ProposedAt.Equal(at) {
		t.Fatalf("proposal = %+v, %v", v2, err)
	}
	// One proposal at a time; a proposal based on another version is refused.
	_, err = s.ProposeMatrix(ctx, change, store.MatrixProposal{Document: doc, Base: 1, ProcessID: "matrix_change-b", At: at})
	if zhidu.ErrorCode(err) != zhidu.CodeConflict || !strings.Contains(err.Error(), "version 2 awaits the GM's decision") {
		t.Errorf("second proposal: %v", err)
	}
	if _, pending, _ := s.CurrentMatrix(ctx); pending == nil || pending.Version != 2 {
		t.Errorf("pending = %+v", pending)
	}

	// Only its own process decides it; then approval activates it, once.
	if err := s.DecideMatrix(ctx, store.MatrixDecision{Version: 2, ProcessID: "matrix_change-b", Approve: true, Actor: "gm", At: at}); zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Errorf("another process's decision: %v", err)
	}
	d := store.MatrixDecision{Version: 2, ProcessID: "matrix_change-a", Approve: true, Actor: "gm", Address: "10.0.0.1", Reason: "agreed", At: at.Add(time.Hour)}
	for range 2 {
		if err := s.DecideMatrix(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	active, pending, err = s.CurrentMatrix(ctx)
	if err != nil || pending != nil || active.Version != 2 || active.DecidedBy != "gm" || active.Reason != "agreed" {
		t.Fatalf("after approval: %+v %+v %v", active, pending, err)
	}
	v1, err := s.MatrixVersion(ctx, 1)
	if err != nil || v1.State != store.MatrixSuperseded || v1.SupersededAt == nil || !matrix.Equal(v1.Document, matrix.Seed()) {
		t.Errorf("version 1 = %+v, %v", v1, err)
	}
	if err := s.DecideMatrix(ctx, store.MatrixDecision{Version: 2, ProcessID: "matrix_change-a", Actor: "gm", At: at}); zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Errorf("rejecting the active version: %v", err)
	}

	// The next proposal is based on version 2; rejected, version 2 stays.
	if _, err := s.ProposeMatrix(ctx, change, store.MatrixProposal{Document: matrix.Seed(), Base: 1, ProcessID: "matrix_change-c", At: at}); zhidu.ErrorCode(err) != zhidu.CodeConflict ||
		!strings.Contains(err.Error(), "the active version changed") {
		t.Errorf("a proposal on a superseded base: %v", err)
	}
	v3, err := s.ProposeMatrix(ctx, change, store.MatrixProposal{Document: matrix.Seed(), Base: 2, ProcessID: "matrix_change-c", At: at})
	if err != nil || v3.Version != 3 || *v3.BaseVersion != 2 {
		t.Fatalf("proposal 3 = %+v, %v", v3, err)
	}
	if err := s.DecideMatrix(ctx, store.MatrixDecision{Version: 3, ProcessID: "matrix_change-c", Actor: "gm", Reason: "keep version 2", At: at}); err != nil {
		t.Fatal(err)
	}
	if active, _, _ := s.CurrentMatrix(ctx); active.Version != 2 {
		t.Errorf("after rejection the active version is %d", active.Version)
	}
	if v3, _ := s.MatrixVersion(ctx, 3); v3.State != store.MatrixRejected || v3.Reason != "keep version 2" {
		t.Errorf("version 3 = %+v", v3)
	}
	if _, err := s.MatrixVersion(ctx, 9); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("version 9: %v", err)
	}

	want := []string{
		"admin.approval_matrix.propose approval-matrix:2 secadmin",
		"admin.approval_matrix.approve approval-matrix:2 gm",
		"admin.approval_matrix.activate approval-matrix:2 gm",
		"admin.approval_matrix.propose approval-matrix:3 secadmin",
		"admin.approval_matrix.reject approval-matrix:3 gm",
	}
	if got := matrixAudit(t, s); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var detail string
	if err := s.Pool.QueryRow(ctx, `SELECT detail::text FROM audit WHERE action = 'admin.approval_matrix.propose' ORDER BY id LIMIT 1`).Scan(&detail); err != nil ||
		!strings.Contains(detail, `"version": 2`) || !strings.Contains(detail, `"base_version": 1`) || !strings.Contains(detail, `"changes"`) {
		t.Errorf("proposal audit detail = %s, %v", detail, err)
	}
	if err := s.Pool.QueryRow(ctx, `SELECT detail::text FROM audit WHERE action = 'admin.approval_matrix.activate'`).Scan(&detail); err != nil ||
		!strings.Contains(detail, `"from": 1`) || !strings.Contains(detail, `"to": 2`) {
		t.Errorf("activation audit detail = %s, %v", detail, err)
	}
	if v, err := s.VerifyAudit(ctx); err != nil || !v.OK {
		t.Errorf("audit chain: %+v, %v", v, err)
	}
}

// TestMatrixVersionsAreKept: PostgreSQL itself keeps every version as it
// was proposed, lets states move only forward, and keeps exactly one
// version active.
func TestMatrixVersionsAreKept(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.ProposeMatrix(ctx, store.AdminChange{Actor: "secadmin"}, store.MatrixProposal{Document: matrix.Seed(), Base: 1,
		ProcessID: "matrix_change-x", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`DELETE FROM approval_matrix_versions WHERE version = 2`,
		`UPDATE approval_matrix_versions SET document = '{"rules": []}' WHERE version = 1`,
		`UPDATE approval_matrix_versions SET proposed_by = 'someone' WHERE version = 2`,
		`UPDATE approval_matrix_versions SET state = 'proposed' WHERE version = 1`,
		`UPDATE approval_matrix_versions SET state = 'superseded' WHERE version = 1`, // none active at commit
		`UPDATE approval_matrix_versions SET state = 'active' WHERE version = 2`,     // two active
		`INSERT INTO approval_matrix_versions (version, document, state, proposed_by, proposed_at) VALUES (3, '{}', 'active', 'x', now())`,
	} {
		if _, err := s.Pool.Exec(ctx, sql); err == nil {
			t.Errorf("%s: allowed", sql)
		}
	}
	if n := counts(t, s, `SELECT count(*) FROM approval_matrix_versions WHERE state = 'active' AND version = 1`)[0]; n != 1 {
		t.Errorf("version 1 is no longer the active one")
	}
}
