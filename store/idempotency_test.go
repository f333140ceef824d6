package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/zhidu/zhidu/store"
)

// TestIdempotencyKeys: a key is claimed once per user; the holder's row
// says what it was claimed for and, once finished, its answer; a released
// key is claimed again; a row past the retention or pending past the
// stale cut is taken over; the purge deletes what is past the retention
// and nothing else.
func TestIdempotencyKeys(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	ttl, stale := 24*time.Hour, time.Minute
	claim := func(c store.IdempotentCall, now time.Time) (bool, store.IdempotentAnswer) {
		t.Helper()
		ok, held, err := s.ClaimIdempotencyKey(ctx, c, now, now.Add(-ttl), now.Add(-stale))
		if err != nil {
			t.Fatal(err)
		}
		return ok, held
	}
	a := store.IdempotentCall{Claim: []byte("claim-1"), Username: "alice", KeyHash: []byte("key-a"), Method: "POST", Path: "/x", RequestHash: []byte("req-1")}
	if ok, _ := claim(a, t0); !ok {
		t.Fatal("a new key is not claimed")
	}
	stranger := a
	stranger.Claim = []byte("claim-other")
	if ok, held := claim(stranger, t0.Add(time.Second)); ok || held.Done || held.Method != "POST" || held.Path != "/x" ||
		!bytes.Equal(held.RequestHash, []byte("req-1")) || !held.CreatedAt.Equal(t0) {
		t.Fatalf("a held key: claimed %v, %+v", ok, held)
	}
	bob := a
	bob.Username = "bob"
	if ok, _ := claim(bob, t0); !ok {
		t.Fatal("another user's key of the same hash is not theirs")
	}
	// Only the request holding the row finishes it.
	if err := s.FinishIdempotencyKey(ctx, stranger, store.IdempotentAnswer{Status: 500}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseIdempotencyKey(ctx, stranger); err != nil {
		t.Fatal(err)
	}
	if _, held, _ := s.ClaimIdempotencyKey(ctx, stranger, t0, t0.Add(-ttl), t0.Add(-stale)); held.Done || held.Method != "POST" {
		t.Fatalf("another request finished or released the row: %+v", held)
	}
	// The holder's claim repeated (its answer lost) is its own again.
	if ok, _ := claim(a, t0.Add(2*time.Second)); !ok {
		t.Fatal("a request's repeated claim is not its own")
	}
	if err := s.FinishIdempotencyKey(ctx, a, store.IdempotentAnswer{Status: 201, ContentType: "application/json",
		Location: "/x/1", Body: []byte("sealed")}); err != nil {
		t.Fatal(err)
	}
	ok, held := claim(a, t0.Add(stale*10)) // done: never stale, only expired
	if ok || !held.Done || held.Status != 201 || held.Location != "/x/1" || string(held.Body) != "sealed" {
		t.Fatalf("a done key: claimed %v, %+v", ok, held)
	}
	if err := s.ReleaseIdempotencyKey(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.IdempotencyKey(ctx, "alice", a.KeyHash); err != nil || !found {
		t.Fatalf("release let a done key go: found %v, %v", found, err)
	}

	// Pending past the stale cut: a stopped server's; taken over, and
	// the same call from another request resumes it.
	if ok, held := claim(bob, t0.Add(2*stale)); !ok || held.Resumed {
		t.Fatalf("an abandoned pending key taken over by its own request: claimed %v, resumed %v", ok, held.Resumed)
	}
	bobAgain := bob
	bobAgain.Claim = []byte("claim-bob-2")
	if ok, held := claim(bobAgain, t0.Add(4*stale)); !ok || !held.Resumed {
		t.Fatalf("the same call abandoned by another request: claimed %v, resumed %v", ok, held.Resumed)
	}
	bobOther := bob
	bobOther.Claim, bobOther.RequestHash = []byte("claim-bob-3"), []byte("req-other")
	if ok, held := claim(bobOther, t0.Add(6*stale)); !ok || held.Resumed {
		t.Fatalf("another call over an abandoned key: claimed %v, resumed %v", ok, held.Resumed)
	}
	bob = bobOther
	// Released: claimed again.
	if err := s.ReleaseIdempotencyKey(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.IdempotencyKey(ctx, "bob", bob.KeyHash); found {
		t.Fatal("a released key is still there")
	}
	c := a
	c.KeyHash = []byte("key-c")
	if ok, _ := claim(c, t0.Add(time.Hour)); !ok {
		t.Fatal("key c")
	}
	// Past the retention: a done key is taken over by a new request.
	other := a
	other.RequestHash = []byte("req-2")
	if ok, _ := claim(other, t0.Add(ttl+3*time.Second)); !ok {
		t.Fatal("an expired key is not taken over")
	}
	if _, held, _ := s.ClaimIdempotencyKey(ctx, stranger, t0.Add(ttl+4*time.Second), t0, t0); held.Done || !bytes.Equal(held.RequestHash, []byte("req-2")) {
		t.Fatalf("the taken-over row: %+v", held)
	}

	// The purge: key c (created t0+1h) is past a retention ending at
	// t0+1h+1s; alice's (t0+ttl+3s) is not.
	n, err := s.PurgeIdempotencyKeys(ctx, t0.Add(time.Hour+time.Second))
	if err != nil || n != 1 {
		t.Fatalf("purge: %d rows, %v", n, err)
	}
	if _, found, _ := s.IdempotencyKey(ctx, "alice", c.KeyHash); found {
		t.Error("a purged key is still there")
	}
	if _, found, _ := s.IdempotencyKey(ctx, "alice", a.KeyHash); !found {
		t.Error("the purge deleted a key within the retention")
	}
}
