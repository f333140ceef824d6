// Package benchdata loads a large synthetic organisation and inbox into
// PostgreSQL with COPY, for the inbox benchmarks (go test -bench and
// zhidu bench inbox). The data is deterministic for a seed.
package benchdata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu"
)

// Options size the data set.
type Options struct {
	Users int // default 10,000
	Tasks int // default 1,000,000; two tasks per process
	Seed  uint64
	// Progress, when set, is told what is being loaded.
	Progress func(step string, done, total int)
}

// Sample users of the loaded organisation, one per clearance, for
// benchmarks to read as.
type Sample struct {
	Username  string
	Clearance zhidu.Level
	Roles     []zhidu.RoleGrant
}

// Loaded describes the loaded data.
type Loaded struct {
	Users, Processes, Tasks int
	Samples                 []Sample
	Took                    time.Duration
}

var levelWeights = []struct {
	level  zhidu.Level
	weight int
}{{zhidu.Public, 25}, {zhidu.Internal, 40}, {zhidu.Secret, 20}, {zhidu.Confidential, 10}, {zhidu.TopSecret, 5}}

func pickLevel(r *rand.Rand) zhidu.Level {
	n := r.IntN(100)
	for _, w := range levelWeights {
		if n < w.weight {
			return w.level
		}
		n -= w.weight
	}
	return zhidu.Internal
}

type user struct {
	name      string
	dept      zhidu.Department
	clearance zhidu.Level
	role      zhidu.Role
}

// Load fills an empty, migrated database. Triggers are bypassed for speed
// (session_replication_role = replica) and the tables they would fill are
// computed afterwards in bulk.
func Load(ctx context.Context, pool *pgxpool.Pool, opt Options) (Loaded, error) {
	began := time.Now()
	if opt.Users == 0 {
		opt.Users = 10_000
	}
	if opt.Tasks == 0 {
		opt.Tasks = 1_000_000
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	r := rand.New(rand.NewPCG(opt.Seed, 42))
	depts := zhidu.Departments()

	// People: per department mostly staff, a few supervisors, one head per
	// 100; VPs in charge of two departments each.
	users := make([]user, opt.Users)
	byDept := map[zhidu.Department][]int{}
	for i := range users {
		d := depts[i%len(depts)]
		u := user{name: fmt.Sprintf("u%05d", i), dept: d, role: zhidu.RoleStaff, clearance: zhidu.Internal}
		switch {
		case i%100 == 0:
			u.role, u.clearance = zhidu.RoleDeptHead, zhidu.Confidential
		case i%100 == 1:
			u.role, u.clearance = zhidu.RoleVP, zhidu.Confidential
		case i%10 == 2:
			u.role, u.clearance = zhidu.RoleSupervisor, zhidu.Secret
		case i%7 == 3:
			u.clearance = zhidu.Public
		}
		users[i] = u
		byDept[d] = append(byDept[d], i)
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return Loaded{}, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		return Loaded{}, fmt.Errorf("bypass triggers: %w", err)
	}
	defer conn.Exec(context.Background(), `SET session_replication_role = DEFAULT`)

	progress("users", 0, opt.Users)
	if _, err := conn.Conn().CopyFrom(ctx, pgx.Identifier{"users"}, []string{"username", "name", "department", "clearance"},
		pgx.CopyFromSlice(len(users), func(i int) ([]any, error) {
			u := users[i]
			return []any{u.name, "用户 " + u.name, string(u.dept), int16(u.clearance)}, nil
		})); err != nil {
		return Loaded{}, fmt.Errorf("copy users: %w", err)
	}
	var grants [][]any
	for i, u := range users {
		grants = append(grants, []any{u.name, string(u.role), string(u.dept)})
		if u.role == zhidu.RoleVP {
			grants = append(grants, []any{u.name, string(u.role), string(depts[(i%len(depts)+1)%len(depts)])})
		}
	}
	if _, err := conn.Conn().CopyFrom(ctx, pgx.Identifier{"user_roles"}, []string{"username", "role", "department"},
		pgx.CopyFromRows(grants)); err != nil {
		return Loaded{}, fmt.Errorf("copy roles: %w", err)
	}
	progress("users", opt.Users, opt.Users)

	// Processes and tasks, in batches.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	form := []byte(`{"fields":[],"outcomes":["approve","reject"]}`)
	const batch = 50_000
	processes := opt.Tasks / 2
	for lo := 0; lo < processes; lo += batch / 2 {
		hi := min(lo+batch/2, processes)
		var procRows, taskRows, candRows [][]any
		for p := lo; p < hi; p++ {
			d := depts[r.IntN(len(depts))]
			members := byDept[d]
			starter := users[members[r.IntN(len(members))]].name
			level := pickLevel(r)
			pid := fmt.Sprintf("bench-%07d", p)
			at := start.Add(time.Duration(p) * 30 * time.Second)
			state := "completed"
			if p >= processes-processes/3 {
				state = "running"
			}
			procRows = append(procRows, []any{pid, "run-" + pid, "approval", "采购申请 " + pid, state, int16(level), string(d), starter, at})
			for step := range 2 {
				tid := fmt.Sprintf("t-%07d-%d", p, step)
				taskState, assignee := "completed", users[members[r.IntN(len(members))]].name
				var completedBy any = assignee
				if state == "running" && step == 1 {
					taskState, completedBy = "open", nil
					if r.IntN(4) == 0 {
						taskState = "claimed"
					} else {
						assignee = ""
					}
				}
				var assigneeV any
				if assignee != "" {
					assigneeV = assignee
				}
				role := zhidu.RoleDeptHead
				if step == 1 {
					role = []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleVP}[r.IntN(3)]
				}
				due := at.Add(48 * time.Hour)
				taskRows = append(taskRows, []any{tid, pid, "run-" + pid, fmt.Sprintf("s%d", step), "approval", "approval_step",
					"审批 " + pid, "Approval " + pid, string(d), taskState, assigneeV, int16(level), int16(1 + r.IntN(4)), form,
					[]string{starter}, due, at.Add(time.Duration(step) * time.Hour), completedBy})
				candRows = append(candRows, []any{tid, "", string(role), string(d)})
			}
		}
		if _, err := conn.Conn().CopyFrom(ctx, pgx.Identifier{"processes"},
			[]string{"id", "run_id", "kind", "title", "state", "level", "department", "started_by", "started_at"},
			pgx.CopyFromRows(procRows)); err != nil {
			return Loaded{}, fmt.Errorf("copy processes: %w", err)
		}
		if _, err := conn.Conn().CopyFrom(ctx, pgx.Identifier{"tasks"},
			[]string{"id", "process_id", "run_id", "step_key", "kind", "step", "title_zh", "title_en", "department", "state",
				"assignee", "level", "priority", "form", "excluded", "due_at", "created_at", "completed_by"},
			pgx.CopyFromRows(taskRows)); err != nil {
			return Loaded{}, fmt.Errorf("copy tasks: %w", err)
		}
		if _, err := conn.Conn().CopyFrom(ctx, pgx.Identifier{"task_candidates"}, []string{"task_id", "username", "role", "department"},
			pgx.CopyFromRows(candRows)); err != nil {
			return Loaded{}, fmt.Errorf("copy candidates: %w", err)
		}
		progress("tasks", hi*2, opt.Tasks)
	}

	progress("participants", 0, 1)
	for _, sql := range []string{
		`INSERT INTO participants (process_id, username)
         SELECT DISTINCT process_id, u FROM tasks, unnest(ARRAY[assignee, delegate, completed_by, on_behalf_of]) AS u WHERE u IS NOT NULL
         ON CONFLICT DO NOTHING`,
		`INSERT INTO process_roles (process_id, role, department)
         SELECT DISTINCT t.process_id, c.role, c.department FROM task_candidates c JOIN tasks t ON t.id = c.task_id WHERE c.username = ''
         ON CONFLICT DO NOTHING`,
		`INSERT INTO inbox SELECT * FROM inbox_source ON CONFLICT DO NOTHING`,
		`VACUUM ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return Loaded{}, fmt.Errorf("derive participants: %w", err)
		}
	}
	// Inbox pages are index-only scans once the inbox's visibility map is
	// set, as autovacuum keeps it in a running system. A VACUUM beside an
	// autovacuum worker's snapshot (one starts on the freshly loaded tasks)
	// can leave it unset: vacuum the inbox until it is, as a steady state.
	for try := 0; ; try++ {
		var pages, visible int
		if err := conn.QueryRow(ctx, `SELECT relpages, relallvisible FROM pg_class WHERE relname = 'inbox'`).Scan(&pages, &visible); err != nil {
			return Loaded{}, fmt.Errorf("inbox visibility: %w", err)
		}
		if visible >= pages || try == 20 {
			break
		}
		time.Sleep(250 * time.Millisecond)
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE inbox`); err != nil {
			return Loaded{}, fmt.Errorf("vacuum inbox: %w", err)
		}
	}
	progress("participants", 1, 1)

	out := Loaded{Users: opt.Users, Processes: processes, Tasks: processes * 2, Took: time.Since(began)}
	for _, want := range []struct {
		role      zhidu.Role
		clearance zhidu.Level
	}{{zhidu.RoleStaff, zhidu.Public}, {zhidu.RoleStaff, zhidu.Internal}, {zhidu.RoleSupervisor, zhidu.Secret}, {zhidu.RoleDeptHead, zhidu.Confidential}} {
		for _, u := range users {
			if u.role == want.role && u.clearance == want.clearance {
				out.Samples = append(out.Samples, Sample{Username: u.name, Clearance: u.clearance,
					Roles: []zhidu.RoleGrant{{Role: u.role, Department: u.dept}}})
				break
			}
		}
	}
	return out, nil
}
