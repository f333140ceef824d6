package validate

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// composeEnv is what deploy/compose/up.sh writes into .env.
var composeEnv = map[string]string{
	"POSTGRES_PASSWORD":    "pw",
	"TEMPORAL_DB_PASSWORD": "tpw",
	"ZHIDU_PAYLOAD_KEYS":   "p1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	"ZHIDU_ACTOR_KEYS":     "a1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
}

func loadCompose(t *testing.T, file string, env map[string]string) (*types.Project, error) {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: maps.Clone(env), // the loader adds to it
	}, func(o *loader.Options) { o.SetProjectName("zhidu", true) })
}

// TestCompose loads the compose file as `docker compose config` does
// (interpolation, merge keys, the compose-spec JSON schema, consistency)
// and checks its shape: the services, their health checks on /readyz and
// what each waits for.
func TestCompose(t *testing.T) {
	p, err := loadCompose(t, "../compose/docker-compose.yml", composeEnv)
	if err != nil {
		t.Fatalf("compose file does not load: %v", err)
	}
	want := []string{"api-1", "api-2", "migrate", "postgres", "proxy", "temporal", "temporal-namespace",
		"temporal-schema", "temporal-ui", "worker-1", "worker-2"}
	if got := p.ServiceNames(); !slices.Equal(sorted(got), want) {
		t.Fatalf("services = %v, want %v", sorted(got), want)
	}
	svc := func(name string) types.ServiceConfig {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	dependsOn := func(name string, want map[string]string) {
		t.Helper()
		got := map[string]string{}
		for dep, d := range svc(name).DependsOn {
			got[dep] = d.Condition
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s depends on %v, want %v", name, got, want)
		}
	}
	health := func(name, url string) {
		t.Helper()
		hc := svc(name).HealthCheck
		if hc == nil || hc.Disable || !slices.Contains(hc.Test, url) {
			t.Errorf("%s health check = %+v, want one on %s", name, hc, url)
		}
	}
	ready := map[string]string{"migrate": types.ServiceConditionCompletedSuccessfully,
		"temporal-namespace": types.ServiceConditionCompletedSuccessfully}
	for _, name := range []string{"api-1", "api-2"} {
		s := svc(name)
		if !slices.Equal(s.Command, types.ShellCommand{"serve"}) {
			t.Errorf("%s runs %v", name, s.Command)
		}
		health(name, "http://127.0.0.1:8080/readyz")
		dependsOn(name, ready)
	}
	for _, name := range []string{"worker-1", "worker-2"} {
		s := svc(name)
		if !slices.Equal(s.Command, types.ShellCommand{"worker"}) {
			t.Errorf("%s runs %v", name, s.Command)
		}
		health(name, "http://127.0.0.1:9090/readyz")
		dependsOn(name, ready)
	}
	if s := svc("migrate"); !slices.Equal(s.Command, types.ShellCommand{"migrate"}) {
		t.Errorf("migrate runs %v", s.Command)
	}
	dependsOn("migrate", map[string]string{"postgres": types.ServiceConditionHealthy})
	dependsOn("temporal-schema", map[string]string{"postgres": types.ServiceConditionHealthy})
	dependsOn("temporal", map[string]string{"temporal-schema": types.ServiceConditionCompletedSuccessfully})
	dependsOn("proxy", map[string]string{"api-1": types.ServiceConditionHealthy, "api-2": types.ServiceConditionHealthy})
	health("postgres", "pg_isready")
	health("proxy", "http://127.0.0.1:8080/readyz")
	if img := svc("temporal").Image; !strings.HasPrefix(img, "temporalio/server:") {
		t.Errorf("temporal runs %q, want Temporal's own server image", img)
	}
	if s := svc("temporal-schema"); !slices.Contains(s.Entrypoint, "/temporal-schema.sh") {
		t.Errorf("temporal-schema runs %v", s.Entrypoint)
	}
	// Each API replica and worker has the keys and the database, and believes only the proxy.
	for _, name := range []string{"api-1", "api-2", "worker-1", "worker-2"} {
		env := svc(name).Environment
		for k, v := range composeEnv {
			if k == "TEMPORAL_DB_PASSWORD" || k == "POSTGRES_PASSWORD" {
				continue
			}
			if env[k] == nil || *env[k] != v {
				t.Errorf("%s: %s = %v", name, k, env[k])
			}
		}
		if u := env["ZHIDU_DATABASE_URL"]; u == nil || *u != "postgres://zhidu:pw@postgres:5432/zhidu" {
			t.Errorf("%s: database URL %v", name, u)
		}
	}
	proxyIP := p.Services["proxy"].Networks["zhidu"].Ipv4Address
	if tp := svc("api-1").Environment["ZHIDU_TRUSTED_PROXIES"]; tp == nil || *tp != proxyIP {
		t.Errorf("trusted proxies %v, proxy at %q", tp, proxyIP)
	}
	// Every file the services mount is in the directory.
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%s mounts %s: %v", s.Name, v.Source, err)
				}
			}
		}
	}
	checkSettings(t, "compose", composeSettings(p))
}

// TestComposeRefusals: the loader really validates. Without the keys the
// file does not load (nothing starts with an empty key), and a misspelt
// key or a dependency on a missing service is refused.
func TestComposeRefusals(t *testing.T) {
	env := map[string]string{}
	for k, v := range composeEnv {
		if k != "ZHIDU_PAYLOAD_KEYS" {
			env[k] = v
		}
	}
	if _, err := loadCompose(t, "../compose/docker-compose.yml", env); err == nil || !strings.Contains(err.Error(), "ZHIDU_PAYLOAD_KEYS") {
		t.Errorf("without ZHIDU_PAYLOAD_KEYS: %v", err)
	}
	src, err := os.ReadFile("../compose/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, want string }{
		{"    healthcheck:\n      test: [\"CMD\", \"pg_isready\"", "    healthchek:\n      test: [\"CMD\", \"pg_isready\"", "healthchek"},
		{"      temporal-schema:\n        condition: service_completed_successfully", "      temporal-schemaa:\n        condition: service_completed_successfully", "temporal-schemaa"},
		{"condition: service_healthy", "condition: service_ready", "condition value must be one of"},
	} {
		if !bytes.Contains(src, []byte(c.from)) {
			t.Fatalf("the compose file no longer has %q", c.from)
		}
		bad := filepath.Join(t.TempDir(), "docker-compose.yml")
		if err := os.WriteFile(bad, bytes.Replace(src, []byte(c.from), []byte(c.to), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		// The broken copy lives elsewhere; its bind mounts need not exist for it to be refused.
		if _, err := loadCompose(t, bad, composeEnv); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: loaded, or the error does not name it: %v", c.want, err)
		}
	}
}

func composeSettings(p *types.Project) map[string]string {
	out := map[string]string{}
	for _, s := range p.Services {
		if s.Image != "zhidu:local" {
			continue
		}
		for k := range s.Environment {
			out[k] = "compose service " + s.Name
		}
	}
	return out
}

// kustomize renders deploy/k8s with kubectl.
func kustomize(t *testing.T) [][]byte {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatal("kubectl is not installed (deploy/test.sh installs it)")
	}
	out, err := exec.Command(kubectl, "kustomize", "../k8s").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize deploy/k8s: %v\n%s", err, out)
	}
	var docs [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---\n`).Split(string(out), -1) {
		if strings.TrimSpace(d) != "" {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

// decode strict-decodes one rendered document into its k8s.io/api type:
// an unknown or misspelt field, or a kind this test does not know, fails.
func decode(doc []byte) (any, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, err
	}
	var obj any
	switch tm.APIVersion + " " + tm.Kind {
	case "v1 Namespace":
		obj = &corev1.Namespace{}
	case "v1 ConfigMap":
		obj = &corev1.ConfigMap{}
	case "v1 Service":
		obj = &corev1.Service{}
	case "apps/v1 Deployment":
		obj = &appsv1.Deployment{}
	case "batch/v1 Job":
		obj = &batchv1.Job{}
	case "policy/v1 PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "autoscaling/v2 HorizontalPodAutoscaler":
		obj = &autoscalingv2.HorizontalPodAutoscaler{}
	default:
		return nil, fmt.Errorf("unexpected %s %s", tm.APIVersion, tm.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return nil, fmt.Errorf("%s: %w", tm.Kind, err)
	}
	return obj, nil
}

// TestK8s renders deploy/k8s with `kubectl kustomize`, strict-decodes every
// document and checks the API and worker Deployments (probes, resources,
// Secrets), that each has a PodDisruptionBudget and an autoscaler (the API
// on CPU, workers on the task-queue backlog and CPU) and that the Job
// runs migrate.
func TestK8s(t *testing.T) {
	deployments := map[string]*appsv1.Deployment{}
	pdbs := map[string]*policyv1.PodDisruptionBudget{}
	hpas := map[string]*autoscalingv2.HorizontalPodAutoscaler{}
	services := map[string]*corev1.Service{}
	var jobs []*batchv1.Job
	var configMaps []*corev1.ConfigMap
	for _, doc := range kustomize(t) {
		obj, err := decode(doc)
		if err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			deployments[o.Name] = o
		case *policyv1.PodDisruptionBudget:
			pdbs[o.Name] = o
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpas[o.Name] = o
		case *corev1.Service:
			services[o.Name] = o
		case *batchv1.Job:
			jobs = append(jobs, o)
		case *corev1.ConfigMap:
			configMaps = append(configMaps, o)
		}
	}
	if len(deployments) != 2 || deployments["zhidu-api"] == nil || deployments["zhidu-worker"] == nil {
		t.Fatalf("deployments = %v", keys(deployments))
	}
	settings := map[string]string{}
	for _, cm := range configMaps {
		for k := range cm.Data {
			settings[k] = "ConfigMap " + cm.Name
		}
	}
	probePort := map[string]string{"zhidu-api": "http", "zhidu-worker": "metrics"}
	args := map[string]string{"zhidu-api": "serve", "zhidu-worker": "worker"}
	for name, d := range deployments {
		if d.Namespace != "zhidu" {
			t.Errorf("%s in namespace %q", name, d.Namespace)
		}
		pod := d.Spec.Template
		if !matches(d.Spec.Selector, pod.Labels) {
			t.Errorf("%s: selector %v does not select its pods %v", name, d.Spec.Selector, pod.Labels)
		}
		if len(pod.Spec.Containers) != 1 {
			t.Fatalf("%s: %d containers", name, len(pod.Spec.Containers))
		}
		c := pod.Spec.Containers[0]
		if !slices.Equal(c.Args, []string{args[name]}) || !strings.HasPrefix(c.Image, "registry.example.com/zhidu:") {
			t.Errorf("%s runs %s %v", name, c.Image, c.Args)
		}
		probe := func(what string, p *corev1.Probe, path string) {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != probePort[name] {
				t.Errorf("%s: %s probe %+v, want GET %s on port %s", name, what, p, path, probePort[name])
				return
			}
			if !hasPort(c, p.HTTPGet.Port.String()) {
				t.Errorf("%s: %s probe on port %s, which the container does not name", name, what, p.HTTPGet.Port.String())
			}
		}
		probe("readiness", c.ReadinessProbe, "/readyz")
		probe("liveness", c.LivenessProbe, "/healthz")
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s: resources %+v", name, c.Resources)
		}
		if sc := pod.Spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("%s may run as root", name)
		}
		secretEnv(t, name, c, settings)

		pdb := pdbs[name]
		if pdb == nil || !matches(pdb.Spec.Selector, pod.Labels) || (pdb.Spec.MinAvailable == nil && pdb.Spec.MaxUnavailable == nil) {
			t.Errorf("%s: PodDisruptionBudget %+v", name, pdb)
		}
		hpa := hpas[name]
		if hpa == nil || hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != name ||
			hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || hpa.Spec.MaxReplicas <= *hpa.Spec.MinReplicas {
			t.Errorf("%s: HorizontalPodAutoscaler %+v", name, hpa)
			continue
		}
		var kinds []string
		for _, m := range hpa.Spec.Metrics {
			switch m.Type {
			case autoscalingv2.ResourceMetricSourceType:
				kinds = append(kinds, "resource "+string(m.Resource.Name))
			case autoscalingv2.ExternalMetricSourceType:
				kinds = append(kinds, "external "+m.External.Metric.Name+" "+fmt.Sprint(m.External.Metric.Selector.MatchLabels))
			}
		}
		want := map[string][]string{
			"zhidu-api":    {"resource cpu"},
			"zhidu-worker": {"external temporal_approximate_backlog_count map[namespace:default task_queue:zhidu]", "resource cpu"},
		}[name]
		if !slices.Equal(kinds, want) {
			t.Errorf("%s scales on %v, want %v", name, kinds, want)
		}
		if svc := services[name]; svc == nil || !matches(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, pod.Labels) {
			t.Errorf("%s: Service %+v", name, svc)
		}
	}
	if len(jobs) != 1 {
		t.Fatalf("jobs: %d", len(jobs))
	}
	job := jobs[0].Spec.Template.Spec
	if len(job.Containers) != 1 || !slices.Equal(job.Containers[0].Args, []string{"migrate"}) || job.RestartPolicy == corev1.RestartPolicyAlways {
		t.Errorf("migration job: %+v", job)
	} else {
		secretEnv(t, "zhidu-migrate", job.Containers[0], settings)
	}
	checkSettings(t, "k8s", settings)
}

// secretEnv checks a container takes the ConfigMap and its database URL
// (and, but for migrate, the keys) from Secrets, and notes its settings.
func secretEnv(t *testing.T, name string, c corev1.Container, settings map[string]string) {
	t.Helper()
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != "zhidu" {
		t.Errorf("%s: envFrom %+v", name, c.EnvFrom)
	}
	fromSecret := map[string]string{}
	for _, e := range c.Env {
		settings[e.Name] = name
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			fromSecret[e.Name] = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		} else if e.Value == "" {
			t.Errorf("%s: %s has no value", name, e.Name)
		}
	}
	want := map[string]string{"ZHIDU_DATABASE_URL": "zhidu-db-app/uri"}
	if name != "zhidu-migrate" {
		want["ZHIDU_PAYLOAD_KEYS"] = "zhidu-keys/payload-keys"
		want["ZHIDU_ACTOR_KEYS"] = "zhidu-keys/actor-keys"
	}
	if fmt.Sprint(fromSecret) != fmt.Sprint(want) {
		t.Errorf("%s: from Secrets %v, want %v", name, fromSecret, want)
	}
}

// TestK8sStrict: the decoder refuses what the API server would: a misspelt
// field and a value of the wrong type.
func TestK8sStrict(t *testing.T) {
	docs := kustomize(t)
	var deployment []byte
	for _, d := range docs {
		if bytes.Contains(d, []byte("kind: Deployment")) {
			deployment = d
			break
		}
	}
	for _, c := range []struct{ from, to string }{
		{"readinessProbe:", "readinesProbe:"},
		{"replicas: 2", "replicas: two"},
	} {
		if !bytes.Contains(deployment, []byte(c.from)) {
			t.Fatalf("the rendered Deployment has no %q", c.from)
		}
		if _, err := decode(bytes.Replace(deployment, []byte(c.from), []byte(c.to), 1)); err == nil {
			t.Errorf("%q decoded", c.to)
		}
	}
	if _, err := decode([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")); err == nil {
		t.Error("a kind the deployment does not have decoded")
	}
}

// zhiduSettings reads the ZHIDU_* names zhidu takes from cmd/zhidu's
// settings table (with the Go parser: every string literal there that is a
// setting's name) and the processes' descriptors.
func zhiduSettings(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]bool{}
	for _, dir := range []string{"../../cmd/zhidu", "../../workflows"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && regexp.MustCompile(`^ZHIDU_[A-Z0-9_]+$`).MatchString(s) {
						out[s] = true
					}
				}
				return true
			})
		}
	}
	if !out["ZHIDU_DATABASE_URL"] || !out["ZHIDU_KEYS_FILE"] {
		t.Fatalf("cmd/zhidu's settings not found: %v", out)
	}
	return out
}

// checkSettings: every ZHIDU_* variable a deployment sets is one zhidu reads.
func checkSettings(t *testing.T, what string, used map[string]string) {
	t.Helper()
	known := zhiduSettings(t)
	for k, where := range used {
		if strings.HasPrefix(k, "ZHIDU_") && !known[k] {
			t.Errorf("%s: %s sets %s, which zhidu does not read", what, where, k)
		}
	}
}

func matches(sel *metav1.LabelSelector, labels map[string]string) bool {
	if sel == nil || len(sel.MatchLabels) == 0 {
		return false
	}
	for k, v := range sel.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func hasPort(c corev1.Container, name string) bool {
	for _, p := range c.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}
