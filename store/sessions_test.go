package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

func TestPasswords(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "alice", zhidu.DeptCS, zhidu.Internal)
	putUser(t, s, "bob", zhidu.DeptCS, zhidu.Internal)
	if err := s.SetPassword(ctx, "alice", "correct horse"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, "nobody", "x"); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Fatalf("set password of a missing user: err = %v, want not found", err)
	}
	u, err := s.CheckPassword(ctx, "alice", "correct horse")
	if err != nil || u.Username != "alice" {
		t.Fatalf("right password: user %q, err %v", u.Username, err)
	}
	for _, tc := range []struct{ name, user, password string }{
		{"wrong password", "alice", "wrong"},
		{"unknown user", "nobody", "correct horse"},
		{"no password set", "bob", ""},
		{"empty password", "alice", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.CheckPassword(ctx, tc.user, tc.password); zhidu.ErrorCode(err) != zhidu.CodeUnauthenticated {
				t.Fatalf("err = %v, want unauthenticated", err)
			}
		})
	}
	if err := s.PutUser(ctx, store.User{Username: "alice", Name: "alice", Department: zhidu.DeptCS, Clearance: zhidu.Internal, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckPassword(ctx, "alice", "correct horse"); zhidu.ErrorCode(err) != zhidu.CodeUnauthenticated {
		t.Fatalf("disabled user: err = %v, want unauthenticated", err)
	}
}

func TestSessions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "alice", zhidu.DeptCS, zhidu.Internal)
	se, err := s.CreateSession(ctx, "alice", time.Hour, t0)
	if err != nil {
		t.Fatal(err)
	}
	if se.ID == "" || se.CSRF == "" || se.ID == se.CSRF {
		t.Fatalf("session ID %q and CSRF token %q must be distinct random values", se.ID, se.CSRF)
	}
	var stored int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM web_sessions WHERE id_hash = $1`, []byte(se.ID)).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the session ID must be stored hashed (found it in clear: %d, %v)", stored, err)
	}
	got, err := s.Session(ctx, se.ID, t0.Add(time.Minute))
	if err != nil || got.Username != "alice" || got.CSRF != se.CSRF {
		t.Fatalf("session = %+v, %v; want alice with the same CSRF token", got, err)
	}
	if _, err := s.Session(ctx, se.ID, t0.Add(2*time.Hour)); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Fatalf("expired session: err = %v, want not found", err)
	}
	if _, err := s.Session(ctx, "forged", t0); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Fatalf("unknown session: err = %v, want not found", err)
	}
	// A later sign-in sweeps expired sessions away.
	if _, err := s.CreateSession(ctx, "alice", time.Hour, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM web_sessions`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("sessions after the sweep = %d (%v), want 1", n, err)
	}
	if err := s.DeleteSession(ctx, se.ID); err != nil {
		t.Fatal(err)
	}
	// A disabled user's sessions stop working at once.
	se2, err := s.CreateSession(ctx, "alice", time.Hour, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutUser(ctx, store.User{Username: "alice", Name: "alice", Department: zhidu.DeptCS, Clearance: zhidu.Internal, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, se2.ID, t0.Add(3*time.Hour)); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Fatalf("a disabled user's session: err = %v, want not found", err)
	}
	if err := s.DeleteSession(ctx, se2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, se2.ID, t0); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Fatalf("signed-out session: err = %v, want not found", err)
	}
}
