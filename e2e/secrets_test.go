package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/activities"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/payload"
	"github.com/zhidu/zhidu/signature"
	"github.com/zhidu/zhidu/web"
	"github.com/zhidu/zhidu/workflows"
)

// uiOrigin is the Temporal Web UI origin the test stacks allow.
const uiOrigin = "http://127.0.0.1:8233"

// e2eKeys are the payload and actor keys every test stack shares, as a
// deployment's API and workers do.
var e2eKeys = func() struct {
	ring   *payload.Keyring
	signer *signature.Signer
} {
	ring, err := payload.NewKeyring([]payload.Key{payload.NewKey("p", time.Now())})
	if err != nil {
		panic(err)
	}
	signer, err := signature.New([]payload.Key{payload.NewKey("a", time.Now())})
	if err != nil {
		panic(err)
	}
	return struct {
		ring   *payload.Keyring
		signer *signature.Signer
	}{ring, signer}
}()

var (
	sealedOnce sync.Once
	sealed     client.Client
)

// sealedClient is the Temporal client zhidu's API and workers use: it
// encrypts every payload and signs every start and update.
func sealedClient() client.Client {
	sealedOnce.Do(func() {
		sealed = clientWith(e2eKeys.ring, e2eKeys.signer)
	})
	return sealed
}

// clientWith returns a client of the test server encrypting with ring (nil:
// not at all) and signing with signer (nil: not at all), plus any further
// client interceptors.
func clientWith(ring *payload.Keyring, signer *signature.Signer, more ...interceptor.ClientInterceptor) client.Client {
	var o client.Options
	if ring != nil {
		o.DataConverter = payload.DataConverter(ring)
		o.FailureConverter = payload.FailureConverter(o.DataConverter)
	}
	if signer != nil {
		o.Interceptors = append(o.Interceptors, signer.ClientInterceptor())
	}
	o.Interceptors = append(o.Interceptors, more...)
	return temporalServer().NewClientWithOptions(o)
}

// history returns a workflow's events as Temporal's frontend serves them
// (GetWorkflowExecutionHistory), read by a client without the codec.
func history(t *testing.T, id string) []*historypb.HistoryEvent {
	t.Helper()
	it := temporalServer().GetDefaultClient().GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func startInput(t *testing.T, events []*historypb.HistoryEvent) *commonpb.Payload {
	t.Helper()
	for _, ev := range events {
		if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			return a.GetInput().GetPayloads()[0]
		}
	}
	t.Fatal("no start event")
	return nil
}

// TestSecretProcessHistoryHoldsNoPlaintext starts a secret approval and a
// top-secret one through the API, moves the first a step on, and reads
// their histories from Temporal's frontend with a client that has no
// codec: no event holds the title or details, and every payload is sealed
// for its own process. The API's client (with the codec) still reads them.
func TestSecretProcessHistoryHoldsNoPlaintext(t *testing.T) {
	s := newStack(t)
	secret := "并购计划 价格8亿 " + s.nonce
	pid := s.startApproval("cs.super", secret, "secret")
	tid := s.waitTask(pid, "dept_head_approval")
	s.work("cs.head", tid, "approve", map[string]any{"opinion": "华光 " + s.nonce})
	top := s.startApproval("gm", "绝密 "+secret, "top_secret")
	s.waitTask(top, "dept_head_approval")

	// The first has been through a completed step (its markers and update
	// are in history); the second may still be in its first workflow task.
	for id, atLeast := range map[string]int{pid: 4, top: 1} {
		events := history(t, id)
		sealedPayloads := 0
		for _, ev := range events {
			b, err := proto.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			for _, plain := range []string{s.nonce, "并购计划", "华光"} {
				if bytes.Contains(b, []byte(plain)) {
					t.Errorf("%s: event %d (%s) holds %q in clear text", id, ev.GetEventId(), ev.GetEventType(), plain)
				}
			}
			sealedPayloads += countPayloads(ev, func(p *commonpb.Payload) {
				if !payload.Encrypted(p) {
					t.Errorf("%s: event %d (%s) has an unencrypted payload %q", id, ev.GetEventId(), ev.GetEventType(), p.GetMetadata())
				} else if got := string(p.GetMetadata()[payload.MetaWorkflowID]); got != id {
					t.Errorf("%s: event %d payload sealed for workflow %q", id, ev.GetEventId(), got)
				}
			})
		}
		if sealedPayloads < atLeast {
			t.Errorf("%s: only %d payloads in the history", id, sealedPayloads)
		}
		// The key holder reads them.
		var in workflows.ApprovalInput
		if err := payload.DataConverter(e2eKeys.ring).FromPayload(startInput(t, events), &in); err != nil || !strings.Contains(in.Process.Title, secret) {
			t.Errorf("%s: decoded start input = %+v, %v", id, in, err)
		}
	}
}

// countPayloads calls f for each payload of the event's inputs, results
// and markers, and returns how many there were.
func countPayloads(ev *historypb.HistoryEvent, f func(*commonpb.Payload)) int {
	var n int
	visit := func(ps *commonpb.Payloads) {
		for _, p := range ps.GetPayloads() {
			n++
			f(p)
		}
	}
	visit(ev.GetWorkflowExecutionStartedEventAttributes().GetInput())
	visit(ev.GetActivityTaskScheduledEventAttributes().GetInput())
	visit(ev.GetActivityTaskCompletedEventAttributes().GetResult())
	visit(ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs())
	visit(ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetOutcome().GetSuccess())
	for _, ps := range ev.GetMarkerRecordedEventAttributes().GetDetails() {
		visit(ps)
	}
	return n
}

func payloadsBody(t *testing.T, ps ...*commonpb.Payload) []byte {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCodecEndpoint checks the Web UI's codec: it decodes a process's
// payloads for those who may read the process and for nobody else.
func TestCodecEndpoint(t *testing.T) {
	s := newStack(t)
	secret := "并购计划 " + s.nonce
	pid := s.startApproval("cs.super", secret, "secret")
	s.waitTask(pid, "dept_head_approval")
	sealedIn := startInput(t, history(t, pid))
	body := payloadsBody(t, sealedIn)
	decode := func(user string, body []byte, headers ...string) response {
		return s.call(user, "POST", "/api/v1/codec/decode", body, append([]string{"Content-Type", "application/json"}, headers...)...)
	}

	s.wantError(decode("", body), http.StatusUnauthorized, "unauthenticated")
	for _, user := range []string{"cs.super", "cs.head", "gm", "deputy"} {
		out := decoded(t, decode(user, body, "X-Namespace", temporalServer().GetDefaultNamespace()))
		if len(out) != 1 || payload.Encrypted(out[0]) || !bytes.Contains(out[0].GetData(), []byte(secret)) {
			t.Errorf("%s: decoded %v, want the plaintext start input", user, out)
		}
	}
	for _, user := range []string{"cs.agent", "sales.head", "sysadmin", "quality.head"} {
		s.wantError(decode(user, body), http.StatusNotFound, "not_found")
	}
	// A reader's payload mixed with one of a process they may not read:
	// nothing is decoded.
	other := s.startApproval("sales.head", "其他 "+s.nonce, "secret")
	s.waitTask(other, "dept_head_approval")
	s.wantError(decode("cs.super", payloadsBody(t, sealedIn, startInput(t, history(t, other)))), http.StatusNotFound, "not_found")
	s.wantError(decode("gm", body, "X-Namespace", "someone-else"), http.StatusNotFound, "not_found")

	// Unencrypted payloads (histories from before encryption) come back
	// as they are, for anyone signed in.
	plain, err := converter.GetDefaultDataConverter().ToPayload("old history")
	if err != nil {
		t.Fatal(err)
	}
	if out := decoded(t, decode("cs.agent", payloadsBody(t, plain))); len(out) != 1 || !proto.Equal(out[0], plain) {
		t.Errorf("plain payload came back as %v, want it unchanged", out)
	}
	// A payload that names no process: the GM and deputy GMs only.
	unowned, err := e2eKeys.ring.Seal(plain, payload.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	s.wantError(decode("cs.super", payloadsBody(t, unowned)), http.StatusForbidden, "forbidden")
	s.must(http.StatusOK, decode("gm", payloadsBody(t, unowned)))
	// Sealed for another namespace, with a key zhidu does not have, or
	// not a payload at all.
	foreign, err := e2eKeys.ring.Seal(plain, payload.Origin{Namespace: "other", WorkflowID: pid})
	if err != nil {
		t.Fatal(err)
	}
	s.wantError(decode("gm", payloadsBody(t, foreign)), http.StatusNotFound, "not_found")
	otherRing, err := payload.NewKeyring([]payload.Key{payload.NewKey("p", time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	alien, err := otherRing.Seal(plain, payload.Origin{Namespace: temporalServer().GetDefaultNamespace(), WorkflowID: pid})
	if err != nil {
		t.Fatal(err)
	}
	s.wantError(decode("gm", payloadsBody(t, alien)), http.StatusBadRequest, "invalid")
	s.wantError(decode("gm", []byte(`{"payloads": 7}`)), http.StatusBadRequest, "invalid")

	// CORS: the UI's origin, with credentials, preflight included.
	pre := s.call("", "OPTIONS", "/api/v1/codec/decode", nil, "Origin", uiOrigin,
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-namespace")
	if pre.Status != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != uiOrigin ||
		pre.Header.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "X-Namespace") {
		t.Errorf("preflight from the UI: %d %v", pre.Status, pre.Header)
	}
	if evil := s.call("", "OPTIONS", "/api/v1/codec/decode", nil, "Origin", "http://evil.example"); evil.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin allowed: %v", evil.Header)
	}
	if r := decode("cs.head", body, "Origin", uiOrigin); r.Status != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != uiOrigin {
		t.Errorf("decode from the UI's origin: %d %v", r.Status, r.Header)
	}

	// Through the web inbox, the browser's zhidu session cookie is the
	// sign-in (what the UI sends with includeCredentials).
	inbox := httptest.NewServer(web.New(web.Config{}, s.server.Router(), s.store))
	t.Cleanup(inbox.Close)
	viaCookie := func(user string) int {
		t.Helper()
		req, err := http.NewRequest("POST", inbox.URL+"/api/v1/codec/decode", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", uiOrigin)
		if user != "" {
			se, err := s.store.CreateSession(context.Background(), user, time.Hour, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			req.AddCookie(&http.Cookie{Name: "zhidu_session", Value: se.ID})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for user, want := range map[string]int{"cs.head": http.StatusOK, "cs.agent": http.StatusNotFound, "": http.StatusUnauthorized} {
		if got := viaCookie(user); got != want {
			t.Errorf("decode with %q's session cookie: %d, want %d", user, got, want)
		}
	}

	// Every decode of a secret process is in the audit trail.
	if n := s.count(`SELECT count(*) FROM audit WHERE object = $1 AND actor = 'cs.head'`, "process:"+pid); n == 0 {
		t.Error("the decode is not audited")
	}
}

// decoded checks a codec answer is 200 and returns its payloads.
func decoded(t *testing.T, r response) []*commonpb.Payload {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("decode: status %d, want 200: %s", r.Status, r.Body)
	}
	var out commonpb.Payloads
	if err := protojson.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("decode answer: %v: %s", err, r.Body)
	}
	return out.Payloads
}

// tamper rewrites the arguments of updates after they were signed.
type tamper struct {
	interceptor.ClientInterceptorBase
	change func([]any)
}

func (tp *tamper) InterceptClient(next interceptor.ClientOutboundInterceptor) interceptor.ClientOutboundInterceptor {
	return &tamperOutbound{ClientOutboundInterceptorBase: interceptor.ClientOutboundInterceptorBase{Next: next}, change: tp.change}
}

type tamperOutbound struct {
	interceptor.ClientOutboundInterceptorBase
	change func([]any)
}

func (o *tamperOutbound) UpdateWorkflow(ctx context.Context, in *interceptor.ClientUpdateWorkflowInput) (client.WorkflowUpdateHandle, error) {
	o.change(in.Args)
	return o.Next.UpdateWorkflow(ctx, in)
}

// TestForgedActorIsRejected sends updates straight to Temporal, as anyone
// who reaches its frontend could: unsigned, signed with another key, and
// signed but with the facts changed afterwards. The worker refuses each
// (403, nothing in history, the task still open), while the same update
// through the API goes through. A process started directly with a forged
// starter fails before its first step.
func TestForgedActorIsRejected(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	pid := s.startApproval("cs.agent", "打印机 "+s.nonce, "internal")
	tid := s.waitTask(pid, "dept_head_approval")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+tid+"/claim", nil))
	head, err := s.store.User(ctx, "cs.head")
	if err != nil {
		t.Fatal(err)
	}
	req := zhidu.CompleteTaskRequest{TaskID: tid, Actor: head.Actor(), Assignee: "cs.head", Outcome: "approve"}

	wrongSigner, err := signature.New([]payload.Key{payload.NewKey("a", time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		client client.Client
	}{
		{"unsigned", clientWith(e2eKeys.ring, nil)},
		{"signed with another key", clientWith(e2eKeys.ring, wrongSigner)},
		{"facts changed after signing", clientWith(e2eKeys.ring, e2eKeys.signer, &tamper{change: func(args []any) {
			r := args[0].(zhidu.CompleteTaskRequest)
			r.Outcome = "reject"
			args[0] = r
		}})},
		{"plain client", temporalServer().GetDefaultClient()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := tc.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: pid, UpdateName: workflows.UpdateCompleteTask,
				Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != string(zhidu.CodeForbidden) {
				t.Fatalf("forged update: err = %v, want a %s rejection", err, zhidu.CodeForbidden)
			}
		})
	}
	for _, ev := range history(t, pid) {
		if ev.GetWorkflowExecutionUpdateAcceptedEventAttributes() != nil {
			t.Errorf("a forged update reached the history: event %d", ev.GetEventId())
		}
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND state = 'claimed'`, tid); n != 1 {
		t.Errorf("the task is no longer claimed-and-open after the forgeries")
	}
	// The API's own signed update works.
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+tid+"/complete", map[string]any{"outcome": "approve"}))

	// A start with a forged starter, straight to Temporal.
	forgedID := "approval-forged-" + s.nonce
	gm, err := s.store.User(ctx, "gm")
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.ApprovalInput{Process: zhidu.ProcessInfo{ID: forgedID, Kind: workflows.KindApproval, Title: "forged", Level: zhidu.Internal,
		Department: gm.Department, StartedBy: "gm"}, SLA: workflows.DefaultApprovalSLA()}
	run, err := clientWith(e2eKeys.ring, wrongSigner).ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: forgedID, TaskQueue: s.queue},
		workflows.WorkflowApproval, in)
	if err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != string(zhidu.CodeForbidden) {
		t.Fatalf("forged start: err = %v, want the process failed as %s", err, zhidu.CodeForbidden)
	}
	if n := s.count(`SELECT count(*) FROM processes WHERE id = $1`, forgedID); n != 0 {
		t.Errorf("the forged process reached PostgreSQL")
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1`, forgedID); n != 0 {
		t.Errorf("the forged process created %d tasks", n)
	}
}

// TestProcessesStartedBeforeEncryptionContinue runs a process on an
// "old" deployment — no codec, no signatures — then moves it on with
// today's worker and API: its plain history replays through the codec,
// the start is not re-checked, and new payloads are sealed.
func TestProcessesStartedBeforeEncryptionContinue(t *testing.T) {
	s := newStack(t)
	s.stopWorker()
	old := temporalServer().GetDefaultClient()
	ow := worker.New(old, s.queue, worker.Options{})
	workflows.Register(ow)
	(&activities.Activities{Store: s.store}).Register(ow)
	if err := ow.Start(); err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(s.pool)
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	cfg.Namespace = temporalServer().GetDefaultNamespace()
	oldAPI := s.http
	s.http = httptest.NewServer(api.New(s.store, az, api.TemporalEngine{Client: old, TaskQueue: s.queue}, cfg).Router())
	t.Cleanup(s.http.Close)
	pid := s.startApproval("cs.agent", "旧流程 "+s.nonce, "internal")
	tid := s.waitTask(pid, "dept_head_approval")
	s.http = oldAPI
	ow.Stop()

	s.startWorker() // today's: codec and signature check
	s.work("cs.head", tid, "approve", nil)
	s.waitTask(pid, "vp_approval")
	events := history(t, pid)
	if payload.Encrypted(startInput(t, events)) {
		t.Fatal("the old start input is encrypted: the test did not start an old process")
	}
	accepted := 0
	for _, ev := range events {
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			accepted++
			if args := a.GetAcceptedRequest().GetInput().GetArgs().GetPayloads(); len(args) != 1 || !payload.Encrypted(args[0]) {
				t.Errorf("the new update's arguments are not encrypted")
			}
		}
	}
	if accepted != 1 {
		t.Errorf("%d accepted updates, want 1", accepted)
	}
}
