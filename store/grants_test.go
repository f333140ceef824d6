package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// TestGrants: a grant is written once however often its activity runs,
// opens its process to the grantee in the SQL read rule from its grant
// to its stored expiry (at the viewer's time), and is taken back once —
// the first ending counts; each write has its timeline and audit entries.
func TestGrants(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "hr.head", zhidu.DeptHR, zhidu.Confidential, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptHR})
	putUser(t, s, "sales.head", zhidu.DeptSales, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales})
	putUser(t, s, "sales.rep", zhidu.DeptSales, zhidu.Internal, zhidu.RoleGrant{Role: zhidu.RoleStaff, Department: zhidu.DeptSales})
	putFile(t, s, "hr-file", zhidu.Secret, nil, nil)
	putFile(t, s, "fa-1", zhidu.Internal, nil, nil) // stands for the file-access process
	g := zhidu.GrantRecord{Grant: zhidu.Grant{ID: "fa-1", Grantee: "sales.head", Target: "process:hr-file", GrantedAt: t0,
		ExpiresAt: t0.Add(time.Hour), ApprovedBy: "gm"}, Reason: "核对"}
	for range 2 {
		if err := s.WriteGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	at := func(v store.Viewer, when time.Time) store.Viewer { v.Now = when; return v }
	for _, tc := range []struct {
		v    store.Viewer
		want bool
	}{
		{at(salesHead, t0.Add(-time.Minute)), false},
		{at(salesHead, t0), true},
		{at(salesHead, t0.Add(59*time.Minute)), true},
		{at(salesHead, t0.Add(time.Hour)), false},
		{at(salesRep, t0.Add(time.Minute)), false}, // not the grantee
	} {
		if got := slices.Contains(listed(t, s, tc.v), "hr-file"); got != tc.want {
			t.Errorf("%s at %v lists the file: %v, want %v", tc.v.Username, tc.v.Now, got, tc.want)
		}
	}
	_, f, err := s.Process(ctx, at(salesHead, t0), "hr-file", t0)
	if err != nil || len(f.Grants) != 1 || f.Grants[0].ApprovedBy != "gm" || !f.Grants[0].ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("facts grants = %+v, %v", f.Grants, err)
	}
	end := zhidu.GrantRevocation{ID: "fa-1", By: "sales.head", Ending: zhidu.GrantReturned, Reason: "看完了", At: t0.Add(10 * time.Minute)}
	later := zhidu.GrantRevocation{ID: "fa-1", By: "system", Ending: zhidu.GrantExpired, At: t0.Add(time.Hour)}
	for _, r := range []zhidu.GrantRevocation{end, end, later} {
		if err := s.RevokeGrant(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if slices.Contains(listed(t, s, at(salesHead, t0.Add(20*time.Minute))), "hr-file") {
		t.Error("a returned grant still opens the file")
	}
	if _, f, _ = s.Process(ctx, salesHead, "hr-file", t0); len(f.Grants) != 0 {
		t.Errorf("a revoked grant is loaded: %+v", f.Grants)
	}
	row, err := s.GrantByID(ctx, "fa-1", t0.Add(20*time.Minute))
	if err != nil || row.Ending != zhidu.GrantReturned || row.RevokeReason != "看完了" || row.Active || row.RevokedBy == nil || *row.RevokedBy != "sales.head" {
		t.Errorf("grant row = %+v, %v", row, err)
	}
	active := false
	rows, err := s.Grants(ctx, store.GrantFilter{Grantee: "sales.head", Active: &active, Now: t0})
	if err != nil || len(rows) != 1 {
		t.Errorf("ended grants = %+v, %v", rows, err)
	}
	var timeline, audit int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM timeline WHERE process_id = 'fa-1' AND action LIKE 'grant_%'`).Scan(&timeline); err != nil {
		t.Fatal(err)
	}
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM audit WHERE action LIKE 'grant.%'`).Scan(&audit); err != nil {
		t.Fatal(err)
	}
	if timeline != 2 || audit != 2 {
		t.Errorf("timeline %d, audit %d grant entries; want 2 and 2 (written once each)", timeline, audit)
	}
}
