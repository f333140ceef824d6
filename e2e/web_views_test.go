package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWebSavedViews: in the browser, cs.head saves the inbox's current
// filters as a view shared with customer service; the view is a tab with
// its count, for cs.head and for cs.agent each under their own read rule
// (cs.agent never sees the secret task through it); only cs.head may
// delete it.
func TestWebSavedViews(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	tag := "视图-" + s.nonce
	open := s.startApproval("cs.super", tag+" 内部", "internal")
	secret := s.startApproval("cs.super", tag+" 秘密", "secret")
	openTask, secretTask := s.waitTask(open, "dept_head_approval"), s.waitTask(secret, "dept_head_approval")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+openTask+"/claim", nil))
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+secretTask+"/claim", nil))
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+openTask+"/delegate", map[string]any{"to": "cs.agent"}))
	row := func(id string) string { return fmt.Sprintf(`tr[data-task=%q]`, id) }
	var viewID string

	head := w.person(t)
	t.Run("cs.head saves the current filters as a shared view", func(t *testing.T) {
		head := head.in(t)
		head.signIn("cs.head")
		head.open("/?tab=mine&q=" + tag)
		if !head.has(row(openTask)) || !head.has(row(secretTask)) {
			t.Fatal("cs.head's filtered inbox lacks the two tasks")
		}
		head.step("open the save form", chromedp.Click(chromedp.CSS("#save-view summary"), chromedp.NodeVisible))
		head.fill(map[string]string{"view-name": "本部门 " + s.nonce, "view-share": "cs"})
		if st := head.submit("#save-view-submit"); st != http.StatusOK || !strings.Contains(head.location(), "view=") {
			t.Fatalf("save: status %d at %s", st, head.location())
		}
		if got := head.text(".alert-ok"); got != "视图已保存。" {
			t.Errorf("flash = %q", got)
		}
		if err := s.pool.QueryRow(context.Background(), `SELECT id FROM saved_views WHERE owner = 'cs.head' AND shared_with = 'cs'`).Scan(&viewID); err != nil {
			t.Fatalf("no view saved: %v", err)
		}
		tab := "#view-" + viewID
		if got := head.text(tab + " .count"); got != "2" {
			t.Errorf("cs.head's count = %q, want 2", got)
		}
		if !strings.Contains(head.text(tab), "已共享给") || !head.has("#delete-view-"+viewID) {
			t.Errorf("cs.head's tab %q lacks its sharing or its delete button", head.text(tab))
		}
		if !head.has(row(openTask)) || !head.has(row(secretTask)) {
			t.Fatal("the view's list lacks the two tasks")
		}
		head.shot("inbox-views.png", 1280)
	})

	t.Run("cs.agent sees it counted under their own read rule", func(t *testing.T) {
		agent := w.person(t)
		agent.signIn("cs.agent")
		tab := "#view-" + viewID
		if !agent.has(tab) {
			t.Fatal("the shared view is not among cs.agent's tabs")
		}
		if got := agent.text(tab + " .count"); got != "1" {
			t.Errorf("cs.agent's count = %q, want 1", got)
		}
		if agent.has("#delete-view-" + viewID) {
			t.Error("cs.agent may delete cs.head's view")
		}
		if st := agent.submit(tab); st != http.StatusOK {
			t.Fatalf("open the view: %d", st)
		}
		if !agent.has(row(openTask)) || agent.has(row(secretTask)) {
			t.Fatal("through the view cs.agent must see the internal task and never the secret one")
		}
		if !agent.has(tab + "[aria-current=page]") {
			t.Error("the open view's tab is not marked current")
		}
	})

	t.Run("cs.head deletes it", func(t *testing.T) {
		head := head.in(t)
		head.open("/")
		if st := head.submit("#delete-view-" + viewID); st != http.StatusOK || head.text(".alert-ok") != "视图已删除。" {
			t.Fatalf("delete: status %d", st)
		}
		if head.has("#view-"+viewID) || s.count(`SELECT count(*) FROM saved_views WHERE id = $1`, viewID) != 0 {
			t.Fatal("the view is still there")
		}
	})
}
