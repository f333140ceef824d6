package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
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
	OpPoll          = "poll"
	OpProcess       = "process"
)

// Flow drives processes of one scenario through the HTTP API, the way
// people would: start, then for each step the right user opens their inbox
// (GET /tasks), claims and completes the task. The next task is found by
// polling the process page (the projection the worker writes), with a
// short backoff.
type Flow struct {
	Client   *Client
	Scenario Scenario
	// Nonce makes this run's idempotency keys unique.
	Nonce string
	// Timeout bounds the wait for each next task and for the end.
	Timeout time.Duration
}

// Check verifies that every user the scenario needs has a token.
func (f *Flow) Check() error {
	for _, u := range f.Scenario.users() {
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
		return f.Client.Do(ctx, sc.Starter, "POST", "/api/v1/processes/"+sc.Kind, sc.Start(i), &p, "Idempotency-Key", key)
	}); err != nil {
		return err
	}
	for _, st := range sc.Steps {
		id, err := f.waitTask(ctx, rec, p.ID, func(t taskJSON) bool { return t.Step == st.Step })
		if err != nil {
			return err
		}
		if err := f.work(ctx, rec, st, id); err != nil {
			return err
		}
	}
	if err := f.finish(ctx, rec, p.ID); err != nil {
		return err
	}
	rec.Add(OpProcess, time.Since(began))
	return nil
}

// work opens the inbox, claims and completes a task as the step's user.
func (f *Flow) work(ctx context.Context, rec *Recorder, st Step, id string) error {
	c := f.Client
	if _, err := rec.Time(OpList, func() error { return c.Do(ctx, st.User, "GET", "/api/v1/tasks", nil, nil) }); err != nil {
		return err
	}
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

// errTimeout is returned when a process does not move on in time.
var errTimeout = errors.New("timed out")

// poll reads the process page as the starter (who may always read it;
// the next step's user may not until their task exists) with a backoff (5 ms doubling to
// 100 ms) until done says it is what we wait for.
func (f *Flow) poll(ctx context.Context, rec *Recorder, pid string, done func(processJSON) bool) error {
	deadline := time.Now().Add(f.Timeout)
	wait := 5 * time.Millisecond
	for {
		var p processJSON
		if _, err := rec.Time(OpPoll, func() error { return f.Client.Do(ctx, f.Scenario.Starter, "GET", "/api/v1/processes/"+pid, nil, &p) }); err != nil {
			return err
		}
		rec.Count("polls", 1)
		if done(p) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process %s: %w after %s (state %s)", pid, errTimeout, f.Timeout, p.State)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 100*time.Millisecond)
	}
}

// waitTask waits until the process has an open task that match accepts
// and returns its ID.
func (f *Flow) waitTask(ctx context.Context, rec *Recorder, pid string, match func(taskJSON) bool) (string, error) {
	var id string
	err := f.poll(ctx, rec, pid, func(p processJSON) bool {
		if i := slices.IndexFunc(p.Tasks, func(t taskJSON) bool { return t.State == "open" && match(t) }); i >= 0 {
			id = p.Tasks[i].ID
			return true
		}
		return p.State != "running"
	})
	if err == nil && id == "" {
		err = fmt.Errorf("process %s ended before its next task appeared", pid)
	}
	return id, err
}

// finish waits until the process completes, working any optional step
// that appears on the way.
func (f *Flow) finish(ctx context.Context, rec *Recorder, pid string) error {
	for {
		var next *Step
		var id, state string
		err := f.poll(ctx, rec, pid, func(p processJSON) bool {
			state = p.State
			for _, t := range p.Tasks {
				for i, st := range f.Scenario.Optional {
					if t.State == "open" && t.Step == st.Step {
						next, id = &f.Scenario.Optional[i], t.ID
						return true
					}
				}
			}
			return p.State != "running"
		})
		switch {
		case err != nil:
			return err
		case next != nil:
			if err := f.work(ctx, rec, *next, id); err != nil {
				return err
			}
		case state != "completed":
			return fmt.Errorf("process %s ended %s", pid, state)
		default:
			return nil
		}
	}
}
