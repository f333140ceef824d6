package authz

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PolicyChannel is the PostgreSQL channel on which every change to policy
// lines, role links, users or designations is announced (by triggers); the
// payload is the table's name.
const PolicyChannel = "zhidu_policy"

// notEnforced names the announcing tables the enforcer does not read: a
// change there calls the callbacks without reloading the policy.
var notEnforced = map[string]bool{"designations": true}

// Watch keeps the enforcer in step with PostgreSQL until ctx ends: it
// listens on PolicyChannel and reloads on every notification, so a change
// made through one API replica holds in every replica within a second.
// It reloads once more after every (re)connection, in case it missed one.
//
// Each of onChange (e.g. emptying a cache of users) is called after every
// notification, once the policy is reloaded, and after every
// (re)connection, before ready.
func (a *Authz) Watch(ctx context.Context, pool *pgxpool.Pool, ready func(), onChange ...func()) {
	for ctx.Err() == nil {
		err := a.listen(ctx, pool, ready, onChange)
		ready = nil
		if ctx.Err() != nil {
			return
		}
		slog.Warn("policy listener stopped; reconnecting", "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (a *Authz) listen(ctx context.Context, pool *pgxpool.Pool, ready func(), onChange []func()) error {
	changed := func() {
		for _, f := range onChange {
			f()
		}
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+PolicyChannel); err != nil {
		return err
	}
	// Anything may have changed while nobody listened.
	err = a.Reload()
	changed()
	if err != nil {
		return err
	}
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if !notEnforced[n.Payload] {
			if err := a.Reload(); err != nil {
				slog.Error("reload policy", "error", err, "channel", n.Channel, "table", n.Payload)
			}
		}
		changed()
	}
}
