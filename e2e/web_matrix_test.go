package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/matrix"
)

// TestWebApprovalMatrix: the approval matrix in the web inbox. The
// security administrator finds it in the nav, proposes a version with a
// mistake — the API's message is shown next to the rule's steps and
// nothing is stored — fixes it and proposes: the proposal is stored and
// the page shows its changes. The GM's task shows the changes as a table;
// the GM approves it there and version 2 is active. Staff get no editor
// (the API's 403) but the dry run; the system administrator neither.
func TestWebApprovalMatrix(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	sec := w.person(t)
	sec.signIn("secadmin")
	var processID string

	t.Run("secadmin proposes a version, with a mistake first", func(t *testing.T) {
		sec := sec.in(t)
		if st := sec.submit(`.mainnav a[href="/admin/approval-matrix"]`); st != http.StatusOK {
			t.Fatalf("the nav's matrix link: %d", st)
		}
		if got := sec.text("#h-active"); got != "现行版本：第 1 版" {
			t.Errorf("active version heading = %q", got)
		}
		if got := sec.text(`#matrix-active tr[data-rule="3"]`); got != "3 临时小额采购 任何部门 任何密级 低于 ¥2,000.01 部门经理@申请人所在部门 → 职员@财务部" {
			t.Errorf("rule 3 shown as %q", got)
		}
		if got := sec.value("#r3-steps"); got != "部门经理@申请人所在部门 → 职员@财务部" {
			t.Errorf("the editor's rule 3 = %q", got)
		}

		// A role that does not exist: the API's message, on rule 3's steps.
		sec.fill(map[string]string{"r3-steps": "部门经理@申请人所在部门 → 老板@财务部", "matrix-note": "小额临时采购由部门经理审批即可"})
		if st := sec.submit("#matrix-propose"); st != http.StatusBadRequest {
			t.Fatalf("the proposal with a mistake: %d", st)
		}
		if got := sec.text("#rule-3 .cell-steps .field-error"); got != "第 2 步（老板@财务部）：请从给定选项中选择" {
			t.Errorf("rule 3's message = %q", got)
		}
		if sec.has("#rule-2 .field-error") || sec.has("#rule-4 .field-error") || !sec.has(`#rule-3.has-errors`) {
			t.Error("the message is not on rule 3 alone")
		}
		if sec.value("#r3-steps") != "部门经理@申请人所在部门 → 老板@财务部" || sec.value("#matrix-note") != "小额临时采购由部门经理审批即可" {
			t.Error("what was typed is lost")
		}
		if st := s.matrixState(); st != "1 versions, 0 proposed, 0 changes" {
			t.Errorf("after the refused proposal: %s", st)
		}
		sec.shot("approval-matrix.png", 1280)

		// Fixed: version 2 is proposed and awaits the GM.
		sec.fill(map[string]string{"r3-steps": "部门经理@申请人所在部门"})
		if st := sec.submit("#matrix-propose"); st != http.StatusOK || sec.location() != "/admin/approval-matrix?ok=matrix_proposed" {
			t.Fatalf("the proposal: %d at %s", st, sec.location())
		}
		active, proposed, err := s.store.CurrentMatrix(t.Context())
		if err != nil || proposed == nil {
			t.Fatalf("stored: %v, %v", proposed, err)
		}
		want := matrix.Seed()
		want.Rules[3].Steps = want.Rules[3].Steps[:1]
		if active.Version != 1 || proposed.Version != 2 || proposed.ProposedBy != "secadmin" || proposed.Note != "小额临时采购由部门经理审批即可" ||
			!matrix.Equal(proposed.Document, want) {
			t.Errorf("stored proposal = %+v", proposed)
		}
		processID = proposed.ProcessID
		if got := sec.text(".alert-ok"); got != "新版本已提交，等待总经理批准。" {
			t.Errorf("flash = %q", got)
		}
		if got := sec.text(`#matrix-proposal tr[data-op="changed"][data-rule="3"]`); got !=
			"修改步骤 3 临时小额采购 任何部门 任何密级 低于 ¥2,000.01 部门经理@申请人所在部门 → 职员@财务部 ⇒ 部门经理@申请人所在部门" {
			t.Errorf("the proposal's change = %q", got)
		}
		if sec.has("#matrix-form") || !strings.Contains(sec.text("#matrix-pending"), "第 2 版正待总经理决定") {
			t.Error("the editor is offered while version 2 awaits the GM")
		}
		if st := sec.submit("#matrix-process"); st != http.StatusOK || sec.location() != "/processes/"+processID {
			t.Errorf("the process link: %d at %s", st, sec.location())
		}
	})

	t.Run("staff get no editor, but the dry run", func(t *testing.T) {
		agent := w.person(t)
		agent.signIn("cs.agent")
		if agent.has(`.mainnav a[href="/admin/approval-matrix"]`) || !agent.has(`.mainnav a[href="/approval-matrix/route"]`) {
			t.Error("cs.agent's nav")
		}
		if st := agent.open("/admin/approval-matrix"); st != http.StatusForbidden || agent.has("#matrix-form") || agent.has("#matrix-active") {
			t.Errorf("cs.agent on the matrix page: %d", st)
		}
		agent.open("/approval-matrix/route")
		if agent.value("#q-department") != "cs" {
			t.Errorf("the department asked defaults to %q", agent.value("#q-department"))
		}
		agent.fill(map[string]string{"q-kind": "temporary", "q-amount": "1,800", "q-department": "sales"})
		if st := agent.submit("#route-submit"); st != http.StatusOK {
			t.Fatalf("dry run: %d", st)
		}
		if got := agent.text("#route-steps"); got != "部门经理@销售部 职员@财务部" {
			t.Errorf("steps = %q", got)
		}
		if got := agent.text("#h-route"); got != "按第 1 版 现行" {
			t.Errorf("version = %q", got)
		}
		if got := agent.text(`#route-result tr[data-rule="3"]`); !strings.HasPrefix(got, "3 临时小额采购") {
			t.Errorf("matched rule = %q", got)
		}
		if st := agent.open("/approval-matrix/route?kind=temporary&amount=-1&department=sales"); st != http.StatusBadRequest ||
			agent.text(`.field-error[data-field="amount"]`) != "不能为负数" {
			t.Errorf("a negative amount: %d", st)
		}
		// The proposal, tried before it is approved.
		agent.open("/approval-matrix/route?kind=temporary&amount=1800&department=sales&version=2")
		if got := agent.text("#route-steps"); got != "部门经理@销售部" {
			t.Errorf("steps by version 2 = %q", got)
		}

		admin := w.person(t)
		admin.signIn("sysadmin")
		if admin.has(`.mainnav a[href="/approval-matrix/route"]`) || admin.has(`.mainnav a[href="/admin/approval-matrix"]`) {
			t.Error("the system administrator's nav has the matrix")
		}
		if st := admin.open("/approval-matrix/route"); st != http.StatusForbidden {
			t.Errorf("sysadmin on the dry run: %d", st)
		}
		if st := admin.open("/admin/approval-matrix"); st != http.StatusForbidden {
			t.Errorf("sysadmin on the matrix page: %d", st)
		}
	})

	t.Run("the GM sees the changes in the task and approves", func(t *testing.T) {
		if processID == "" {
			t.Skip("no proposal")
		}
		task := s.waitTask(processID, "matrix_approval")
		gm := w.person(t)
		gm.signIn("gm")
		gm.open("/tasks/" + task)
		row := `#matrix-changes tr[data-op="changed"][data-rule="3"]`
		if got := gm.text(row + " td:last-child"); got != "部门经理@申请人所在部门 → 职员@财务部 ⇒ 部门经理@申请人所在部门" {
			t.Errorf("the task's change = %q", got)
		}
		if gm.has(`#matrix-changes tr[data-op]:not([data-rule="3"])`) {
			t.Error("the task shows more changes than one")
		}
		if strings.Contains(gm.text("#h-context + dl"), "dept_head@requester") {
			t.Error("the task still shows the changes' lines")
		}
		if gm.has("#matrix-form") {
			t.Error("the GM's task page has the editor")
		}
		gm.submit("#claim")
		gm.fill(map[string]string{"f-opinion": "同意"})
		if st := gm.submit(`button[data-outcome="approve"]`); st != http.StatusOK {
			t.Fatalf("approve: %d", st)
		}
		s.waitProcess(processID, "completed")
		gm.open("/admin/approval-matrix")
		if got := gm.text("#h-active"); got != "现行版本：第 2 版" || gm.has("#matrix-proposal") || gm.has("#matrix-form") {
			t.Errorf("after approval the GM sees %q", got)
		}
		if got := gm.text("#matrix-active .meta"); !strings.Contains(got, "批准人: gm") || !strings.Contains(got, "提出人: secadmin") {
			t.Errorf("active version's meta = %q", got)
		}
		// The task, decided, keeps the lines it was shown.
		gm.open("/tasks/" + task)
		if gm.has("#matrix-changes") || !strings.Contains(gm.text("#h-context + dl"), "~ rules[3] temporary/*/*/[0, 2000.01)") {
			t.Error("the decided task does not show its recorded changes")
		}
	})
}
