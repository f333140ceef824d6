package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/workflows"
)

// TestWebProbation: a probation in the web inbox, its calendar compressed
// (a day of 50 ms, a month of ten minutes: the test ends within the first
// month). hr.trainer registers newhire with the mentor sales.mentor on the
// start form and lands on the file: employee, department, mentor, the end
// of the period and the written test as the next deadline. newhire, who may
// not open the file, finds "my probation" in the navigation: records two
// sales on it (a third without a customer gets the API's field message),
// and the leave request in the first month gets the API's refusal next to
// the form. After day 1 and day 15 (worked through the API), sales.head sees
// the progress on the file (two of three), the sales as a table, the test
// score and both evaluations, the end of the period as the next deadline;
// a change of mentor to the mentor already named gets the field's message,
// one to cs.super is shown as awaiting the head. The screenshot is the
// README's.
func TestWebProbation(t *testing.T) {
	w := newWebStackWith(t, quickProbations(50*time.Millisecond, 10*time.Minute))
	s := w.stack
	customer := "华联超市 " + s.nonce
	hr := w.person(t)
	hr.signIn("hr.trainer")
	var id string

	t.Run("hr.trainer registers the probation", func(t *testing.T) {
		hr := hr.in(t)
		if st := hr.open("/start/probation"); st != http.StatusOK {
			t.Fatalf("start page: %d", st)
		}
		hr.fill(map[string]string{"f-employee": "newhire", "f-mentor": "sales.mentor", "f-target": "3"})
		if st := hr.submit("#start-submit"); st != http.StatusOK {
			t.Fatalf("submit: status %d at %s: %s", st, hr.location(), hr.text("main"))
		}
		var ok bool
		id, ok = strings.CutPrefix(strings.Split(hr.location(), "?")[0], "/processes/")
		if !ok || !hr.has("#probation") {
			t.Fatalf("after starting: at %s", hr.location())
		}
		for col, want := range map[string]string{"employee": "newhire", "department": "销售部", "mentor": "sales.mentor"} {
			if got := hr.text(`#probation [data-column="` + col + `"] dd`); got != want {
				t.Errorf("%s = %q, want %q", col, got, want)
			}
		}
		if got := hr.text(`#probation [data-column="stage"] dd`); got != "试用中" && got != "评审" { // day 15 comes after 0.7 s
			t.Errorf("stage = %q", got)
		}
		if got := hr.text(`#probation [data-column="next"] dd`); !strings.HasPrefix(got, "入职笔试 · ") {
			t.Errorf("the next deadline before the test = %q", got)
		}
		if got := hr.text("#sales-progress-text"); got != "已完成 0 单 / 任务 3 单" || !hr.has("#sales-none") {
			t.Errorf("progress before any sale = %q", got)
		}
		if !hr.has("#form-sale") || !hr.has("#form-mentor") {
			t.Error("HR is not offered the sale and mentor forms")
		}
	})
	s.waitFor("newhire flagged on probation", func() bool { on, _ := s.probationFlag("newhire"); return on })

	t.Run("newhire records sales on their own page", func(t *testing.T) {
		nh := w.person(t)
		nh.signIn("newhire")
		if st := nh.open("/processes/" + id); st != http.StatusNotFound {
			t.Errorf("newhire opens the file: %d, want 404", st)
		}
		nh.open("/")
		if st := nh.submit("#nav-probation"); st != http.StatusOK || nh.location() != "/me/probation" {
			t.Fatalf("the nav's probation link: %d at %s", st, nh.location())
		}
		for i, ref := range []string{"S-1", "S-2"} {
			nh.fill(map[string]string{"f-reference": ref + "-" + s.nonce, "f-amount": []string{"1280.5", "99"}[i], "f-customer": customer})
			if st := nh.submit("#sale-submit"); st != http.StatusOK || nh.text(".alert-ok") != "已登记该笔销售。" {
				t.Fatalf("sale %s: status %d at %s", ref, st, nh.location())
			}
		}
		if got := nh.text("#sales-progress-text"); got != "已完成 2 单 / 任务 3 单" {
			t.Errorf("progress = %q", got)
		}
		// Day 15 comes after 0.7 s: the evaluation's stage, or still the first.
		if got := nh.text(`#my-probation [data-column="stage"] dd`); got != "试用中" && got != "评审" {
			t.Errorf("stage = %q", got)
		}
		// A sale without a customer: the API's field message, what was
		// typed kept, nothing recorded.
		nh.fill(map[string]string{"f-reference": "S-3-" + s.nonce, "f-amount": "10"})
		if st := nh.submit("#sale-submit"); st != http.StatusBadRequest {
			t.Fatalf("a sale without a customer: %d, want 400", st)
		}
		if got := nh.text(`#form-sale .field-error[data-field="f.customer"]`); got != "此项必填" {
			t.Errorf("customer's message = %q", got)
		}
		if got := nh.value("#f-reference"); got != "S-3-"+s.nonce {
			t.Errorf("the reference typed = %q", got)
		}
		// Leave in the first month: refused, the API's message by the form.
		nh.fill(map[string]string{"f-from": time.Now().Format(time.DateOnly), "f-days": "1", "f-reason": "体检"})
		if st := nh.submit("#leave-submit"); st != http.StatusConflict {
			t.Fatalf("leave in the first month: %d, want 409", st)
		}
		if got := nh.text("#leave-error"); !strings.HasPrefix(got, "试用期内一个月不允许休息：") || !strings.HasSuffix(got, " 起方可请假") {
			t.Errorf("the leave refusal = %q", got)
		}
		if nh.value("#f-reason") != "体检" {
			t.Error("the leave form lost the reason typed")
		}
	})
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'sale_recorded' AND actor = 'newhire'`, id); n != 2 {
		t.Fatalf("%d sales in the timeline, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1 AND step = $2`, id, workflows.StepLeaveApproval); n != 0 {
		t.Fatalf("the refused leave made %d tasks", n)
	}

	s.dayOneAndFifteen(id, "sales.mentor")
	s.waitFor("the evaluation archived", func() bool {
		return s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'evaluation_archived'`, id) == 1
	})

	t.Run("sales.head sees the progress on the file", func(t *testing.T) {
		head := w.person(t)
		head.signIn("sales.head")
		if st := head.open("/processes/" + id); st != http.StatusOK {
			t.Fatalf("the file as sales.head: %d", st)
		}
		if got := head.text("#sales-progress-text"); got != "已完成 2 单 / 任务 3 单" {
			t.Errorf("progress = %q", got)
		}
		if got := head.text(`#sales-table tbody tr:nth-child(1)`); !strings.Contains(got, "S-1-"+s.nonce+" 1280.50 "+customer+" newhire") {
			t.Errorf("sale 1 = %q", got)
		}
		if got := head.text("#sales-total"); got != "1379.50" {
			t.Errorf("total = %q", got)
		}
		if got := head.text("#test-score"); got != "86" {
			t.Errorf("test score = %q", got)
		}
		for step, want := range map[string]string{workflows.StepEvaluationHead: "进步明显 sales.head 签字", workflows.StepEvaluationMentor: "良好 sales.mentor 签字"} {
			if got := head.text(`.evaluation[data-step="` + step + `"] dd`); !strings.HasPrefix(got, want) {
				t.Errorf("%s = %q, want %q…", step, got, want)
			}
		}
		if got := head.text(`#probation [data-column="next"] dd`); !strings.HasPrefix(got, "试用期满 · ") {
			t.Errorf("the next deadline after day 15 = %q", got)
		}
		if got := head.text(".tl-sale_recorded"); !strings.Contains(got, "登记销售") || !strings.Contains(got, customer) {
			t.Errorf("the timeline's sale = %q", got)
		}
		head.shot("probation.png", 1280)

		// The mentor named already: the field's message; cs.super: asked.
		head.fill(map[string]string{"f-mentor": "sales.mentor", "f-reason": "原带教调岗"})
		if st := head.submit("#mentor-submit"); st != http.StatusBadRequest {
			t.Fatalf("the same mentor: %d, want 400", st)
		}
		if got := head.text(`#form-mentor .field-error[data-field="f.mentor"]`); got != "已是现任带教" {
			t.Errorf("mentor's message = %q", got)
		}
		head.fill(map[string]string{"f-mentor": "cs.super", "f-reason": "原带教调岗"})
		if st := head.submit("#mentor-submit"); st != http.StatusOK || !head.has(".alert-ok") {
			t.Fatalf("a change of mentor: %d at %s", st, head.location())
		}
		s.waitTask(id, workflows.StepMentorChange)
		head.open("/processes/" + id)
		if got := head.text(".mentor-asked"); !strings.Contains(got, "cs.super") {
			t.Errorf("the change asked = %q", got)
		}

		// In English, the cards' labels are English.
		if st := head.submit("a.lang"); st != http.StatusOK {
			t.Fatalf("language switch: %d", st)
		}
		for _, sel := range []string{"#probation", "#h-probation-sales", "#sales-progress", "#sales-table thead", "#probation-evaluations dt", "#form-sale .fields", "#form-mentor .fields"} {
			if got := head.text(sel); han.MatchString(got) {
				t.Errorf("English page: %s has Chinese in it: %q", sel, got)
			}
		}
		head.submit("a.lang")
	})

	t.Run("a peer may not open the file", func(t *testing.T) {
		rep := w.person(t)
		rep.signIn("sales.rep")
		if st := rep.open("/processes/" + id); st != http.StatusNotFound {
			t.Errorf("sales.rep opens the file: %d, want 404", st)
		}
		if rep.has("#nav-probation") {
			t.Error("sales.rep, not on probation, has the probation link")
		}
		if st := rep.open("/me/probation"); st != http.StatusNotFound {
			t.Errorf("sales.rep's own probation page: %d, want 404", st)
		}
	})
}
