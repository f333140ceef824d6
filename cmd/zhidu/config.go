package main

import (
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/web"
	"github.com/zhidu/zhidu/workflows"
)

// config is every setting of every command: defaults, overridden by
// environment variables, overridden by flags.
type config struct {
	DataDir         string
	DatabaseURL     string
	DBMaxConns      int
	TemporalAddress string
	TemporalPort    int
	Namespace       string
	TaskQueue       string
	HTTPAddr        string
	UIPort          int
	MetricsAddr     string
	Pollers         int
	FaultKillAfter  string // tests only: see fault.go
	API             api.Config
	Web             web.Config
	Bench           benchConfig // zhidu bench only
	// KeysFile, PayloadKeys and ActorKeys say where the payload and actor
	// keys come from (see resolveKeys); secrets holds them once resolved.
	KeysFile    string
	PayloadKeys string
	ActorKeys   string
	secrets     *secrets
}

// setting binds one flag to its environment variable.
type setting struct {
	flag, env, usage string
	bind             func(fs *flag.FlagSet, name, usage string)
	fromEnv          func(string) error
}

// settings lists every setting: zhidu's own, then each process's.
func settings(c *config) ([]setting, error) {
	str := func(p *string, flagName, env, usage string) setting {
		return setting{flag: flagName, env: env, usage: usage,
			bind:    func(fs *flag.FlagSet, n, u string) { fs.StringVar(p, n, *p, u) },
			fromEnv: func(v string) error { *p = v; return nil }}
	}
	num := func(p *int, flagName, env, usage string) setting {
		return setting{flag: flagName, env: env, usage: usage,
			bind: func(fs *flag.FlagSet, n, u string) { fs.IntVar(p, n, *p, u) },
			fromEnv: func(v string) (err error) {
				*p, err = strconv.Atoi(v)
				return err
			}}
	}
	dur := func(p *time.Duration, flagName, env, usage string) setting {
		return setting{flag: flagName, env: env, usage: usage,
			bind: func(fs *flag.FlagSet, n, u string) { fs.DurationVar(p, n, *p, u) },
			fromEnv: func(v string) (err error) {
				*p, err = time.ParseDuration(v)
				return err
			}}
	}
	float := func(p *float64, flagName, env, usage string) setting {
		return setting{flag: flagName, env: env, usage: usage,
			bind: func(fs *flag.FlagSet, n, u string) { fs.Float64Var(p, n, *p, u) },
			fromEnv: func(v string) (err error) {
				*p, err = strconv.ParseFloat(v, 64)
				return err
			}}
	}
	list := func(p *[]string, flagName, env, usage string) setting {
		set := func(v string) error {
			*p = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				if _, _, err := net.ParseCIDR(s); err != nil && net.ParseIP(s) == nil {
					return fmt.Errorf("%q is neither an IP address nor a CIDR", s)
				}
				*p = append(*p, s)
			}
			return nil
		}
		return setting{flag: flagName, env: env, usage: usage,
			bind:    func(fs *flag.FlagSet, n, u string) { fs.Func(n, u+" (comma-separated)", set) },
			fromEnv: set}
	}
	rate := func(p *api.Rate, flagName, env, usage string) setting {
		set := func(v string) (err error) {
			*p, err = api.ParseRate(v)
			return err
		}
		return setting{flag: flagName, env: env, usage: usage,
			bind: func(fs *flag.FlagSet, n, u string) {
				fs.Func(n, u+" (N/DURATION, e.g. 20/1m, or off; default "+p.String()+")", set)
			},
			fromEnv: set}
	}
	strs := func(p *[]string, flagName, env, usage string) setting {
		set := func(v string) error {
			*p = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					*p = append(*p, s)
				}
			}
			return nil
		}
		return setting{flag: flagName, env: env, usage: usage,
			bind:    func(fs *flag.FlagSet, n, u string) { fs.Func(n, u+" (comma-separated)", set) },
			fromEnv: set}
	}
	durs := func(p *[]time.Duration, flagName, env, usage string) setting {
		return setting{flag: flagName, env: env, usage: usage,
			bind: func(fs *flag.FlagSet, n, u string) {
				fs.Func(n, u+" (comma-separated)", func(v string) error { return parseDurations(p, v) })
			},
			fromEnv: func(v string) error { return parseDurations(p, v) }}
	}
	out := []setting{
		str(&c.DataDir, "data", "ZHIDU_DATA_DIR", "dev: data directory (PostgreSQL, Temporal's SQLite file, demo-users.json)"),
		str(&c.DatabaseURL, "database-url", "ZHIDU_DATABASE_URL", "PostgreSQL URL; dev starts a private PostgreSQL when empty"),
		num(&c.DBMaxConns, "db-max-conns", "ZHIDU_DB_MAX_CONNS", "PostgreSQL pool size"),
		str(&c.TemporalAddress, "temporal-address", "ZHIDU_TEMPORAL_ADDRESS", "Temporal frontend host:port (serve, worker)"),
		num(&c.TemporalPort, "temporal-port", "ZHIDU_TEMPORAL_PORT", "dev: port of the embedded Temporal frontend"),
		str(&c.Namespace, "temporal-namespace", "ZHIDU_TEMPORAL_NAMESPACE", "Temporal namespace"),
		str(&c.TaskQueue, "task-queue", "ZHIDU_TASK_QUEUE", "Temporal task queue of zhidu's workers"),
		str(&c.HTTPAddr, "http", "ZHIDU_HTTP_ADDR", "address of the web inbox and API"),
		num(&c.UIPort, "ui-port", "ZHIDU_UI_PORT", "dev: port of the Temporal Web UI on 127.0.0.1 (0: no UI)"),
		str(&c.MetricsAddr, "metrics-addr", "ZHIDU_METRICS_ADDR", "address serving /metrics (serve, dev, worker); never the --http address; empty: none"),
		num(&c.Pollers, "pollers", "ZHIDU_WORKER_POLLERS", "worker: workflow and activity task pollers"),
		str(&c.FaultKillAfter, "fault-kill-after", "ZHIDU_FAULT_KILL_AFTER", "worker, tests only: SIGKILL this worker right after the first successful run of this activity"),
		str(&c.KeysFile, "keys-file", "ZHIDU_KEYS_FILE", "JSON file of the payload encryption and actor signing keys (dev: DATA/keys.json, created on first start)"),
		str(&c.PayloadKeys, "payload-keys", "ZHIDU_PAYLOAD_KEYS", "payload encryption keys, id:base64 (32 bytes), comma-separated; the first encrypts, all decrypt"),
		str(&c.ActorKeys, "actor-keys", "ZHIDU_ACTOR_KEYS", "actor signing (HMAC) keys, id:base64 (32 bytes), comma-separated; the first signs, all verify"),
		strs(&c.API.CodecOrigins, "codec-origins", "ZHIDU_CODEC_ORIGINS", "origins of the Temporal Web UIs allowed to call the codec endpoint (dev adds its own UI)"),
		dur(&c.API.RequestTimeout, "request-timeout", "ZHIDU_REQUEST_TIMEOUT", "deadline of each API request"),
		dur(&c.API.UserCacheTTL, "user-cache-ttl", "ZHIDU_USER_CACHE_TTL", "how long the API remembers a signed-in user (0: ask PostgreSQL on every request); changes empty it at once"),
		dur(&c.API.FirstTaskWait, "first-task-wait", "ZHIDU_FIRST_TASK_WAIT", "how long a start waits for the process's first task the starter may work, to answer with it as first_task (0: answer at once)"),
		dur(&c.API.IdempotencyTTL, "idempotency-ttl", "ZHIDU_IDEMPOTENCY_TTL", "how long the answer to a call sent with an Idempotency-Key is kept for its retries (0: none)"),
		dur(&c.API.CredentialResetTTL, "credential-reset-ttl", "ZHIDU_CREDENTIAL_RESET_TTL", "how long a reset of the GM's, a deputy GM's or a top-secret account's token or password waits for confirmation"),
		list(&c.API.TrustedProxies, "trusted-proxies", "ZHIDU_TRUSTED_PROXIES", "proxies (IPs or CIDRs) whose X-Forwarded-For is believed; none by default"),
		rate(&c.API.RatePerAddress, "api-rate-per-address", "ZHIDU_API_RATE_PER_ADDRESS", "API requests allowed per client address"),
		rate(&c.API.RatePerUser, "api-rate-per-user", "ZHIDU_API_RATE_PER_USER", "API requests allowed per signed-in caller"),
		rate(&c.Web.SigninPerAddress, "signin-rate-per-address", "ZHIDU_SIGNIN_RATE_PER_ADDRESS", "web sign-in attempts allowed per client address"),
		rate(&c.Web.SigninPerAccount, "signin-rate-per-account", "ZHIDU_SIGNIN_RATE_PER_ACCOUNT", "web sign-in attempts allowed per username"),
		num(&c.Web.LockoutAfter, "signin-lockout-after", "ZHIDU_SIGNIN_LOCKOUT_AFTER", "failed password sign-ins in a row that lock the account (0: never)"),
		dur(&c.Web.LockoutFor, "signin-lockout-for", "ZHIDU_SIGNIN_LOCKOUT_FOR", "how long a lockout lasts (0: until an administrator unlocks it)"),
	}
	// Each process's own settings, from its descriptor, into the
	// configuration the API passes to its starts.
	for _, d := range workflows.Descriptors() {
		for _, ps := range d.Settings {
			p, err := ps.Value(c.API.Processes[d.Kind])
			if err != nil {
				return nil, err
			}
			switch p := p.(type) {
			case *time.Duration:
				out = append(out, dur(p, ps.Flag, ps.Env, ps.Usage))
			case *[]time.Duration:
				out = append(out, durs(p, ps.Flag, ps.Env, ps.Usage))
			case *float64:
				out = append(out, float(p, ps.Flag, ps.Env, ps.Usage))
			case *int:
				out = append(out, num(p, ps.Flag, ps.Env, ps.Usage))
			case *string:
				out = append(out, str(p, ps.Flag, ps.Env, ps.Usage))
			default:
				return nil, fmt.Errorf("setting %s: cannot set a %T", ps.Flag, p)
			}
		}
	}
	return out, nil
}

func parseDurations(p *[]time.Duration, v string) error {
	var out []time.Duration
	for _, s := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		out = append(out, d)
	}
	*p = out
	return nil
}

func defaultConfig() config {
	return config{
		DataDir:         ".zhidu",
		DBMaxConns:      20,
		TemporalAddress: "127.0.0.1:7233",
		TemporalPort:    7233,
		Namespace:       "default",
		TaskQueue:       workflows.TaskQueue,
		HTTPAddr:        "127.0.0.1:8080",
		UIPort:          8233,
		MetricsAddr:     "127.0.0.1:9090",
		Pollers:         8,
		API:             api.DefaultConfig(),
		Web:             web.DefaultConfig(),
	}
}

// load builds the configuration for a command from env and flags.
func load(name string, args []string, getenv func(string) string) (config, error) {
	c := defaultConfig()
	fs := flag.NewFlagSet("zhidu "+name, flag.ContinueOnError)
	all, err := settings(&c)
	if err != nil {
		return c, err
	}
	for _, s := range all {
		if v := getenv(s.env); v != "" {
			if err := s.fromEnv(v); err != nil {
				return c, fmt.Errorf("%s=%q: %w", s.env, v, err)
			}
		}
		s.bind(fs, s.flag, s.usage+" ($"+s.env+")")
	}
	args = commandFlags(name, fs, &c, args)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	c.API.Namespace = c.Namespace
	return c, nil
}
