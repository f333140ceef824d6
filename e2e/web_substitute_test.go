package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebInboxSubstitute: during cs.head's out-of-office window the
// substitute (sales.head) has a "代 cs.head" tab listing the absent
// user's tasks they may read, each row marked "代 …"; the secret one is
// not there (nor counted); a bulk claim there claims for cs.head, as the
// API's claim does. Someone with no window asking for the tab gets their
// own inbox.
func TestWebInboxSubstitute(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	now := time.Now().UTC()
	s.must(http.StatusOK, s.call("cs.head", "PUT", "/api/v1/me/substitute", map[string]any{"substitute": "sales.head",
		"from": now.Add(-time.Minute).Format(time.RFC3339), "to": now.Add(time.Hour).Format(time.RFC3339)}))
	var tasks []string
	for _, title := range []string{"代理甲 " + s.nonce, "代理乙 " + s.nonce} {
		tasks = append(tasks, s.waitTask(s.startApproval("cs.agent", title, "internal"), "dept_head_approval"))
	}
	secret := s.waitTask(s.startApproval("cs.super", "机密 "+s.nonce, "secret"), "dept_head_approval")

	sub := w.person(t)
	sub.signIn("sales.head")
	if st := sub.open("/"); st != http.StatusOK || !sub.has("#tab-for-cs\\.head") {
		t.Fatalf("the substitute's inbox: %d, no for-cs.head tab", st)
	}
	if c := sub.text("#tab-for-cs\\.head .count"); c != "2" {
		t.Fatalf("the for tab counts %q, want 2 (the secret task is not counted)", c)
	}
	if st := sub.submit("#tab-for-cs\\.head"); st != http.StatusOK || !strings.Contains(sub.location(), "for=cs.head") {
		t.Fatalf("for tab: %d at %s", st, sub.location())
	}
	if n := sub.count("tr.task-row"); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
	for _, id := range tasks {
		if b := sub.text(`tr[data-task="` + id + `"] .for-user`); !strings.HasPrefix(b, "代 ") {
			t.Fatalf("row %s is marked %q, want 代 …", id, b)
		}
	}
	if sub.has(`tr[data-task="` + secret + `"]`) {
		t.Fatal("the secret task is listed for the substitute")
	}
	sub.step("check", chromedp.Click(chromedp.CSS(`tr[data-task="`+tasks[0]+`"] .row-check`)))
	if st := sub.submit("#bulk-claim"); st != http.StatusOK || !strings.Contains(sub.text(".alert-ok"), "已认领 1 项") {
		t.Fatalf("claim for: %d, %q", st, sub.text(".alert-ok"))
	}
	if !strings.Contains(sub.location(), "tab=for") || !strings.Contains(sub.location(), "for=cs.head") {
		t.Fatalf("after the claim the inbox is at %s, want the for tab", sub.location())
	}
	s.one("claimed for cs.head", `SELECT count(*) FROM tasks WHERE id = $1 AND assignee = 'cs.head' AND state = 'claimed'`, tasks[0])
	s.one("timeline: sales.head for cs.head", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_claimed'
        AND actor = 'sales.head' AND on_behalf_of = 'cs.head'`, tasks[0])
	sub.shot("inbox-substitute.png", 1280)

	// No window, no tab: the own inbox, nothing of cs.head's.
	other := w.person(t)
	other.signIn("cs.agent")
	if st := other.open("/?tab=for&for=cs.head"); st != http.StatusOK || other.has("#tab-for-cs\\.head") || !other.has("#tab-mine.active") {
		t.Fatalf("someone with no window: %d, for tab %v", st, other.has("#tab-for-cs\\.head"))
	}
	if other.has(`tr[data-task="` + tasks[1] + `"]`) {
		t.Fatal("someone with no window sees the absent user's task")
	}
}
