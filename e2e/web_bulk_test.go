package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// press sends one key to the page.
func (p *person) press(key string) {
	p.t.Helper()
	p.step("press "+key, chromedp.KeyEvent(key))
}

// pressNav sends a key that leads to another page; it returns its status.
func (p *person) pressNav(key string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(key))
	if err != nil {
		p.t.Fatalf("press %s: %v", key, err)
	}
	return int(res.Status)
}

func (p *person) eval(js string) bool {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		p.t.Fatalf("eval %s: %v", js, err)
	}
	return ok
}

// TestWebInboxBulk: the inbox's checkboxes, select-all and bulk claim
// with its result summary (one task claimed by then fails, with the
// reason), without and with the keyboard.
func TestWebInboxBulk(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	var tasks []string
	for i := range 5 {
		pid := s.startApproval("cs.agent", fmt.Sprintf("批量 %d %s", i, s.nonce), "internal")
		tasks = append(tasks, s.waitTask(pid, "dept_head_approval"))
	}
	head := w.person(t)
	head.signIn("cs.head")
	assignee := func(id string) int {
		return s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND assignee = 'cs.head' AND state = 'claimed'`, id)
	}

	t.Run("checkboxes and a bulk claim with a summary", func(t *testing.T) {
		p := head.in(t)
		if st := p.open("/?tab=claimable"); st != http.StatusOK {
			t.Fatalf("inbox: %d", st)
		}
		p.step("select all", chromedp.Click(chromedp.CSS("#select-all")))
		if !p.eval(`Array.from(document.querySelectorAll(".row-check")).every(b => b.checked)`) {
			t.Fatal("select-all did not check every row")
		}
		p.step("select none", chromedp.Click(chromedp.CSS("#select-all")))
		for _, id := range tasks[:3] {
			p.step("check "+id, chromedp.Click(chromedp.CSS(`tr[data-task="`+id+`"] .row-check`)))
		}
		// Someone (here the same head, in another tab) claims one first.
		s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+tasks[2]+"/claim", nil))
		if st := p.submit("#bulk-claim"); st != http.StatusOK {
			t.Fatalf("bulk claim: %d at %s", st, p.location())
		}
		sum := p.text(".alert-ok")
		if !strings.Contains(sum, "已认领 2 项") || !strings.Contains(sum, "1 项失败") || !strings.Contains(sum, tasks[2]) {
			t.Fatalf("summary %q", sum)
		}
		if assignee(tasks[0]) != 1 || assignee(tasks[1]) != 1 {
			t.Fatal("the bulk claim did not claim the selected tasks")
		}
		if s.count(`SELECT count(*) FROM timeline WHERE task_id = ANY($1) AND action = 'task_claimed'`, tasks[:3]) != 3 {
			t.Fatal("each claim has its own timeline entry (two bulk, one single)")
		}
		p.shot("inbox-bulk.png", 1280)
		// Without the CSRF token nothing is claimed.
		r := s.count(`SELECT count(*) FROM timeline WHERE action = 'task_claimed'`)
		res, err := http.PostForm(w.url+"/tasks/bulk", map[string][]string{"action": {"claim"}, "task": {tasks[3]}})
		if err == nil {
			res.Body.Close()
		}
		if s.count(`SELECT count(*) FROM timeline WHERE action = 'task_claimed'`) != r {
			t.Fatal("a form without a session or token claimed a task")
		}
	})

	t.Run("dates read as a Chinese user reads them", func(t *testing.T) {
		p := head.in(t)
		p.open("/?tab=mine")
		created := p.text("tr.task-row td:last-child")
		if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`).MatchString(created) {
			t.Fatalf("a datetime on a zh page reads %q, want YYYY-MM-DD HH:MM", created)
		}
		if !p.eval(`(e => e.type === "text" && e.placeholder === "YYYY-MM-DD")(document.getElementById("flt-after"))`) {
			t.Fatal("the zh date input is not a YYYY-MM-DD text input")
		}
		if st := p.open("/?tab=mine&due_after=2026-12-01"); st != http.StatusOK || p.value("#flt-after") != "2026-12-01" {
			t.Fatalf("due_after=2026-12-01: %d, input %q", st, p.value("#flt-after"))
		}
		if st := p.open("/?tab=mine&due_after=12/01/2026"); st != http.StatusBadRequest && !p.has(".field-error") {
			t.Fatalf("a mm/dd/yyyy date was not refused: %d", st)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		p := head.in(t)
		p.open("/?tab=claimable")
		rows := `Array.from(document.querySelectorAll("tr.task-row"))`
		current := func() int {
			n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](rows+`.findIndex(r => r.classList.contains("kbd-current"))`))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		p.press("j")
		p.press("j")
		p.press("k")
		if current() != 0 {
			t.Fatalf("after j j k the current row is %d, want 0", current())
		}
		p.press("x")
		if !p.eval(rows + `[0].querySelector(".row-check").checked`) {
			t.Fatal("x did not select the row")
		}
		p.press("x")
		p.press("?")
		if !p.eval(`!document.getElementById("kbd-help").hidden`) || !strings.Contains(p.text("#kbd-help"), "认领当前行的任务") {
			t.Fatal("? did not show the help")
		}
		p.shot("inbox-keyboard.png", 1280)
		p.press("?")
		if !p.eval(`document.getElementById("kbd-help").hidden`) {
			t.Fatal("? again did not hide the help")
		}
		// Typing in the search field is not a command.
		p.eval(`document.querySelector("details.filters:not(.save-view)").open = true; document.getElementById("flt-q").focus(); true`)
		p.press("j")
		if current() != 0 {
			t.Fatal("j in an input moved the row")
		}
		p.eval(`document.activeElement.blur(); true`)
		id, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](rows+`[0].dataset.task`))
		if err != nil {
			t.Fatal(err)
		}
		if st := p.pressNav("c"); st != http.StatusOK || !strings.Contains(p.text(".alert-ok"), "已认领 1 项") {
			t.Fatalf("c: %d, %q", st, p.text(".alert-ok"))
		}
		if assignee(id) != 1 {
			t.Fatal("c did not claim the current row's task")
		}
		p.open("/?tab=mine")
		p.press("j")
		open, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](rows+`[0].dataset.task`))
		if err != nil {
			t.Fatal(err)
		}
		if st := p.pressNav("\r"); st != http.StatusOK || p.location() != "/tasks/"+open {
			t.Fatalf("Enter: %d at %s, want /tasks/%s", st, p.location(), open)
		}
	})

	t.Run("reassign selected", func(t *testing.T) {
		var vp []string
		for i := range 2 {
			pid := s.startApproval("cs.agent", fmt.Sprintf("改派 %d %s", i, s.nonce), "internal")
			s.claimComplete("cs.head", s.waitTask(pid, "dept_head_approval"), "approve", nil)
			vp = append(vp, s.waitTask(pid, "vp_approval"))
		}
		reassigned := func(to string) int {
			return s.count(`SELECT count(*) FROM tasks WHERE id = ANY($1) AND assignee = $2`, vp, to)
		}
		entries := func() int {
			return s.count(`SELECT count(*) FROM timeline WHERE task_id = ANY($1) AND action = 'task_reassigned'`, vp)
		}
		p := w.person(t)
		p.signIn("vp.ops")
		selectVP := func() {
			p.open("/?tab=claimable")
			for _, id := range vp {
				p.step("check "+id, chromedp.Click(chromedp.CSS(`tr[data-task="`+id+`"] .row-check`)))
			}
		}
		// No one named: 400, nothing changes.
		selectVP()
		if st := p.submit("#bulk-reassign"); st != http.StatusBadRequest || !strings.Contains(p.text("main"), "必须填写改派给谁") {
			t.Fatalf("reassign to no one: %d, %q", st, p.text("main"))
		}
		// The requester may not receive the steps: each row fails, with the reason.
		selectVP()
		p.fill(map[string]string{"bulk-to": "cs.agent"})
		if st := p.submit("#bulk-reassign"); st != http.StatusOK {
			t.Fatalf("reassign to the requester: %d", st)
		}
		if sum := p.text(".alert-ok"); !strings.Contains(sum, "已改派 0 项") || !strings.Contains(sum, "2 项失败") || !strings.Contains(sum, vp[0]+" 无权操作") {
			t.Fatalf("summary %q", sum)
		}
		// Someone who is no user: each row fails as invalid input.
		selectVP()
		p.fill(map[string]string{"bulk-to": "no.such.user"})
		p.submit("#bulk-reassign")
		if sum := p.text(".alert-ok"); !strings.Contains(sum, "2 项失败") || !strings.Contains(sum, "输入无效") {
			t.Fatalf("summary %q", sum)
		}
		if entries() != 0 || reassigned("cs.agent") != 0 {
			t.Fatal("a refused bulk reassignment moved a task")
		}
		// The ladder names the deputy GM: Enter in the field reassigns both.
		selectVP()
		p.step("type deputy", chromedp.SendKeys(chromedp.ID("bulk-to"), "deputy"))
		if st := p.pressNav("\r"); st != http.StatusOK {
			t.Fatalf("reassign with Enter: %d at %s", st, p.location())
		}
		if sum := p.text(".alert-ok"); !strings.Contains(sum, "已改派 2 项") || strings.Contains(sum, "失败") {
			t.Fatalf("summary %q", sum)
		}
		if reassigned("deputy") != 2 || entries() != 2 {
			t.Fatalf("reassigned to deputy %d, timeline entries %d, want 2 2", reassigned("deputy"), entries())
		}
		if s.count(`SELECT count(*) FROM audit WHERE object = ANY($1) AND action = 'task.reassign' AND decision = 'allowed'`,
			[]string{"task:" + vp[0], "task:" + vp[1]}) != 2 {
			t.Fatal("each reassignment has its own allowed audit entry")
		}
	})
}
