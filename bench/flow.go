package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhidu/zhidu/workflows"
)

// Client calls zhidu's HTTP API as the demo users.
type Client struct {
	URL    string            // base URL, e.g. http://127.0.0.1:8080
	Tokens map[string]string // bearer token by username
	HTTP   *http.Client
}

// NewClient returns a client that keeps enough connections open for
// concurrent clients not to reconnect on every request.
func NewClient(url string, tokens map[string]string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 1024, 1024
	return &Client{URL: strings.TrimRight(url, "/"), Tokens: tokens, HTTP: &http.Client{Transport: tr}}
}

// APIError is a response with an unexpected status.
type APIError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, strings.TrimSpace(e.Body))
}

// Do sends a request as user, expects a 2xx answer and decodes its body
// into out (unless out is nil). header holds extra name, value pairs.
func (c *Client) Do(ctx context.Context, user, method, path string, body, out any, header ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, rd)
	if err != nil {
		return err
	}
	if user != "" {
		tok, ok := c.Tokens[user]
		if !ok {
			return fmt.Errorf("no token for user %q in the users file", user)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		return &APIError{Method: method, Path: path, Status: res.StatusCode, Body: string(b[:min(len(b), 300)])}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}

// taskJSON and processJSON are the parts of the API's answers a run reads.
type taskJSON struct {
	ID    string `json:"id"`
	Step  string `json:"step"`
	State string `json:"state"`
}

type processJSON struct {
	ID    string     `json:"id"`
	State string     `json:"state"`
	Tasks []taskJSON `json:"tasks"`
}

// Operation names of a run.
const (
	OpStart         = "start"
	OpList          = "list"
	OpClaim         = "claim"
	OpComplete      = "complete"
	OpClaimComplete = "claim+complete"
	OpCall          = "call" // a step that is a request, not a task (a sale)
	OpPoll          = "poll"
	OpEnd           = "end"     // from the last step's completion to the process's end
	OpProcess       = "process" // from the start to the end
)

// Flow drives processes of one scenario through the HTTP API, the way
// people would: start, then for each step the right user looks in their
// inbox (GET /tasks, narrowed to the process) until the task is there,
// claims and completes it. The end is seen on the process page. Both
// read the projection the worker writes.
type Flow struct {
	Client   *Client
	Scenario Scenario
	// Nonce makes this run's idempotency keys unique.
	Nonce string
	// Timeout bounds the wait for each next task and for the end.
	Timeout time.Duration

	estimates sync.Map // what → *estimate
	source    string   // the scenario's Source once started
}

// Check verifies that every user the scenario needs has a token.
func (f *Flow) Check() error {
	for _, u := range f.Scenario.Users() {
		if _, ok := f.Client.Tokens[u]; !ok {
			return fmt.Errorf("the users file has no token for %s, whom the %s scenario needs", u, f.Scenario.Kind)
		}
	}
	return nil
}

// one runs the i-th process from start to finish.
func (f *Flow) one(ctx context.Context, i int, rec *Recorder) error {
	sc := f.Scenario
	began := time.Now()
	var p processJSON
	key := fmt.Sprintf("bench-%s-%s-%d", f.Nonce, sc.Kind, i)
	if _, err := rec.Time(OpStart, func() error {
		body := sc.StartBody(i, f.Nonce)
		if sc.Source != nil {
			body[sc.Source.Field] = f.source
		}
		return f.Client.Do(ctx, sc.Starter, "POST", "/api/v1/processes/"+sc.Kind, body, &p, "Idempotency-Key", key)
	}); err != nil {
		return err
	}
	since := time.Now()
	for _, st := range sc.Steps {
		if st.User == workflows.BenchSubjectUser {
			st.User = sc.SubjectName(i, f.Nonce)
		}
		if st.Call != "" {
			if err := f.call(ctx, rec, st, sc.SubjectName(i, f.Nonce)); err != nil {
				return err
			}
			continue
		}
		id, err := f.findTask(ctx, rec, since, p.ID, st)
		if err != nil {
			return err
		}
		if err := f.work(ctx, rec, st, id); err != nil {
			return err
		}
		since = time.Now()
	}
	if err := f.finish(ctx, rec, since, p.ID); err != nil {
		return err
	}
	rec.Add(OpEnd, time.Since(since))
	rec.Add(OpProcess, time.Since(began))
	return nil
}

// work claims and completes a task as the step's user.
func (f *Flow) work(ctx context.Context, rec *Recorder, st Step, id string) error {
	c := f.Client
	claim, err := rec.Time(OpClaim, func() error { return c.Do(ctx, st.User, "POST", "/api/v1/tasks/"+id+"/claim", nil, nil) })
	if err != nil {
		return err
	}
	body := map[string]any{"outcome": st.Outcome, "data": st.Data}
	complete, err := rec.Time(OpComplete, func() error {
		return c.Do(ctx, st.User, "POST", "/api/v1/tasks/"+id+"/complete", body, nil)
	})
	if err != nil {
		return err
	}
	rec.Add(OpClaimComplete, claim+complete)
	rec.Count("tasks", 1)
	return nil
}

// call sends a call step's request as its user.
func (f *Flow) call(ctx context.Context, rec *Recorder, st Step, subject string) error {
	path := strings.ReplaceAll(st.Call, "{subject}", url.PathEscape(subject))
	if _, err := rec.Time(OpCall, func() error { return f.Client.Do(ctx, st.User, "POST", path, st.Data, nil) }); err != nil {
		return err
	}
	rec.Count("calls", 1)
	return nil
}

// SourceID is the ID of the scenario's Source process once Prepare has
// started it (it stays running: the flows read it), else "".
func (f *Flow) SourceID() string { return strings.TrimPrefix(f.source, "process:") }

// Prepare starts the scenario's Source once, and makes the subjects of
// processes first .. first+n-1 (a scenario's Subject), as the system
// administrator, through the administration API, and keeps their tokens:
// before the run, unmeasured.
func (f *Flow) Prepare(ctx context.Context, first, n int) error {
	if src := f.Scenario.Source; src != nil && f.source == "" {
		var p processJSON
		if err := f.Client.Do(ctx, src.User, "POST", "/api/v1/processes/"+src.Kind, src.Body, &p,
			"Idempotency-Key", "bench-source-"+f.Nonce+"-"+f.Scenario.Kind); err != nil {
			return fmt.Errorf("start the source: %w", err)
		}
		f.source = "process:" + p.ID
	}
	sub := f.Scenario.Subject
	if sub == nil {
		return nil
	}
	for i := first; i < first+n; i++ {
		name := f.Scenario.SubjectName(i, f.Nonce)
		var created struct {
			Token string `json:"token"`
		}
		body := map[string]any{"username": name, "name": name, "department": sub.Department, "clearance": sub.Clearance,
			"roles": sub.Roles}
		if err := f.Client.Do(ctx, workflows.BenchAdmin, "POST", "/api/v1/admin/users", body, &created); err != nil {
			return fmt.Errorf("make the subject %s: %w", name, err)
		}
		f.Client.Tokens[name] = created.Token
	}
	return nil
}

// errTimeout is returned when a process does not move on in time.
var errTimeout = errors.New("timed out")

// estimate learns how long after the previous call the projection shows
// what a run waits for (the next task, the end), so that the first look
// comes when it is probably there: looking too early costs the API a
// request, and the bench would measure its own polling.
type estimate struct{ ns atomic.Int64 }

// firstWait is how long to wait before the first look, counted from since.
func (e *estimate) firstWait(since time.Time) time.Duration {
	return time.Duration(e.ns.Load()*7/10) - time.Since(since)
}

// observe folds in one observed delay (moving average, weight 1/8).
func (e *estimate) observe(d time.Duration) {
	for {
		old := e.ns.Load()
		n := old + (int64(d)-old)/8
		if old == 0 {
			n = int64(d)
		}
		if e.ns.CompareAndSwap(old, n) {
			return
		}
	}
}

func (f *Flow) estimate(key string) *estimate {
	e, _ := f.estimates.LoadOrStore(key, &estimate{})
	return e.(*estimate)
}

// await calls look, first after the learnt delay since the previous call,
// then backing off from 5 ms to 100 ms, until it reports done.
func (f *Flow) await(ctx context.Context, since time.Time, est *estimate, what string, look func() (bool, error)) error {
	deadline := since.Add(f.Timeout)
	sleep := func(d time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
			return nil
		}
	}
	if w := est.firstWait(since); w > 0 {
		if err := sleep(w); err != nil {
			return err
		}
	}
	for wait := 5 * time.Millisecond; ; wait = min(wait*2, 100*time.Millisecond) {
		done, err := look()
		if err != nil {
			return err
		}
		if done {
			est.observe(time.Since(since))
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %w after %s", what, errTimeout, f.Timeout)
		}
		if err := sleep(wait); err != nil {
			return err
		}
	}
}

// findTask looks in the step user's inbox, narrowed to the process (GET
// /tasks?process=PROCESS_ID), until the step's task is there to claim, and
// returns its ID.
func (f *Flow) findTask(ctx context.Context, rec *Recorder, since time.Time, pid string, st Step) (string, error) {
	path := "/api/v1/tasks?" + url.Values{"process": {pid}, "limit": {"10"}}.Encode()
	var id string
	err := f.await(ctx, since, f.estimate("task:"+st.Step), fmt.Sprintf("process %s: no %s task in %s's inbox", pid, st.Step, st.User),
		func() (bool, error) {
			var page struct {
				Items []taskJSON `json:"items"`
			}
			if _, err := rec.Time(OpList, func() error { return f.Client.Do(ctx, st.User, "GET", path, nil, &page) }); err != nil {
				return false, err
			}
			rec.Count("lists", 1)
			if i := slices.IndexFunc(page.Items, func(t taskJSON) bool { return t.Step == st.Step && t.State == "open" }); i >= 0 {
				id = page.Items[i].ID
				return true, nil
			}
			return false, nil
		})
	return id, err
}

// finish reads the process page as its starter (who may always read it)
// until the process has completed, working any optional step that
// appears on the way.
func (f *Flow) finish(ctx context.Context, rec *Recorder, since time.Time, pid string) error {
	for {
		var next *Step
		var id, state string
		err := f.await(ctx, since, f.estimate("end"), "process "+pid+" did not end", func() (bool, error) {
			var p processJSON
			if _, err := rec.Time(OpPoll, func() error {
				return f.Client.Do(ctx, f.Scenario.Starter, "GET", "/api/v1/processes/"+pid, nil, &p)
			}); err != nil {
				return false, err
			}
			rec.Count("polls", 1)
			state = p.State
			for _, t := range p.Tasks {
				for i, st := range f.Scenario.Optional {
					if t.State == "open" && t.Step == st.Step {
						next, id = &f.Scenario.Optional[i], t.ID
						return true, nil
					}
				}
			}
			return p.State != "running", nil
		})
		switch {
		case err != nil:
			return err
		case next != nil:
			if err := f.work(ctx, rec, *next, id); err != nil {
				return err
			}
			since = time.Now()
		case state != "completed":
			return fmt.Errorf("process %s ended %s", pid, state)
		default:
			return nil
		}
	}
}
