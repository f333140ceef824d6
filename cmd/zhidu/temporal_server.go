package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	temporalconfig "go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// temporalServerFlags are the flags of `zhidu temporal-server`.
type temporalServerFlags struct {
	configFile string
	services   []string
	namespaces []string
	retention  time.Duration
}

// runTemporalServer runs Temporal's own server (go.temporal.io/server, the
// version zhidu is built against) from a cluster configuration file — the
// same YAML shape as the server's config/development-postgres12.yaml and
// the Helm chart's — on the persistence that file names (PostgreSQL for a
// cluster). It starts the services the --service flags name (all four by
// default; one per process in a real cluster), registers the namespaces
// --namespace names if they are missing, and stops on SIGINT or SIGTERM.
//
// The schema must exist first: `zhidu temporal-sql-tool … setup-schema`
// and `update-schema` create and upgrade it with the server's own files.
func runTemporalServer(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	f, err := parseTemporalServerFlags(args, getenv, out)
	if err != nil {
		return err
	}
	cfg, err := temporalconfig.Load(temporalconfig.WithConfigFile(f.configFile))
	if err != nil {
		return fmt.Errorf("temporal-server: load %s: %w", f.configFile, err)
	}
	logger := log.NewZapLogger(log.BuildZapLogger(cfg.Log))
	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return fmt.Errorf("temporal-server: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return fmt.Errorf("temporal-server: claim mapper: %w", err)
	}
	audienceMapper, err := authorization.GetAudienceMapperFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return fmt.Errorf("temporal-server: audience mapper: %w", err)
	}
	srv, err := temporal.NewServer(
		temporal.ForServices(f.services),
		temporal.WithConfig(cfg),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*temporalconfig.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithAudienceGetter(func(*temporalconfig.Config) authorization.JWTAudienceMapper { return audienceMapper }),
	)
	if err != nil {
		return fmt.Errorf("temporal-server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("temporal-server: start: %w", err)
	}
	defer srv.Stop()
	fmt.Fprintf(out, "temporal-server: services %s started from %s\n", strings.Join(f.services, ","), f.configFile)
	if len(f.namespaces) > 0 {
		addr, ok := frontendAddress(cfg)
		if !ok {
			return errors.New("temporal-server: --namespace needs the frontend service in the configuration file")
		}
		if err := ensureNamespaces(ctx, addr, f.namespaces, f.retention, out); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "temporal-server: ready")
	<-ctx.Done()
	fmt.Fprintln(out, "temporal-server: stopping")
	return nil
}

func parseTemporalServerFlags(args []string, getenv func(string) string, out io.Writer) (temporalServerFlags, error) {
	f := temporalServerFlags{configFile: getenv("ZHIDU_TEMPORAL_CONFIG_FILE"), retention: 30 * 24 * time.Hour}
	f.services = splitList(getenv("ZHIDU_TEMPORAL_SERVICES"))
	f.namespaces = splitList(getenv("ZHIDU_TEMPORAL_NAMESPACES"))
	fs := flag.NewFlagSet("zhidu temporal-server", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.configFile, "config-file", f.configFile, "the Temporal server's configuration file (ZHIDU_TEMPORAL_CONFIG_FILE)")
	var services, namespaces []string // flags replace the environment's lists
	fs.Func("service", "a service to run: frontend, history, matching, worker, internal-frontend; repeatable or comma-separated (ZHIDU_TEMPORAL_SERVICES; default all but internal-frontend)", func(v string) error {
		services = append(services, splitList(v)...)
		return nil
	})
	fs.Func("namespace", "a namespace to register when missing; repeatable or comma-separated (ZHIDU_TEMPORAL_NAMESPACES)", func(v string) error {
		namespaces = append(namespaces, splitList(v)...)
		return nil
	})
	fs.DurationVar(&f.retention, "namespace-retention", f.retention, "how long a registered namespace keeps closed workflows")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if len(services) > 0 {
		f.services = services
	}
	if len(namespaces) > 0 {
		f.namespaces = namespaces
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("temporal-server takes no arguments, got %q", fs.Args())
	}
	if f.configFile == "" {
		return f, errors.New("temporal-server: set --config-file or ZHIDU_TEMPORAL_CONFIG_FILE")
	}
	if len(f.services) == 0 {
		f.services = temporal.DefaultServices
	}
	for _, s := range f.services {
		if !slices.Contains(temporal.Services, s) {
			return f, fmt.Errorf("temporal-server: unknown service %q (one of %s)", s, strings.Join(temporal.Services, ", "))
		}
	}
	return f, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// frontendAddress is where this process's frontend listens, if it runs one.
func frontendAddress(cfg *temporalconfig.Config) (string, bool) {
	svc, ok := cfg.Services[string(primitives.FrontendService)]
	if !ok {
		return "", false
	}
	host := svc.RPC.BindOnIP
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(svc.RPC.GRPCPort)), true
}

// ensureNamespaces registers each namespace that does not exist yet,
// waiting for the frontend to answer (a minute at most).
func ensureNamespaces(ctx context.Context, addr string, names []string, retention time.Duration, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var nc client.NamespaceClient
	var err error
	for {
		if nc, err = client.NewNamespaceClient(client.Options{HostPort: addr, Logger: quietLogger()}); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal-server: the frontend at %s does not answer: %w", addr, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	defer nc.Close()
	for _, name := range names {
		err := nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: name, WorkflowExecutionRetentionPeriod: durationpb.New(retention)})
		var exists *serviceerror.NamespaceAlreadyExists
		switch {
		case err == nil:
			fmt.Fprintf(out, "temporal-server: namespace %q registered\n", name)
		case errors.As(err, &exists):
			fmt.Fprintf(out, "temporal-server: namespace %q exists\n", name)
		default:
			return fmt.Errorf("temporal-server: register namespace %q: %w", name, err)
		}
	}
	return nil
}
