// Package devserver runs a complete single-node Temporal server (frontend,
// history, matching and worker services, plus optionally the Temporal Web UI)
// inside the current process, persisted in SQLite. It backs `zhidu dev` and
// can be used by tests.
//
// It follows the Temporal CLI's dev server (temporal server start-dev) with a
// few differences: the SQLite file is always opened in WAL mode, task queues
// have a single partition, and service ports are picked below 32768.
package devserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/server/chasm/lib/activity"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const (
	// DBFileName is the name of the SQLite database inside Options.Dir.
	DBFileName = "temporal.db"

	// DefaultPort is the usual Temporal frontend port (Options.Port 0 picks
	// a free port instead).
	DefaultPort = 7233

	defaultIP        = "127.0.0.1"
	defaultNamespace = "default"

	clusterName  = "active"
	sqliteStore  = "sqlite-default"
	uiReadyWait  = 10 * time.Second
	uiStopWait   = 5 * time.Second
	sqliteBusyMS = "30000"
)

// Options configures Start. The zero value is usable: in-memory persistence,
// frontend on a free 127.0.0.1 port, namespace "default", no UI.
type Options struct {
	// Dir is the data directory; the SQLite database is Dir/temporal.db and
	// survives restarts. "" means an in-memory database, lost on Stop.
	Dir string
	// IP the frontend (and UI) listen on. Default 127.0.0.1. Internal services
	// always listen on loopback.
	IP string
	// Port is the frontend gRPC port (DefaultPort = 7233 is the usual one);
	// 0 picks a free port in 20000-32000.
	Port int
	// UIPort is the Temporal Web UI port on IP; 0 means no UI.
	UIPort int
	// Namespace to register (idempotently) on every start. Default "default".
	Namespace string
	// Logger receives the server's logs. Default: records below Error are
	// discarded, errors go to stderr.
	Logger *slog.Logger
	// DynamicConfig holds extra dynamic config values, applied on top of the
	// defaults set by this package (keys as in the server's dynamic config
	// files, e.g. "matching.numTaskqueueReadPartitions").
	DynamicConfig map[string]any
	// CodecEndpoint is the remote codec the Web UI sends payloads to for
	// decoding (POST CodecEndpoint/decode, with the browser's cookies);
	// "" shows payloads as stored.
	CodecEndpoint string
}

// Server is a running dev server.
type Server struct {
	srv    temporal.Server
	ui     *uiserver.Server
	uiDone chan struct{}

	addr   string
	uiAddr string

	log       *slog.Logger
	logGate   *slog.LevelVar
	quietStop bool

	stopOnce sync.Once
}

// Address is the frontend gRPC address to dial, e.g. "127.0.0.1:7233".
func (s *Server) Address() string { return s.addr }

// UIAddress is the UI's host:port (e.g. "127.0.0.1:8233"), "" without UI.
func (s *Server) UIAddress() string { return s.uiAddr }

// Stop stops the UI, then the server. It is safe to call more than once.
//
// In-process restarts (Start again after Stop, as tests do) work, but Stop
// cannot release everything with server v1.32.1: the sqlite plugin's
// connection pool never closes a database (an in-memory one stays in memory),
// and the server leaves its scanner / parent-close-policy SDK workers polling
// (~100 goroutines). Their logs are discarded once Stop returns.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.quietStop {
			// The server routinely logs errors (cancelled polls, closed
			// connections, ...) while shutting down; keep the console quiet.
			s.logGate.Set(math.MaxInt32)
		}
		if s.ui != nil {
			s.ui.Stop()
			select {
			case <-s.uiDone:
			case <-time.After(uiStopWait):
			}
		}
		if err := s.srv.Stop(); err != nil {
			s.log.Error("Stopping Temporal server failed", "error", err)
		}
		// Server v1.32.1 does not stop the SDK workers of its scanner and
		// parent-close-policy processors ("TODO: Nothing is gracefully
		// stopping these workers"): they keep polling the dead frontend
		// until the process exits. Silence them.
		s.logGate.Set(math.MaxInt32)
	})
}

// Start starts a dev server and returns once the frontend accepts requests
// (and the UI listens, if enabled).
func Start(opt Options) (*Server, error) {
	// Defaults and validation.
	if opt.IP == "" || opt.IP == "localhost" {
		opt.IP = defaultIP
	}
	ip := net.ParseIP(opt.IP)
	if ip == nil {
		return nil, fmt.Errorf("devserver: IP %q is not an IP address", opt.IP)
	}
	dialHost := opt.IP
	if ip.IsUnspecified() {
		dialHost = "127.0.0.1"
		if ip.To4() == nil {
			dialHost = "::1"
		}
	}
	if opt.Namespace == "" {
		opt.Namespace = defaultNamespace
	}
	if opt.Port < 0 || opt.Port > 65535 || opt.UIPort < 0 || opt.UIPort > 65535 {
		return nil, fmt.Errorf("devserver: invalid port (Port %d, UIPort %d)", opt.Port, opt.UIPort)
	}
	quietStop := opt.Logger == nil
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	gate := &slog.LevelVar{}
	gate.Set(math.MinInt32)
	logger := slog.New(&gateHandler{next: opt.Logger.Handler(), min: gate})

	// Ports.
	if opt.Port == 0 {
		p, err := freePort(opt.IP)
		if err != nil {
			return nil, fmt.Errorf("devserver: frontend port: %w", err)
		}
		opt.Port = p
	} else if err := checkPortFree(opt.IP, opt.Port); err != nil {
		return nil, fmt.Errorf("devserver: frontend port %d is not available: %w", opt.Port, err)
	}
	if opt.UIPort != 0 {
		// Must be checked up front: the UI server's Start calls os.Exit
		// (echo Logger.Fatal) when it cannot listen.
		if opt.UIPort == opt.Port {
			return nil, fmt.Errorf("devserver: UI port %d equals frontend port", opt.UIPort)
		}
		if err := checkPortFree(opt.IP, opt.UIPort); err != nil {
			return nil, fmt.Errorf("devserver: UI port %d is not available: %w", opt.UIPort, err)
		}
	}
	var ports [4]int // frontend HTTP, history, matching, worker
	for i := range ports {
		host := "127.0.0.1"
		if i == 0 {
			host = opt.IP
		}
		p, err := freePort(host)
		if err != nil {
			return nil, fmt.Errorf("devserver: service port: %w", err)
		}
		ports[i] = p
	}

	frontendAddr := net.JoinHostPort(dialHost, strconv.Itoa(opt.Port))
	httpAddr := net.JoinHostPort(dialHost, strconv.Itoa(ports[0]))

	// Persistence.
	sqlConf, err := setupSQLite(opt.Dir, opt.Namespace)
	if err != nil {
		return nil, err
	}

	// Static configuration.
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = "127.0.0.1"
	conf.Persistence.DefaultStore = sqliteStore
	conf.Persistence.VisibilityStore = sqliteStore
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{sqliteStore: {SQL: sqlConf}}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				HTTPAddress:            httpAddr,
				// ClusterID left empty: generated on first start, then read
				// back from the database.
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	service := func(bindIP string, grpcPort, httpPort int) config.Service {
		var s config.Service
		s.RPC.BindOnIP = bindIP
		s.RPC.GRPCPort = grpcPort
		s.RPC.HTTPPort = httpPort
		return s
	}
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): service(opt.IP, opt.Port, ports[0]),
		string(primitives.HistoryService):  service("127.0.0.1", ports[1], 0),
		string(primitives.MatchingService): service("127.0.0.1", ports[2], 0),
		string(primitives.WorkerService):   service("127.0.0.1", ports[3], 0),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontendAddr

	dc, err := dynamicConfig(opt.DynamicConfig)
	if err != nil {
		return nil, err
	}

	srvLogger := serverLogger{l: logger}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("devserver: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, srvLogger)
	if err != nil {
		return nil, fmt.Errorf("devserver: claim mapper: %w", err)
	}
	hostPort := func(p int) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(frontendAddr),
			primitives.HistoryService:  hostPort(ports[1]),
			primitives.MatchingService: hostPort(ports[2]),
			primitives.WorkerService:   hostPort(ports[3]),
		}),
		temporal.WithLogger(srvLogger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dc),
	)
	if err != nil {
		return nil, fmt.Errorf("devserver: creating server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("devserver: starting server: %w", err)
	}

	s := &Server{
		srv:       srv,
		addr:      frontendAddr,
		log:       logger,
		logGate:   gate,
		quietStop: quietStop,
	}
	if opt.UIPort != 0 {
		s.startUI(opt.IP, dialHost, opt.UIPort, opt.CodecEndpoint)
	}
	return s, nil
}

// startUI runs the Temporal Web UI server in the background (its Start
// blocks) and waits until it listens. UI failures are logged, not fatal.
func (s *Server) startUI(ip, dialHost string, port int, codecEndpoint string) {
	host := ip
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // the UI server joins host and port with fmt
	}
	ui := uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: s.addr,
		EnableUI:            true,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true, // no internet needed
		// Payloads are encrypted; the UI asks zhidu's codec endpoint to
		// decode them, sending the zhidu session cookie (includeCredentials)
		// so zhidu decodes only what the signed-in user may read.
		Codec: uiconfig.Codec{Endpoint: codecEndpoint, IncludeCredentials: codecEndpoint != "",
			DefaultErrorMessage: codecErrorMessage(codecEndpoint), DefaultErrorLink: codecErrorLink(codecEndpoint)},
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := ui.Start(); err != nil {
			s.log.Error("Temporal UI server failed", "error", err)
		}
	}()
	s.ui, s.uiDone = ui, done
	addr := net.JoinHostPort(dialHost, strconv.Itoa(port))
	deadline := time.Now().Add(uiReadyWait)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			s.uiAddr = addr
			return
		}
		select {
		case <-done:
			s.log.Error("Temporal UI server exited before listening", "address", addr)
			return
		default:
		}
		if time.Now().After(deadline) {
			s.log.Error("Temporal UI server not listening", "address", addr, "error", err)
			s.uiAddr = addr
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setupSQLite builds the SQL config, creates the schema when the database
// file does not exist yet and (idempotently) registers the namespace.
//
// Pragmas go straight into ConnectAttributes: the sqlite plugin turns every
// attribute that is not a URI query parameter into a `_pragma=k=v` DSN
// parameter. (The server's temporaltest SQLitePragmas option prefixes names
// with "_" in v1.32.1 and so sets nothing.)
func setupSQLite(dir, namespace string) (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName}
	dbFile := ""
	if dir == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = "devserver-" + strconv.FormatUint(rand.Uint64(), 36)
		// MaxConns left at the plugin default (1): shared-cache in-memory
		// databases use table locks, more connections only add SQLITE_LOCKED.
	} else {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("devserver: data dir: %w", err)
		}
		if strings.ContainsAny(abs, "?#%") {
			// DatabaseName is pasted unescaped into a file: URI.
			return nil, fmt.Errorf("devserver: data dir %q must not contain '?', '#' or '%%'", abs)
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, fmt.Errorf("devserver: data dir: %w", err)
		}
		dbFile = filepath.Join(abs, DBFileName)
		conf.DatabaseName = dbFile
		conf.ConnectAttributes = map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "NORMAL",
			// Wait instead of failing when another process (sqlite3 shell,
			// backup) holds the write lock or checkpoints.
			"busy_timeout": sqliteBusyMS,
		}
		// One connection, on purpose. The plugin would accept more with WAL,
		// but its transactions are deferred (BEGIN, then read, then write):
		// with several connections the read->write upgrade fails at once
		// with SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT (517), busy_timeout or
		// not. Measured with 500 concurrent 2 s workflows: 4 connections
		// gave 86 "database is locked" errors and took 13.9 s, 1 connection
		// gave none and took 8.6 s. WAL still pays off: cheap commits with
		// synchronous=NORMAL, and outside readers never block the server.
		conf.MaxConns = 1
		conf.MaxIdleConns = 1
	}

	if dbFile != "" {
		if _, err := os.Stat(dbFile); errors.Is(err, os.ErrNotExist) {
			if err := sqliteschema.SetupSchema(conf); err != nil {
				// Don't leave a half-initialised file that would be taken
				// for a valid database on the next start.
				for _, suffix := range []string{"", "-wal", "-shm"} {
					_ = os.Remove(dbFile + suffix)
				}
				return nil, fmt.Errorf("devserver: creating SQLite schema in %s: %w", dbFile, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("devserver: %w", err)
		}
	}

	// Memory mode: the plugin creates the schema when the database is first
	// opened. CreateNamespaces skips namespaces that already exist.
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("devserver: namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("devserver: creating namespace %q: %w", namespace, err)
	}
	return conf, nil
}

// dynamicConfig returns the defaults of this package with extra on top.
func dynamicConfig(extra map[string]any) (dynamicconfig.StaticClient, error) {
	dc := dynamicconfig.StaticClient{
		// One partition per task queue: with the default 4, a single node
		// adds up to ~5 s of latency when a poller sits on another partition.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,

		// The shard reads its transfer queue, which hands workflow tasks
		// to matching, at most 20 times a second by default. With one
		// shard that delays every workflow task by up to 50 ms once the
		// limiter's burst is spent: an approval (six workflow tasks) took
		// 300 ms instead of 50 ms end to end (docs/BENCHMARKS.md). The
		// reader polls when told of new tasks, so an idle server does not
		// poll more.
		dynamicconfig.TransferProcessorMaxPollRPS.Key(): 1000,

		// As in the Temporal CLI dev server.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                         8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key():         100,
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():              true,
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key():                      true,
		dynamicconfig.FrontendPersistenceMaxQPS.Key():                            10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():                             45000,
		activity.EnableStandaloneActivityOperatorCommands.Key():                  true,
		dynamicconfig.FrontendEnableBatchOperationsForStandaloneActivities.Key(): true,
	}
	for k, v := range extra {
		v, err := normalizeDCValue(v)
		if err != nil {
			return nil, fmt.Errorf("devserver: dynamic config %q: %w", k, err)
		}
		dc[dynamicconfig.MakeKey(k)] = v
	}
	return dc, nil
}

// normalizeDCValue converts JSON-style numbers: the server's int settings
// accept Go integer types only, while its float settings also accept ints.
func normalizeDCValue(v any) (any, error) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return int(i), nil
		}
		return n.Float64()
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int(n), nil
		}
	case float32:
		if f := float64(n); f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int(f), nil
		}
	}
	return v, nil
}

// codecErrorMessage and codecErrorLink are what the UI shows when the
// codec refuses: payloads decode only for a signed-in zhidu user who may
// read the process.
func codecErrorMessage(endpoint string) string {
	if endpoint == "" {
		return ""
	}
	return "Payloads are encrypted. Sign in to zhidu in this browser: you see the processes you may read."
}

func codecErrorLink(endpoint string) string {
	base, ok := strings.CutSuffix(endpoint, "/api/v1/codec")
	if !ok {
		return ""
	}
	return base + "/signin"
}
