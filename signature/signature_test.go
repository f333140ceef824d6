package signature

import (
	"errors"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/payload"
)

func mustSigner(t *testing.T, keys ...payload.Key) *Signer {
	t.Helper()
	s, err := New(keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignAndVerify(t *testing.T) {
	now := time.Now()
	k1, k2 := payload.NewKey("a", now), payload.NewKey("a", now)
	s := mustSigner(t, k1)
	req := zhidu.CompleteTaskRequest{TaskID: "t-1", Actor: zhidu.Actor{Username: "cs.head", Clearance: zhidu.Secret},
		Assignee: "cs.head", Outcome: "approve", Data: map[string]any{"amount": int64(9007199254740993), "note": "ok"}}
	m := Message{Kind: KindUpdate, WorkflowID: "approval-1", Name: "CompleteTask", UpdateID: "u-1", Args: []any{req}}
	sig, err := s.Sign(m)
	if err != nil {
		t.Fatal(err)
	}
	// The worker verifies what it decoded: the same struct after a trip
	// through JSON.
	decoded, err := asDecoded(m.Args)
	if err != nil {
		t.Fatal(err)
	}
	worker := m
	worker.Args = decoded
	if err := s.Verify(sig, worker, now); err != nil {
		t.Fatalf("a genuine signature: %v", err)
	}
	forged := req
	forged.Actor.Username = "cs.agent"
	otherArgs := forged
	otherArgs.Data = map[string]any{"amount": 1.0, "note": "ok"}
	tests := []struct {
		name string
		m    Message
		now  time.Time
		s    *Signer
		want error
	}{
		{"other actor", Message{Kind: KindUpdate, WorkflowID: "approval-1", Name: "CompleteTask", UpdateID: "u-1", Args: []any{forged}}, now, s, ErrInvalid},
		{"other data", Message{Kind: KindUpdate, WorkflowID: "approval-1", Name: "CompleteTask", UpdateID: "u-1", Args: []any{otherArgs}}, now, s, ErrInvalid},
		{"other process", Message{Kind: KindUpdate, WorkflowID: "approval-2", Name: "CompleteTask", UpdateID: "u-1", Args: decoded}, now, s, ErrInvalid},
		{"other update", Message{Kind: KindUpdate, WorkflowID: "approval-1", Name: "CancelProcess", UpdateID: "u-1", Args: decoded}, now, s, ErrInvalid},
		{"other update ID", Message{Kind: KindUpdate, WorkflowID: "approval-1", Name: "CompleteTask", UpdateID: "u-2", Args: decoded}, now, s, ErrInvalid},
		{"as a start", Message{Kind: KindStart, WorkflowID: "approval-1", Name: "CompleteTask", UpdateID: "u-1", Args: decoded}, now, s, ErrInvalid},
		{"stale", worker, now.Add(MaxAge + time.Minute), s, ErrStale},
		{"future", worker, now.Add(-MaxAge - time.Minute), s, ErrStale},
		{"another deployment's key", worker, now, mustSigner(t, k2), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Verify(sig, tt.m, tt.now); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if err := s.Verify(nil, worker, now); !errors.Is(err, ErrMissing) {
		t.Errorf("no signature: %v, want ErrMissing", err)
	}
	// Rotation: a ring whose active key is new still verifies the old.
	if err := mustSigner(t, k2, k1).Verify(sig, worker, now); err != nil {
		t.Errorf("old signature with the rotated ring: %v", err)
	}
}
