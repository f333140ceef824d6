// Package pglocal starts and stops a private PostgreSQL cluster for
// development and tests.
//
// The cluster lives entirely in one data directory (Options.Dir), listens
// only on 127.0.0.1 (no Unix socket) and has a single superuser, "zhidu",
// whose random password is stored in <Dir>/zhidu-password.
//
// PostgreSQL refuses to run as root. When the current process is root, every
// PostgreSQL program is run as the "postgres" system user (created by the
// Debian "postgresql" package) through runuser(1). The data directory is then
// owned by that user, and every directory above it must be traversable by
// it: Start adds the r-x bits for group and others (0700 becomes 0755) to
// parent directories that are not, but only to parents lying below
// os.TempDir() (such as the 0700 directories made by os.MkdirTemp and
// testing.T.TempDir) and to the data directory's immediate parent (unless
// that is "/" or the user's home directory). Any other inaccessible parent
// is reported as an error rather than silently opened up.
package pglocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotInstalled is returned (wrapped) by Find and Start when the PostgreSQL
// server binaries (initdb, pg_ctl, postgres) cannot be found. Its message
// tells the user how to install them.
var ErrNotInstalled = errors.New(`PostgreSQL binaries not found: install them with "apt-get install -y postgresql"`)

// Superuser is the name of the superuser created in every cluster.
const Superuser = "zhidu"

// PasswordFile is the name of the file, inside the data directory, holding
// the superuser's password.
const PasswordFile = "zhidu-password"

// RunAsUser is the system user PostgreSQL programs run as when the current
// process is root.
const RunAsUser = "postgres"

// libRoot is where Debian installs versioned PostgreSQL binaries; a variable
// so that tests can point it elsewhere.
var libRoot = "/usr/lib/postgresql"

// serverBinaries are the programs a usable bin directory must contain.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// Find locates the directory holding the PostgreSQL server binaries initdb,
// pg_ctl and postgres: first the directory of initdb on PATH, then the newest
// /usr/lib/postgresql/<version>/bin. If none is found it returns an error
// matching ErrNotInstalled.
func Find() (binDir string, err error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if hasServerBinaries(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
		// initdb may be a lone symlink; try where it points.
		if real, err := filepath.EvalSymlinks(p); err == nil && hasServerBinaries(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(libRoot, "*", "bin"))
	sort.Slice(dirs, func(i, j int) bool {
		return versionLess(filepath.Base(filepath.Dir(dirs[j])), filepath.Base(filepath.Dir(dirs[i])))
	})
	for _, d := range dirs {
		if hasServerBinaries(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w (looked on PATH and in %s/*/bin)", ErrNotInstalled, libRoot)
}

// hasServerBinaries reports whether dir contains executable initdb, pg_ctl
// and postgres.
func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// versionLess compares PostgreSQL version directory names such as "9.6" and
// "15" numerically, falling back to string order for non-numeric parts.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		ai, aerr := strconv.Atoi(as[i])
		bi, berr := strconv.Atoi(bs[i])
		switch {
		case aerr == nil && berr == nil:
			if ai != bi {
				return ai < bi
			}
		case as[i] != bs[i]:
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

// Options configures Start.
type Options struct {
	// Dir is the data directory. It is created (and initialised with
	// initdb) if it does not contain a cluster yet. Required.
	Dir string
	// Port is the TCP port to listen on at 127.0.0.1; 0 picks a free one.
	Port int
	// Logf receives progress messages; may be nil.
	Logf func(format string, args ...any)
	// Fast trades durability for speed (fsync, synchronous_commit and
	// full_page_writes off; initdb without sync). Meant for tests: a crash
	// of the machine may corrupt the cluster.
	Fast bool
}

// Cluster is a running private PostgreSQL server started by Start.
type Cluster struct {
	dir      string
	binDir   string
	port     int
	password string
	runAs    *user.User // nil when running as the current user
	logf     func(format string, args ...any)
}

// Start starts the cluster in opt.Dir, creating it with initdb first if
// opt.Dir/PG_VERSION does not exist. A server still running on the same data
// directory (for instance left behind by a killed process) is stopped first.
// Start returns once a connection to the server succeeds.
func Start(ctx context.Context, opt Options) (*Cluster, error) {
	c, err := start(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	return c, nil
}

func start(ctx context.Context, opt Options) (*Cluster, error) {
	if opt.Dir == "" {
		return nil, errors.New("Options.Dir is empty")
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	binDir, err := Find()
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, binDir: binDir, logf: opt.Logf}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup(RunAsUser)
		if err != nil {
			return nil, fmt.Errorf("running as root, so PostgreSQL must run as user %q, which does not exist (install PostgreSQL with \"apt-get install -y postgresql\", which creates it, or run as a non-root user): %w", RunAsUser, err)
		}
		c.runAs = u
	}

	if err := c.prepareDir(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx, opt.Fast); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("check data directory: %w", err)
	}
	pw, err := os.ReadFile(filepath.Join(dir, PasswordFile))
	if err != nil {
		return nil, fmt.Errorf("read password: %w", err)
	}
	c.password = strings.TrimSpace(string(pw))

	if err := c.stopIfRunning(ctx); err != nil {
		return nil, err
	}

	// A port picked by us may be taken by someone else before the server
	// binds it; retry a few times with a new one.
	attempts := 1
	if opt.Port == 0 {
		attempts = 3
	}
	for i := 0; ; i++ {
		c.port = opt.Port
		if c.port == 0 {
			if c.port, err = freePort(); err != nil {
				return nil, err
			}
		}
		err = c.pgctlStart(ctx, opt.Fast)
		if err == nil || i+1 >= attempts || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	if err := c.waitReady(ctx, 30*time.Second); err != nil {
		_ = c.Stop()
		return nil, err
	}
	c.logf("PostgreSQL ready")
	return c, nil
}

// prepareDir creates the data directory if needed, makes it owned by the
// runtime user with mode 0700 and makes its parents traversable.
func (c *Cluster) prepareDir() error {
	parent := filepath.Dir(c.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create data directory parent: %w", err)
	}
	if err := os.Mkdir(c.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create data directory: %w", err)
	}
	fi, err := os.Stat(c.dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data directory %s is not a directory", c.dir)
	}
	if c.runAs == nil {
		return os.Chmod(c.dir, 0o700)
	}
	uid, gid, err := ids(c.runAs)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != uid {
		err := filepath.Walk(c.dir, func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, uid, gid)
		})
		if err != nil {
			return fmt.Errorf("chown data directory to %s: %w", c.runAs.Username, err)
		}
	}
	if err := os.Chmod(c.dir, 0o700); err != nil {
		return fmt.Errorf("chmod data directory: %w", err)
	}
	return c.makeParentsTraversable(uid, gid)
}

// makeParentsTraversable ensures the runtime user can reach the data
// directory; see the package documentation for which parents are changed.
func (c *Cluster) makeParentsTraversable(uid, gid int) error {
	tmp, _ := filepath.Abs(os.TempDir())
	if r, err := filepath.EvalSymlinks(tmp); err == nil {
		tmp = r
	}
	home, _ := os.UserHomeDir()
	immediate := filepath.Dir(c.dir)
	for p := immediate; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("check %s: %w", p, err)
		}
		if !canTraverse(fi, uid, gid) {
			allowed := strings.HasPrefix(p, tmp+string(filepath.Separator)) ||
				(p == immediate && p != "/" && p != home)
			if !allowed {
				return fmt.Errorf("directory %s is not accessible to user %s, which runs PostgreSQL: choose a data directory elsewhere or run \"chmod o+x %s\"", p, c.runAs.Username, p)
			}
			if err := os.Chmod(p, fi.Mode()|0o055); err != nil {
				return fmt.Errorf("make %s traversable: %w", p, err)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// canTraverse reports whether uid (primary group gid) may search directory fi.
func canTraverse(fi os.FileInfo, uid, gid int) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	m := fi.Mode().Perm()
	switch {
	case int(st.Uid) == uid:
		return m&0o100 != 0
	case int(st.Gid) == gid:
		return m&0o010 != 0
	default:
		return m&0o001 != 0
	}
}

func ids(u *user.User) (uid, gid int, err error) {
	if uid, err = strconv.Atoi(u.Uid); err != nil {
		return 0, 0, fmt.Errorf("uid of %s: %w", u.Username, err)
	}
	if gid, err = strconv.Atoi(u.Gid); err != nil {
		return 0, 0, fmt.Errorf("gid of %s: %w", u.Username, err)
	}
	return uid, gid, nil
}

// initdb creates the cluster and the password file.
func (c *Cluster) initdb(ctx context.Context, fast bool) error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("read data directory: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("data directory %s has no PG_VERSION but is not empty (a failed initdb?): remove it or choose another directory", c.dir)
	}
	c.logf("initialising PostgreSQL in %s", c.dir)

	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("generate password: %w", err)
	}
	password := hex.EncodeToString(b)

	// initdb needs an empty directory, so the password goes to a temporary
	// file first.
	pwf, err := os.CreateTemp("", "zhidu-initdb-pw-*")
	if err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	defer os.Remove(pwf.Name())
	_, werr := pwf.WriteString(password + "\n")
	if cerr := pwf.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("write password file: %w", werr)
	}
	if err := c.chownToRunAs(pwf.Name()); err != nil {
		return err
	}

	args := []string{
		"-D", c.dir,
		"-U", Superuser,
		"-E", "UTF8",
		"--locale=C",
		"--auth=scram-sha-256",
		"--pwfile=" + pwf.Name(),
	}
	if fast {
		args = append(args, "--no-sync")
	}
	if out, err := c.run(ctx, "initdb", args...); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}

	pwPath := filepath.Join(c.dir, PasswordFile)
	if err := os.WriteFile(pwPath, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	return c.chownToRunAs(pwPath)
}

func (c *Cluster) chownToRunAs(path string) error {
	if c.runAs == nil {
		return nil
	}
	uid, gid, err := ids(c.runAs)
	if err != nil {
		return err
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	return nil
}

// run runs a PostgreSQL program from binDir, as the runtime user, and
// returns its combined output.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	path := filepath.Join(c.binDir, prog)
	var cmd *exec.Cmd
	if c.runAs != nil {
		runuser, err := findRunuser()
		if err != nil {
			return nil, err
		}
		cmd = exec.CommandContext(ctx, runuser, append([]string{"-u", c.runAs.Username, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	// The runtime user may not be able to access our working directory.
	cmd.Dir = "/"
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// The server started by pg_ctl must not keep our pipes open; pg_ctl
	// redirects its output to the log file, but do not hang if it doesn't.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.Bytes(), err
}

func findRunuser() (string, error) {
	if p, err := exec.LookPath("runuser"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("running as root but runuser(1) was not found (it is part of util-linux)")
}

// running reports whether pg_ctl considers a server running on the data
// directory.
func (c *Cluster) running(ctx context.Context) (bool, error) {
	out, err := c.run(ctx, "pg_ctl", "status", "-D", c.dir)
	if err == nil {
		return true, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 { // not running
		return false, nil
	}
	return false, fmt.Errorf("pg_ctl status: %w\n%s", err, out)
}

func (c *Cluster) stopIfRunning(ctx context.Context) error {
	running, err := c.running(ctx)
	if err != nil || !running {
		return err
	}
	c.logf("stopping PostgreSQL left running in %s", c.dir)
	if out, err := c.run(ctx, "pg_ctl", "stop", "-D", c.dir, "-m", "fast", "-w"); err != nil {
		return fmt.Errorf("stop previous server: %w\n%s", err, out)
	}
	return nil
}

func (c *Cluster) pgctlStart(ctx context.Context, fast bool) error {
	c.logf("starting PostgreSQL on 127.0.0.1:%d", c.port)
	o := []string{
		"-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=''",
		"-c", "max_connections=200",
	}
	if fast {
		o = append(o, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logPath := filepath.Join(c.dir, "server.log")
	out, err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", c.dir, "-l", logPath, "-o", strings.Join(o, " "))
	if err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s\nend of %s:\n%s", err, out, logPath, tail(logPath, 2048))
	}
	return nil
}

// tail returns up to the last n bytes of a file, for error messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(fi.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		actx, acancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(actx, c.URL("postgres"))
		if err == nil {
			err = conn.Ping(actx)
			_ = conn.Close(actx)
		}
		acancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for PostgreSQL on 127.0.0.1:%d: %w (last error: %v)", c.port, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// URL returns a connection URL for database on this cluster, as the
// superuser: postgres://zhidu:PASSWORD@127.0.0.1:PORT/DATABASE?sslmode=disable.
func (c *Cluster) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(Superuser, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Port returns the TCP port the server listens on at 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// Dir returns the absolute path of the data directory.
func (c *Cluster) Dir() string { return c.dir }

// Stop stops the server (pg_ctl stop -m fast -w). Stopping a server that is
// no longer running is not an error.
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	running, err := c.running(ctx)
	if err == nil && !running {
		return nil
	}
	if out, err := c.run(ctx, "pg_ctl", "stop", "-D", c.dir, "-m", "fast", "-w"); err != nil {
		return fmt.Errorf("stop postgres: %w\n%s", err, out)
	}
	return nil
}

// StopDir stops a server running on the data directory dir, if any, for
// example one left behind by a killed process. It does nothing if dir holds
// no running server.
func StopDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("stop postgres: %w", err)
	}
	binDir, err := Find()
	if err != nil {
		return fmt.Errorf("stop postgres: %w", err)
	}
	c := &Cluster{dir: abs, binDir: binDir, logf: func(string, ...any) {}}
	if os.Geteuid() == 0 {
		if c.runAs, err = user.Lookup(RunAsUser); err != nil {
			return fmt.Errorf("stop postgres: %w", err)
		}
	}
	return c.Stop()
}

var dbNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// CreateDatabase creates the database name if it does not exist yet. The
// name must match ^[a-z_][a-z0-9_]*$.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	if !dbNameRE.MatchString(name) || len(name) > 63 {
		return fmt.Errorf("create database: invalid name %q (want ^[a-z_][a-z0-9_]*$, at most 63 bytes)", name)
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		if isDuplicateDatabase(err) { // created concurrently
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// isDuplicateDatabase reports whether err says the database already exists:
// duplicate_database (42P04), or unique_violation (23505) on pg_database when
// two sessions create it at the same time.
func isDuplicateDatabase(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505")
}
