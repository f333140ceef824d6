package authz

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PolicyChannel is the PostgreSQL channel on which every change to policy
// lines, role links or disabled users is announced (by triggers).
const PolicyChannel = "zhidu_policy"

// Watch keeps the enforcer in step with PostgreSQL until ctx ends: it
// listens on PolicyChannel and reloads on every notification, so a change
// made through one API replica holds in every replica within a second.
// It reloads once more after every (re)connection, in case it missed one.
func (a *Authz) Watch(ctx context.Context, pool *pgxpool.Pool, ready func()) {
	for ctx.Err() == nil {
		err := a.listen(ctx, pool, ready)
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

func (a *Authz) listen(ctx context.Context, pool *pgxpool.Pool, ready func()) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+PolicyChannel); err != nil {
		return err
	}
	if err := a.Reload(); err != nil {
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
		if err := a.Reload(); err != nil {
			slog.Error("reload policy", "error", err, "channel", n.Channel)
		}
	}
}
