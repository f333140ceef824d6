package store_test

import (
	"context"
	"testing"

	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

// TestMigrationSplitsTheAdministrator: migration 012 turns holders of the
// old all-powerful `admin` role into system administrators — unless they
// also hold a business role, which an administrator may not — drops every
// policy line naming an administrator role or the admin object, and
// records each change in the audit trail.
func TestMigrationSplitsTheAdministrator(t *testing.T) {
	ctx := context.Background()
	pool, err := store.Connect(ctx, pgtest.URL(t), 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := store.MigrateUpTo(ctx, pool, 11); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`INSERT INTO users (username, name, department, clearance) VALUES ('admin', '何平', 'gmo', 1), ('ops', '运维', 'gmo', 1), ('cs.head', '周强', 'cs', 2)`,
		`INSERT INTO user_roles (username, role, department) VALUES ('admin', 'admin', 'gmo'), ('ops', 'admin', 'gmo'), ('ops', 'staff', 'gmo'), ('cs.head', 'dept_head', 'cs')`,
		`INSERT INTO casbin_rule (ptype, v0, v1, v2, v3) VALUES ('p', 'admin', '*', 'admin', '*'), ('p', 'staff', '*', 'admin', 'users'),
            ('p', 'admin', '*', 'audit', 'read'), ('p', 'compliance', '*', 'audit', 'read')`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if err := store.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	rows, err := pool.Query(ctx, `SELECT username, string_agg(role, ',' ORDER BY role) FROM user_roles GROUP BY username`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u, r string
		if err := rows.Scan(&u, &r); err != nil {
			t.Fatal(err)
		}
		roles[u] = r
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	want := map[string]string{"admin": "sysadmin", "ops": "staff", "cs.head": "dept_head"}
	for u, r := range want {
		if roles[u] != r {
			t.Errorf("%s's roles = %q, want %q", u, roles[u], r)
		}
	}
	var lines []string
	rows, err = pool.Query(ctx, `SELECT v0 || ' ' || v2 FROM casbin_rule ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 1 || lines[0] != "compliance audit" {
		t.Errorf("policy after the migration = %q, want only compliance's audit line", lines)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit WHERE actor = 'zhidu-migrate' AND action = 'admin.user.roles'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("migration audit entries = %d, want 2", n)
	}
	v, err := store.New(pool).VerifyAudit(ctx)
	if err != nil || !v.OK {
		t.Errorf("audit chain after the migration: %+v %v", v, err)
	}
}
