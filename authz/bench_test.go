package authz_test

import (
	"context"
	"testing"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/benchdata"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

// BenchmarkDecisions measures one decision, a reader's list scope, and
// who-can over the whole organisation, with 10,000 users' role links
// loaded in the enforcer.
func BenchmarkDecisions(b *testing.B) {
	ctx := context.Background()
	pool, err := store.Connect(ctx, pgtest.URL(b), 5)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool, nil); err != nil {
		b.Fatal(err)
	}
	if err := authz.InstallDefaultPolicy(ctx, pool); err != nil {
		b.Fatal(err)
	}
	loaded, err := benchdata.Load(ctx, pool, benchdata.Options{Users: 10_000, Tasks: 2})
	if err != nil {
		b.Fatal(err)
	}
	az, err := authz.New(pool)
	if err != nil {
		b.Fatal(err)
	}
	st := store.New(pool)
	users, err := st.Users(ctx)
	if err != nil {
		b.Fatal(err)
	}
	actors := make([]zhidu.Actor, len(users))
	for i, u := range users {
		actors[i] = u.Actor()
	}
	head := loaded.Samples[len(loaded.Samples)-1]
	reader := zhidu.Actor{Username: head.Username, Clearance: head.Clearance, Roles: head.Roles}
	secret := zhidu.ObjectFacts{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "p"}, Department: head.Roles[0].Department,
		Level: zhidu.Secret, StartedBy: "someone", Running: true}

	b.Run("decide-read-secret", func(b *testing.B) {
		for b.Loop() {
			if d, err := az.Decide(reader, secret, zhidu.ActRead); err != nil || !d.Allowed {
				b.Fatal(d, err)
			}
		}
	})
	b.Run("decide-cancel", func(b *testing.B) {
		for b.Loop() {
			if _, err := az.Decide(reader, secret, zhidu.ActCancel); err != nil {
				b.Fatal(err)
			}
		}
	})
	// What GET /authz/explain answers: the decision with its reasons, here
	// a denial that gets past the clearance check and asks the policy (an
	// internal-cleared staff member and an internal process of another
	// department they take no part in).
	staff := loaded.Samples[1]
	explainee := zhidu.Actor{Username: staff.Username, Clearance: staff.Clearance, Roles: staff.Roles}
	elsewhere := secret
	elsewhere.Level = zhidu.Internal
	for _, d := range zhidu.Departments() {
		if d != staff.Roles[0].Department && d != zhidu.DeptGMO {
			elsewhere.Department = d
			break
		}
	}
	b.Run("explain-denied", func(b *testing.B) {
		for b.Loop() {
			if d, err := az.Decide(explainee, elsewhere, zhidu.ActRead); err != nil || d.Allowed || len(d.Reasons) == 0 {
				b.Fatal(d, err)
			}
		}
	})
	b.Run("read-scope", func(b *testing.B) {
		for b.Loop() {
			if _, err := az.ReadScope(reader); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("who-can-10k-users", func(b *testing.B) {
		for b.Loop() {
			if _, err := az.WhoCan(actors, secret, zhidu.ActRead); err != nil {
				b.Fatal(err)
			}
		}
	})
}
