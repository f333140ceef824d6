package workflows

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

// More of the demo organisation, for the complaint process.
var (
	qualityEng  = person("quality.eng", zhidu.DeptQuality, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptQuality))
	qualityHead = person("quality.head", zhidu.DeptQuality, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptQuality))
	salesRep    = person("sales.rep", zhidu.DeptSales, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptSales))
	whClerk     = person("wh.clerk", zhidu.DeptWH, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptWH))
	rndEng      = person("rnd.eng", zhidu.DeptRnD, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptRnD))
	hrHead      = person("hr.head", zhidu.DeptHR, zhidu.Confidential, grant(zhidu.RoleDeptHead, zhidu.DeptHR))
	hrTrainer   = person("hr.trainer", zhidu.DeptHR, zhidu.Secret, grant(zhidu.RoleSupervisor, zhidu.DeptHR))
	bmoAuditor  = person("bmo.auditor", zhidu.DeptBMO, zhidu.Confidential, grant(zhidu.RoleCompliance, zhidu.DeptBMO))
	// vpOpsAll is vp.ops in charge of all four departments of DOMAIN.md
	// (cs, quality, wh, sales); vpOps of the approval tests holds two.
	vpOpsAll = also(vpOps, grant(zhidu.RoleVP, zhidu.DeptWH), grant(zhidu.RoleVP, zhidu.DeptSales))
)

const (
	complaintID    = "complaint-test"
	complaintTitle = "Soy sauce smelled off"
	replyText      = "尊敬的客户：我们已为您更换产品。Dear customer, we have replaced the product."
	aDay           = 24 * time.Hour
)

func productIntake() ComplaintIntake {
	return ComplaintIntake{Complainant: Complainant{Name: "李梅 Li Mei", Contact: "13800000000"}, Channel: "phone",
		Category: "product_quality", Subject: "Soy sauce 500 ml", Content: "The bottle smelled off when opened",
		Product: "Soy sauce 500 ml", Batch: "B2026-02-17"}
}

func feesIntake() ComplaintIntake {
	return ComplaintIntake{Complainant: Complainant{Name: "刘洋 Liu Yang", Contact: "liu@example.com"}, Channel: "letter",
		Category: "fees", Subject: "Invoice amount", Content: "Charged the list price instead of the promotion price"}
}

func misconductIntake() ComplaintIntake {
	return ComplaintIntake{Complainant: Complainant{Name: "李梅 Li Mei", Contact: "13800000000"}, Channel: "visit",
		Category: "misconduct", Subject: "A rude sales representative", Content: "Shouted at me in the showroom",
		CourseOfEvents: "On 1 March at 15:00 the representative refused a refund and shouted", Witnesses: []string{"王芳"},
		Evidence: "a phone recording", Signature: "李梅"}
}

func complaintInput(intake ComplaintIntake, level zhidu.Level, cfg ComplaintConfig) ComplaintInput {
	return ComplaintInput{
		Process: zhidu.ProcessInfo{ID: complaintID, Kind: KindComplaint, Title: complaintTitle, Level: level,
			Department: zhidu.DeptCS, StartedBy: csAgent.Username},
		Intake: intake,
		Config: cfg,
	}
}

// complaintConfig is the default configuration with the given spot-check
// sample.
func complaintConfig(spotCheckPercent int) ComplaintConfig {
	cfg := DefaultComplaintConfig()
	cfg.SpotCheckPercent = spotCheckPercent
	return cfg
}

// newComplaintHarness runs one Complaint.
func newComplaintHarness(t *testing.T) *harness[ComplaintInput, ComplaintResult] {
	t.Helper()
	return newHarness[ComplaintInput, ComplaintResult](t, WorkflowComplaint, Complaint, complaintID)
}

func findings(remedy string, amount float64) map[string]any {
	d := map[string]any{"cause": "a faulty cap seal in batch B2026-02-17", "responsibility": "bottling line 2", "remedy": remedy}
	if amount != 0 {
		d["compensation_amount"] = amount
	}
	return d
}

func replyData(method string, disputed bool) map[string]any {
	return map[string]any{"method": method, "reply": replyText, "feedback": "the customer thanked us", "disputed": disputed}
}

func remedyDone() map[string]any { return map[string]any{"actions": "replaced two bottles"} }

func followUpDone() map[string]any {
	return map[string]any{"satisfaction": "satisfied", "notes": "the new bottles are fine"}
}

// productFlow works a valid product-quality complaint to its end with the
// right people: quality investigates and replaces, vp.ops approves at
// once, cs.agent replies and visits after cfg.FollowUpAfter.
func productFlow(cfg ComplaintConfig) []act {
	return []act{
		{time.Minute, "triage", csSuper, "valid", map[string]any{"category": "product_quality",
			"responsible_department": "quality", "important": true}},
		{time.Hour, "investigation#1", qualityEng, "submit", findings("apologise", 0)},
		{2 * time.Hour, "approval#1", vpOps, "approve", map[string]any{"comments": "同意"}},
		{3 * time.Hour, "remedy", qualityEng, "done", remedyDone()},
		{4 * time.Hour, "reply#1", csAgent, "sent", replyData("letter", false)},
		{4*time.Hour + cfg.FollowUpAfter + time.Hour, "follow_up", csAgent, "done", followUpDone()},
	}
}

var productCompletions = []string{"triage:cs.super", "investigation:quality.eng", "approval:vp.ops", "remedy:quality.eng",
	"reply:cs.agent", "follow_up:cs.agent"}

// wantTask is what one CreateTask call must have been handed.
type wantTask struct {
	key         string
	step        string
	dept        zhidu.Department
	candidates  []zhidu.Candidate
	escalations []zhidu.Escalation
	excluded    []string       // compared as a set
	context     map[string]any // a subset of the task's context
}

// wantTasks checks every task created, in order, at the given level.
func wantTasks(t *testing.T, h *harness[ComplaintInput, ComplaintResult], level zhidu.Level, want ...wantTask) {
	t.Helper()
	var got, keys []string
	for _, in := range h.created {
		got = append(got, in.Spec.StepKey)
	}
	for _, w := range want {
		keys = append(keys, w.key)
	}
	if !slices.Equal(got, keys) {
		t.Errorf("CreateTask step keys = %v, want %v", got, keys)
		return
	}
	for i, w := range want {
		in, s := h.created[i], h.created[i].Spec
		if s.Step != w.step || s.Department != w.dept || s.Level != level || s.Priority != zhidu.PriorityNormal {
			t.Errorf("task %s: step %q department %s level %s priority %d; want %q, %s, %s, normal",
				w.key, s.Step, s.Department, s.Level, s.Priority, w.step, w.dept, level)
		}
		if in.TaskID != taskID(in.Process.RunID, w.key) || in.Process.ID != complaintID || in.Process.Kind != KindComplaint {
			t.Errorf("task %s: ID %s of process %+v, want taskID(run, %q) of %s", w.key, in.TaskID, in.Process, w.key, complaintID)
		}
		if !strings.HasSuffix(s.Title.En, ": "+complaintTitle) || !strings.HasSuffix(s.Title.Zh, "："+complaintTitle) {
			t.Errorf("task %s: title %+v, want it to name the complaint %q", w.key, s.Title, complaintTitle)
		}
		if !slices.Equal(s.Candidates, w.candidates) {
			t.Errorf("task %s: candidates %v, want %v", w.key, s.Candidates, w.candidates)
		}
		if !equalLadders(s.Escalations, w.escalations) {
			t.Errorf("task %s: escalations %v, want %v", w.key, s.Escalations, w.escalations)
		}
		if !sameSet(s.Excluded, w.excluded) {
			t.Errorf("task %s: excluded %v, want %v", w.key, s.Excluded, w.excluded)
		}
		for _, k := range sortedKeys(w.context) {
			if !jsonEqual(s.Context[k], w.context[k]) {
				t.Errorf("task %s: context[%q] = %#v, want %#v", w.key, k, s.Context[k], w.context[k])
			}
		}
		switch {
		case s.Due == 0 && in.DueAt != nil:
			t.Errorf("task %s: due at %v without a due duration", w.key, in.DueAt)
		case s.Due > 0 && (in.DueAt == nil || !in.DueAt.Equal(in.CreatedAt.Add(s.Due))):
			t.Errorf("task %s: due at %v, want %v after its creation at %v", w.key, in.DueAt, s.Due, in.CreatedAt)
		}
	}
}

func wantOutcome(t *testing.T, got ComplaintResult, outcome string, spotChecked bool) {
	t.Helper()
	if got.Outcome != outcome || got.SpotChecked != spotChecked {
		t.Errorf("result = %+v, want outcome %q, spot checked %v", got, outcome, spotChecked)
	}
}

var (
	staffCS       = role(zhidu.RoleStaff, zhidu.DeptCS)
	superCS       = role(zhidu.RoleSupervisor, zhidu.DeptCS)
	staffQuality  = role(zhidu.RoleStaff, zhidu.DeptQuality)
	superQuality  = role(zhidu.RoleSupervisor, zhidu.DeptQuality)
	headQuality   = role(zhidu.RoleDeptHead, zhidu.DeptQuality)
	vpQuality     = role(zhidu.RoleVP, zhidu.DeptQuality)
	complianceBMO = role(zhidu.RoleCompliance, zhidu.DeptBMO)
)

func TestComplaintProductQuality(t *testing.T) {
	for _, percent := range []int{0, 100} {
		t.Run("spot check "+strconv.Itoa(percent)+"%", func(t *testing.T) {
			h := newComplaintHarness(t)
			cfg := complaintConfig(percent)
			flow := productFlow(cfg)
			followUpAt := 4*time.Hour + cfg.FollowUpAfter // the reply is sent at 4h
			closedAt := flow[len(flow)-1].at
			if percent == 100 {
				flow = append(flow, act{closedAt + time.Hour, "spot_check", bmoAuditor, "done",
					map[string]any{"verified": true, "findings": "register and reply match"}})
			}
			var justBefore ProcessSnapshot
			h.at(followUpAt-time.Minute, func() { justBefore = h.state() })
			replies := h.play(flow...)
			res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

			wantAllAccepted(t, replies)
			intake := productIntake()
			tasks := []wantTask{
				{key: "triage", step: StepTriage, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{superCS},
					escalations: []zhidu.Escalation{esc(aDay, deptHeadCS)}, context: map[string]any{"intake": intake}},
				{key: "investigation#1", step: StepInvestigation, dept: zhidu.DeptQuality,
					candidates:  []zhidu.Candidate{staffQuality, superQuality},
					escalations: []zhidu.Escalation{esc(3*aDay, headQuality), esc(4*aDay, vpQuality)},
					context:     map[string]any{"intake": intake, "round": 1, "sent_back": nil}},
				{key: "approval#1", step: StepApproval, dept: zhidu.DeptQuality, candidates: []zhidu.Candidate{vpQuality},
					escalations: []zhidu.Escalation{esc(2*aDay, deputyGMO), esc(3*aDay, gmGMO)}, excluded: []string{"quality.eng"},
					context: map[string]any{"remedy": "apologise", "compensation_amount": 0, "threshold": 5000}},
				{key: "remedy", step: StepRemedy, dept: zhidu.DeptQuality, candidates: []zhidu.Candidate{staffQuality, superQuality},
					escalations: []zhidu.Escalation{esc(7*aDay, headQuality)}, context: map[string]any{"remedy": "apologise"}},
				{key: "reply#1", step: StepReply, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
					escalations: []zhidu.Escalation{esc(2*aDay, deptHeadCS)},
					context:     map[string]any{"complainant": intake.Complainant, "invalid": false}},
				{key: "follow_up", step: StepFollowUp, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
					escalations: []zhidu.Escalation{esc(3*aDay, deptHeadCS)},
					context:     map[string]any{"complainant": intake.Complainant, "remedy": "apologise"}},
			}
			records := []zhidu.ComplaintRecord{
				{Stage: "investigation", Category: "product_quality", Valid: ptr(true), ResponsibleDepartment: "quality",
					Joint: ptr(false), Important: ptr(true)},
				{Stage: "approval", Cause: "a faulty cap seal in batch B2026-02-17", Responsibility: "bottling line 2",
					Remedy: "apologise", Compensation: ptr(0.0)},
				{Stage: "remedy", ApprovedBy: []string{"vp.ops"}},
				{Stage: "reply"},
				{ReplyMethod: "letter", ReplyText: replyText, RepliedAt: ptr(t0.Add(4 * time.Hour)),
					CustomerFeedback: "the customer thanked us", Disputed: ptr(false)},
				{Stage: "follow_up"},
				{Satisfaction: "satisfied"},
				{Stage: "closed", ClosedAt: ptr(t0.Add(closedAt)), RetainUntil: ptr(t0.Add(closedAt + 365*aDay))},
			}
			completions := productCompletions
			finishedAt := t0.Add(closedAt)
			if percent == 100 {
				tasks = append(tasks, wantTask{key: "spot_check", step: StepSpotCheck, dept: zhidu.DeptBMO,
					candidates: []zhidu.Candidate{complianceBMO},
					excluded:   []string{"cs.super", "quality.eng", "vp.ops", "cs.agent"}})
				records = append(records, zhidu.ComplaintRecord{SpotChecked: ptr(true), SpotCheckFindings: "register and reply match"})
				completions = append(slices.Clone(completions), "spot_check:bmo.auditor")
				finishedAt = t0.Add(closedAt + time.Hour)
			}
			wantOutcome(t, res, "resolved", percent == 100)
			wantTasks(t, h, zhidu.Internal, tasks...)
			h.wantRecords(t, records...)
			h.wantCompletions(t, completions...)
			h.wantCompleted(t, "resolved", finishedAt)
			if len(h.events) != 0 {
				t.Errorf("RecordTaskEvent(%+v), want none when everyone acts in time", h.events)
			}

			// The follow-up visit waits FollowUpAfter after the reply.
			for _, tk := range justBefore.Tasks {
				if tk.Spec.StepKey == "follow_up" {
					t.Errorf("follow-up task exists %v before FollowUpAfter has passed", time.Minute)
				}
			}
			if len(justBefore.Tasks) != 5 {
				t.Errorf("State a minute before the follow-up: %d tasks, want 5", len(justBefore.Tasks))
			}
			if in := h.createdTask(t, "follow_up"); !in.CreatedAt.Equal(t0.Add(followUpAt)) {
				t.Errorf("follow-up task created at %v, want %v (reply + FollowUpAfter %v)", in.CreatedAt, t0.Add(followUpAt), cfg.FollowUpAfter)
			}
			// The reply is its own public text: the internal complaint
			// form never reaches the customer.
			if ctx := h.createdTask(t, "reply#1").Spec.Context; ctx["intake"] != nil || ctx["cause"] != nil {
				t.Errorf("reply task context %v carries the internal complaint form", ctx)
			}
		})
	}
}

func TestComplaintInvalid(t *testing.T) {
	const reason = "the promotion had ended; the contract price applies"
	intake := feesIntake()
	triage := wantTask{key: "triage", step: StepTriage, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{superCS},
		escalations: []zhidu.Escalation{esc(aDay, deptHeadCS)}, context: map[string]any{"intake": intake}}
	replied := wantTask{key: "reply#0", step: StepReply, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
		escalations: []zhidu.Escalation{esc(2*aDay, deptHeadCS)},
		context:     map[string]any{"complainant": intake.Complainant, "invalid": true}}
	receivables := wantTask{key: "receivables", step: StepReceivables, dept: zhidu.DeptSales,
		candidates: []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptSales)}, context: map[string]any{"invalid_reason": reason}}
	superior := wantTask{key: "superior", step: StepSuperior, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{deptHeadCS},
		escalations: []zhidu.Escalation{esc(3*aDay, vpCS)}, excluded: []string{"cs.super", "cs.agent", "sales.rep"},
		context: map[string]any{"invalid_reason": reason, "intake": intake}}
	triaged := zhidu.ComplaintRecord{Stage: "reply", Category: "fees", Valid: ptr(false), InvalidReason: reason, Important: ptr(false)}
	replyRecord := func(disputed bool) zhidu.ComplaintRecord {
		return zhidu.ComplaintRecord{ReplyMethod: "phone", ReplyText: replyText, RepliedAt: ptr(t0.Add(time.Hour)),
			CustomerFeedback: "the customer thanked us", Disputed: &disputed}
	}
	closed := func(at time.Duration) zhidu.ComplaintRecord {
		return zhidu.ComplaintRecord{Stage: "closed", ClosedAt: ptr(t0.Add(at)), RetainUntil: ptr(t0.Add(at + 365*aDay))}
	}
	// start triages the complaint as invalid (after an attempt without a
	// reason), replies and collects receivables.
	start := func(h *harness[ComplaintInput, ComplaintResult], disputed bool) ([]*reply, *reply) {
		noReason := h.try(time.Minute, "invalid without a reason", "triage", csSuper, "invalid", map[string]any{"important": false})
		return h.play(
			act{2 * time.Minute, "triage", csSuper, "invalid", map[string]any{"reason": reason, "important": false}},
			act{time.Hour, "reply#0", csAgent, "sent", replyData("phone", disputed)},
			act{2 * time.Hour, "receivables", salesRep, "done", map[string]any{"notes": "invoiced at the contract price"}},
		), noReason
	}

	t.Run("accepted by the customer", func(t *testing.T) {
		h := newComplaintHarness(t)
		replies, noReason := start(h, false)
		res := h.run(complaintInput(intake, zhidu.Internal, complaintConfig(0)))

		wantRejectedField(t, noReason, zhidu.CodeInvalid, "data.reason")
		wantAllAccepted(t, replies)
		wantOutcome(t, res, "invalid", false)
		wantTasks(t, h, zhidu.Internal, triage, replied, receivables)
		h.wantRecords(t, triaged, replyRecord(false), closed(2*time.Hour))
		h.wantCompletions(t, "triage:cs.super", "reply:cs.agent", "receivables:sales.rep")
		h.wantCompleted(t, "invalid", t0.Add(2*time.Hour))
	})

	t.Run("disputed and upheld", func(t *testing.T) {
		h := newComplaintHarness(t)
		replies, _ := start(h, true)
		// The supervisor who found it invalid does not review that
		// decision, even holding the head's role.
		own := h.try(150*time.Minute, "the triager reviews", "superior", also(csSuper, grant(zhidu.RoleDeptHead, zhidu.DeptCS)),
			"uphold", map[string]any{"comments": "I stand by it"})
		noComments := h.try(160*time.Minute, "uphold without comments", "superior", csHead, "uphold", nil)
		upheld := h.play(act{3 * time.Hour, "superior", csHead, "uphold", map[string]any{"comments": "the contract price applies"}})
		res := h.run(complaintInput(intake, zhidu.Internal, complaintConfig(0)))

		wantRejected(t, own, zhidu.CodeForbidden)
		wantRejectedField(t, noComments, zhidu.CodeInvalid, "data.comments")
		wantAllAccepted(t, replies)
		wantAllAccepted(t, upheld)
		wantOutcome(t, res, "invalid", false)
		wantTasks(t, h, zhidu.Internal, triage, replied, receivables, superior)
		h.wantRecords(t, triaged, replyRecord(true), zhidu.ComplaintRecord{Stage: "superior_review"}, closed(3*time.Hour))
		h.wantCompletions(t, "triage:cs.super", "reply:cs.agent", "receivables:sales.rep", "superior_review:cs.head")
		h.wantCompleted(t, "invalid", t0.Add(3*time.Hour))
	})

	t.Run("disputed and reopened", func(t *testing.T) {
		h := newComplaintHarness(t)
		cfg := complaintConfig(0)
		replies, _ := start(h, true)
		noDept := h.try(170*time.Minute, "reopen without a department", "superior", csHead, "reopen",
			map[string]any{"comments": "look again"})
		followUp := 7*time.Hour + cfg.FollowUpAfter + time.Hour
		reopened := h.play(
			act{3 * time.Hour, "superior", csHead, "reopen", map[string]any{"responsible_department": "wh",
				"comments": "the warehouse shipped the wrong price list"}},
			act{4 * time.Hour, "investigation#1", whClerk, "submit", map[string]any{"cause": "an old price list in the parcel",
				"responsibility": "warehouse packing", "remedy": "apologise"}},
			act{5 * time.Hour, "approval#1", vpOpsAll, "approve", nil},
			act{6 * time.Hour, "remedy", whClerk, "done", map[string]any{"actions": "called the customer to apologise"}},
			act{7 * time.Hour, "reply#1", csAgent, "sent", replyData("letter", false)},
			act{followUp, "follow_up", csAgent, "done", followUpDone()},
		)
		res := h.run(complaintInput(intake, zhidu.Internal, cfg))

		wantRejectedField(t, noDept, zhidu.CodeInvalid, "data.responsible_department")
		wantAllAccepted(t, replies)
		wantAllAccepted(t, reopened)
		wantOutcome(t, res, "resolved", false)
		staffWH, superWH := role(zhidu.RoleStaff, zhidu.DeptWH), role(zhidu.RoleSupervisor, zhidu.DeptWH)
		wantTasks(t, h, zhidu.Internal, triage, replied, receivables, superior,
			wantTask{key: "investigation#1", step: StepInvestigation, dept: zhidu.DeptWH, candidates: []zhidu.Candidate{staffWH, superWH},
				escalations: []zhidu.Escalation{esc(3*aDay, role(zhidu.RoleDeptHead, zhidu.DeptWH)), esc(4*aDay, role(zhidu.RoleVP, zhidu.DeptWH))},
				context:     map[string]any{"intake": intake, "round": 1}},
			wantTask{key: "approval#1", step: StepApproval, dept: zhidu.DeptWH, candidates: []zhidu.Candidate{role(zhidu.RoleVP, zhidu.DeptWH)},
				escalations: []zhidu.Escalation{esc(2*aDay, deputyGMO), esc(3*aDay, gmGMO)}, excluded: []string{"wh.clerk"}},
			wantTask{key: "remedy", step: StepRemedy, dept: zhidu.DeptWH, candidates: []zhidu.Candidate{staffWH, superWH},
				escalations: []zhidu.Escalation{esc(7*aDay, role(zhidu.RoleDeptHead, zhidu.DeptWH))}},
			wantTask{key: "reply#1", step: StepReply, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
				escalations: []zhidu.Escalation{esc(2*aDay, deptHeadCS)}, context: map[string]any{"invalid": false}},
			wantTask{key: "follow_up", step: StepFollowUp, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
				escalations: []zhidu.Escalation{esc(3*aDay, deptHeadCS)}},
		)
		reply2 := replyRecord(false)
		reply2.ReplyMethod, reply2.RepliedAt = "letter", ptr(t0.Add(7*time.Hour))
		h.wantRecords(t, triaged, replyRecord(true), zhidu.ComplaintRecord{Stage: "superior_review"},
			zhidu.ComplaintRecord{Stage: "investigation", Valid: ptr(true), ResponsibleDepartment: "wh"},
			zhidu.ComplaintRecord{Stage: "approval", Cause: "an old price list in the parcel", Responsibility: "warehouse packing",
				Remedy: "apologise", Compensation: ptr(0.0)},
			zhidu.ComplaintRecord{Stage: "remedy", ApprovedBy: []string{"vp.ops"}},
			zhidu.ComplaintRecord{Stage: "reply"},
			reply2,
			zhidu.ComplaintRecord{Stage: "follow_up"},
			zhidu.ComplaintRecord{Satisfaction: "satisfied"},
			closed(followUp),
		)
		h.wantCompletions(t, "triage:cs.super", "reply:cs.agent", "receivables:sales.rep", "superior_review:cs.head",
			"investigation:wh.clerk", "approval:vp.ops", "remedy:wh.clerk", "reply:cs.agent", "follow_up:cs.agent")
		h.wantCompleted(t, "resolved", t0.Add(followUp))
	})
}

func TestComplaintMisconduct(t *testing.T) {
	intake := misconductIntake()
	if errs := intake.Validate(); errs != nil {
		t.Fatalf("intake: %v", errs)
	}
	level := intake.DefaultLevel()
	if level != zhidu.Secret {
		t.Fatalf("misconduct default level = %s, want secret", level)
	}
	h := newComplaintHarness(t)
	cfg := complaintConfig(0)
	followUp := 4*time.Hour + cfg.FollowUpAfter + time.Hour
	// The representative complained about is cleared for internal
	// matters only; so is cs.agent, who may not reply to a secret case.
	accused := h.try(30*time.Minute, "sales.rep investigates", "investigation#1", salesRep, "submit", findings("none", 0))
	agent := h.try(210*time.Minute, "cs.agent replies", "reply#1", csAgent, "sent", replyData("letter", false))
	replies := h.play(
		act{time.Minute, "triage", csSuper, "valid", map[string]any{"responsible_department": "sales"}},
		act{time.Hour, "investigation#1", hrTrainer, "submit", map[string]any{"cause": "the representative lost his temper",
			"responsibility": "sales.rep", "remedy": "discipline"}},
		act{2 * time.Hour, "approval#1", vpOpsAll, "approve", nil},
		act{3 * time.Hour, "remedy", hrHead, "done", map[string]any{"actions": "written warning"}},
		act{4 * time.Hour, "reply#1", csSuper, "sent", replyData("letter", false)},
		act{followUp, "follow_up", csSuper, "done", followUpDone()},
	)
	res := h.run(complaintInput(intake, level, cfg))

	wantRejected(t, accused, zhidu.CodeForbidden)
	wantRejected(t, agent, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantOutcome(t, res, "resolved", false)
	superHR, headHR := role(zhidu.RoleSupervisor, zhidu.DeptHR), role(zhidu.RoleDeptHead, zhidu.DeptHR)
	wantTasks(t, h, zhidu.Secret,
		wantTask{key: "triage", step: StepTriage, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{superCS},
			escalations: []zhidu.Escalation{esc(aDay, deptHeadCS)}},
		wantTask{key: "investigation#1", step: StepInvestigation, dept: zhidu.DeptSales,
			candidates: []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptSales), role(zhidu.RoleSupervisor, zhidu.DeptSales), superHR, headHR},
			escalations: []zhidu.Escalation{esc(3*aDay, role(zhidu.RoleDeptHead, zhidu.DeptSales)),
				esc(4*aDay, role(zhidu.RoleVP, zhidu.DeptSales))}},
		wantTask{key: "approval#1", step: StepApproval, dept: zhidu.DeptSales,
			candidates:  []zhidu.Candidate{role(zhidu.RoleVP, zhidu.DeptSales)},
			escalations: []zhidu.Escalation{esc(2*aDay, deputyGMO), esc(3*aDay, gmGMO)}, excluded: []string{"hr.trainer"}},
		wantTask{key: "remedy", step: StepRemedy, dept: zhidu.DeptHR, candidates: []zhidu.Candidate{superHR, headHR},
			escalations: []zhidu.Escalation{esc(7*aDay, role(zhidu.RoleVP, zhidu.DeptHR))},
			context:     map[string]any{"remedy": "discipline"}},
		wantTask{key: "reply#1", step: StepReply, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
			escalations: []zhidu.Escalation{esc(2*aDay, deptHeadCS)}},
		wantTask{key: "follow_up", step: StepFollowUp, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
			escalations: []zhidu.Escalation{esc(3*aDay, deptHeadCS)}},
	)
	h.wantCompletions(t, "triage:cs.super", "investigation:hr.trainer", "approval:vp.ops", "remedy:hr.head",
		"reply:cs.super", "follow_up:cs.super")
	if len(h.records) < 3 {
		t.Fatalf("%d ComplaintRecords, want at least 3", len(h.records))
	}
	if r := h.records[0]; r.Category != "misconduct" || r.ResponsibleDepartment != "sales" {
		t.Errorf("triage record %+v, want misconduct handled by sales", r)
	}
	if r := h.records[2]; r.Stage != "remedy" || !slices.Equal(r.ApprovedBy, []string{"vp.ops"}) {
		t.Errorf("approval record %+v, want remedy approved by vp.ops", r)
	}
	h.wantCompleted(t, "resolved", t0.Add(followUp))
}

func TestComplaintSentBack(t *testing.T) {
	const comments = "批次记录不全 — check the batch records of the whole week"
	h := newComplaintHarness(t)
	cfg := complaintConfig(0)
	noComments := h.try(110*time.Minute, "send back without comments", "approval#1", vpOps, "send_back", nil)
	followUp := 6*time.Hour + cfg.FollowUpAfter + time.Hour
	replies := h.play(
		act{time.Minute, "triage", csSuper, "valid", map[string]any{"responsible_department": "quality"}},
		act{time.Hour, "investigation#1", qualityEng, "submit", findings("apologise", 0)},
		act{2 * time.Hour, "approval#1", vpOps, "send_back", map[string]any{"comments": comments}},
		act{3 * time.Hour, "investigation#2", qualityEng, "submit", findings("compensate", 200)},
		act{4 * time.Hour, "approval#2", vpOps, "approve", nil},
		act{5 * time.Hour, "remedy", qualityEng, "done", remedyDone()},
		act{6 * time.Hour, "reply#2", csAgent, "sent", replyData("phone", false)},
		act{followUp, "follow_up", csAgent, "done", followUpDone()},
	)
	res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

	wantRejectedField(t, noComments, zhidu.CodeInvalid, "data.comments")
	wantAllAccepted(t, replies)
	wantOutcome(t, res, "resolved", false)
	investigation := func(round int, ctx map[string]any) wantTask {
		return wantTask{key: "investigation#" + strconv.Itoa(round), step: StepInvestigation, dept: zhidu.DeptQuality,
			candidates:  []zhidu.Candidate{staffQuality, superQuality},
			escalations: []zhidu.Escalation{esc(3*aDay, headQuality), esc(4*aDay, vpQuality)}, context: ctx}
	}
	approval := func(round int, ctx map[string]any) wantTask {
		return wantTask{key: "approval#" + strconv.Itoa(round), step: StepApproval, dept: zhidu.DeptQuality,
			candidates: []zhidu.Candidate{vpQuality}, escalations: []zhidu.Escalation{esc(2*aDay, deputyGMO), esc(3*aDay, gmGMO)},
			excluded: []string{"quality.eng"}, context: ctx}
	}
	wantTasks(t, h, zhidu.Internal,
		wantTask{key: "triage", step: StepTriage, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{superCS},
			escalations: []zhidu.Escalation{esc(aDay, deptHeadCS)}},
		investigation(1, map[string]any{"round": 1, "sent_back": nil}),
		approval(1, map[string]any{"remedy": "apologise"}),
		investigation(2, map[string]any{"round": 2, "sent_back": comments}),
		approval(2, map[string]any{"remedy": "compensate", "compensation_amount": 200}),
		wantTask{key: "remedy", step: StepRemedy, dept: zhidu.DeptQuality, candidates: []zhidu.Candidate{staffQuality, superQuality},
			escalations: []zhidu.Escalation{esc(7*aDay, headQuality)}, context: map[string]any{"compensation_amount": 200}},
		wantTask{key: "reply#2", step: StepReply, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
			escalations: []zhidu.Escalation{esc(2*aDay, deptHeadCS)}},
		wantTask{key: "follow_up", step: StepFollowUp, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{staffCS, superCS},
			escalations: []zhidu.Escalation{esc(3*aDay, deptHeadCS)}},
	)
	h.wantCompletions(t, "triage:cs.super", "investigation:quality.eng", "approval:vp.ops", "investigation:quality.eng",
		"approval:vp.ops", "remedy:quality.eng", "reply:cs.agent", "follow_up:cs.agent")
	var stages []string
	for _, r := range h.records {
		stages = append(stages, r.Stage)
	}
	if want := []string{"investigation", "approval", "investigation", "approval", "remedy", "reply", "", "follow_up", "", "closed"}; !slices.Equal(stages, want) {
		t.Errorf("ComplaintRecord stages = %q, want %q", stages, want)
	}
	if r := h.records[3]; r.Remedy != "compensate" || r.Compensation == nil || *r.Compensation != 200 {
		t.Errorf("second investigation record %+v, want compensate 200", r)
	}
	h.wantCompleted(t, "resolved", t0.Add(followUp))
}

func TestComplaintGMApproval(t *testing.T) {
	tests := []struct {
		name   string
		amount float64
		gm     bool
	}{
		{name: "above the threshold", amount: 8000, gm: true},
		{name: "at the threshold", amount: 5000},
		{name: "below the threshold", amount: 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newComplaintHarness(t)
			cfg := complaintConfig(0)
			acts := []act{
				{time.Minute, "triage", csSuper, "valid", map[string]any{"responsible_department": "quality"}},
				{time.Hour, "investigation#1", qualityEng, "submit", findings("compensate", tt.amount)},
				{2 * time.Hour, "approval#1", vpOps, "approve", nil},
			}
			keys := []string{"triage", "investigation#1", "approval#1"}
			approvers := []string{"vp.ops"}
			if tt.gm {
				acts = append(acts, act{3 * time.Hour, "gm_approval#1", gm, "approve", map[string]any{"comments": "同意赔偿"}})
				keys = append(keys, "gm_approval#1")
				approvers = append(approvers, "gm")
			}
			acts = append(acts,
				act{4 * time.Hour, "remedy", qualityEng, "done", remedyDone()},
				act{5 * time.Hour, "reply#1", csAgent, "sent", replyData("letter", false)},
				act{5*time.Hour + cfg.FollowUpAfter + time.Hour, "follow_up", csAgent, "done", followUpDone()},
			)
			keys = append(keys, "remedy", "reply#1", "follow_up")
			replies := h.play(acts...)
			res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

			wantAllAccepted(t, replies)
			wantOutcome(t, res, "resolved", false)
			var got []string
			for _, in := range h.created {
				got = append(got, in.Spec.StepKey)
			}
			if !slices.Equal(got, keys) {
				t.Fatalf("CreateTask step keys = %v, want %v", got, keys)
			}
			if tt.gm {
				in := h.createdTask(t, "gm_approval#1")
				if in.Spec.Step != StepGMApproval || in.Spec.Department != zhidu.DeptQuality ||
					!slices.Equal(in.Spec.Candidates, []zhidu.Candidate{gmGMO}) || !sameSet(in.Spec.Excluded, []string{"quality.eng", "vp.ops"}) {
					t.Errorf("GM task spec %+v, want gm_approval in quality for gm@gmo, excluding quality.eng and vp.ops, who approved", in.Spec)
				}
				if !in.CreatedAt.Equal(t0.Add(2 * time.Hour)) {
					t.Errorf("GM task created at %v, want %v, right after the VP approved", in.CreatedAt, t0.Add(2*time.Hour))
				}
				if !jsonEqual(in.Spec.Context, map[string]any{"remedy": "compensate", "compensation_amount": tt.amount, "threshold": 5000}) {
					t.Errorf("GM task context %v, want the remedy, amount and threshold", in.Spec.Context)
				}
			}
			var approved []string
			for _, r := range h.records {
				if r.Stage == "remedy" {
					approved = r.ApprovedBy
				}
			}
			if !slices.Equal(approved, approvers) {
				t.Errorf("approved by %v, want %v", approved, approvers)
			}
		})
	}

	t.Run("GM sends back", func(t *testing.T) {
		const comments = "超出核决权限 — agree a lower amount with the customer"
		h := newComplaintHarness(t)
		cfg := complaintConfig(0)
		replies := h.play(
			act{time.Minute, "triage", csSuper, "valid", map[string]any{"responsible_department": "quality"}},
			act{time.Hour, "investigation#1", qualityEng, "submit", findings("compensate", 8000)},
			act{2 * time.Hour, "approval#1", vpOps, "approve", nil},
			act{3 * time.Hour, "gm_approval#1", gm, "send_back", map[string]any{"comments": comments}},
			act{4 * time.Hour, "investigation#2", qualityEng, "submit", findings("compensate", 4000)},
			act{5 * time.Hour, "approval#2", vpOps, "approve", nil},
			act{6 * time.Hour, "remedy", qualityEng, "done", remedyDone()},
			act{7 * time.Hour, "reply#2", csAgent, "sent", replyData("letter", false)},
			act{7*time.Hour + cfg.FollowUpAfter + time.Hour, "follow_up", csAgent, "done", followUpDone()},
		)
		res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

		wantAllAccepted(t, replies)
		wantOutcome(t, res, "resolved", false)
		h.wantCompletions(t, "triage:cs.super", "investigation:quality.eng", "approval:vp.ops", "gm_approval:gm",
			"investigation:quality.eng", "approval:vp.ops", "remedy:quality.eng", "reply:cs.agent", "follow_up:cs.agent")
		in := h.createdTask(t, "investigation#2")
		if !jsonEqual(in.Spec.Context["sent_back"], comments) || !jsonEqual(in.Spec.Context["round"], 2) {
			t.Errorf("second investigation context %v, want the GM's comments and round 2", in.Spec.Context)
		}
		var stages []string
		for _, r := range h.records {
			stages = append(stages, r.Stage)
		}
		if want := []string{"investigation", "approval", "investigation", "approval", "remedy"}; !slices.Equal(stages[:5], want) {
			t.Errorf("ComplaintRecord stages = %q, want them to start %q", stages, want)
		}
	})
}

func TestComplaintInvestigationEscalation(t *testing.T) {
	h := newComplaintHarness(t)
	cfg := complaintConfig(0) // investigation: due 72h, reminder 48h, escalation at 72h and 96h
	if got, want := cfg.Investigation, (SLA{Due: 72 * time.Hour, Reminder: 48 * time.Hour,
		Escalate: []time.Duration{72 * time.Hour, 96 * time.Hour}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("default investigation SLA = %+v, want %+v", got, want)
	}
	start := time.Minute // the investigation task is created when triage completes
	done := start + 97*time.Hour
	early := h.try(start+71*time.Hour, "quality.head before the escalation", "investigation#1", qualityHead, "submit", findings("apologise", 0))
	var before ProcessSnapshot
	h.at(done-time.Minute, func() { before = h.state() })
	replies := h.play(
		act{start, "triage", csSuper, "valid", map[string]any{"responsible_department": "quality"}},
		act{done, "investigation#1", qualityHead, "submit", findings("apologise", 0)},
		act{done + time.Hour, "approval#1", vpOps, "approve", nil},
		act{done + 2*time.Hour, "remedy", qualityEng, "done", remedyDone()},
		act{done + 3*time.Hour, "reply#1", csAgent, "sent", replyData("letter", false)},
		act{done + 4*time.Hour + cfg.FollowUpAfter, "follow_up", csAgent, "done", followUpDone()},
	)
	res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

	wantRejected(t, early, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantOutcome(t, res, "resolved", false)
	type event struct {
		step, event string
		rung        int
		add         string
		at          time.Duration
	}
	var got []event
	for _, e := range h.events {
		got = append(got, event{e.Step, e.Event, e.Rung, candidates(e.AddCandidates), e.At.Sub(t0)})
	}
	want := []event{
		{StepInvestigation, zhidu.EventReminded, 0, "[]", start + 48*time.Hour},
		{StepInvestigation, zhidu.EventEscalated, 1, "[dept_head@quality]", start + 72*time.Hour},
		{StepInvestigation, zhidu.EventEscalated, 2, "[vp@quality]", start + 96*time.Hour},
	}
	if !slices.Equal(got, want) {
		t.Errorf("RecordTaskEvent calls:\n got %v\nwant %v", got, want)
	}
	inv := h.createdTask(t, "investigation#1")
	for i, e := range h.events {
		wantKey := inv.TaskID + ":escalated:" + strconv.Itoa(e.Rung)
		if e.Event == zhidu.EventReminded {
			wantKey = inv.TaskID + ":reminded"
		}
		if e.TaskID != inv.TaskID || e.ProcessID != complaintID || e.EventKey != wantKey {
			t.Errorf("event %d = %+v, want task %s of %s with key %s", i, e, inv.TaskID, complaintID, wantKey)
		}
	}
	if due := inv.DueAt; due == nil || !due.Equal(t0.Add(start+72*time.Hour)) {
		t.Errorf("investigation due at %v, want %v", due, t0.Add(start+72*time.Hour))
	}
	var tk *humanTask
	for _, x := range before.Tasks {
		if x.Spec.StepKey == "investigation#1" {
			tk = x
		}
	}
	if tk == nil || !tk.Reminded || tk.Rung != 2 ||
		!slices.Equal(tk.Candidates, []zhidu.Candidate{staffQuality, superQuality, headQuality, vpQuality}) {
		t.Errorf("State of the investigation before anyone acts: %+v; want reminded, rung 2, the head and the VP added", tk)
	}
	h.wantCompletions(t, "triage:cs.super", "investigation:quality.head", "approval:vp.ops", "remedy:quality.eng",
		"reply:cs.agent", "follow_up:cs.agent")
	if got := h.createdTask(t, "approval#1").Spec.Excluded; !sameSet(got, []string{"quality.head"}) {
		t.Errorf("approval excluded %v, want the investigating head", got)
	}
}

func TestComplaintJointHandling(t *testing.T) {
	h := newComplaintHarness(t)
	cfg := complaintConfig(0)
	// Triaged at 09:01 on 2 March with a deadline of 3 March: the report
	// is due at the end of that day, sooner than the 3-day SLA.
	replies := h.play(append([]act{
		{time.Minute, "triage", csSuper, "valid", map[string]any{"responsible_department": "quality", "joint": true,
			"deadline": "2026-03-03"}},
		{time.Hour, "investigation#1", rndEng, "submit", findings("apologise", 0)},
	}, productFlow(cfg)[2:]...)...)
	res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

	wantAllAccepted(t, replies)
	wantOutcome(t, res, "resolved", false)
	in := h.createdTask(t, "investigation#1")
	if want := []zhidu.Candidate{staffQuality, superQuality, role(zhidu.RoleStaff, zhidu.DeptRnD)}; !slices.Equal(in.Spec.Candidates, want) {
		t.Errorf("investigation candidates %v, want %v (R&D joins joint handling)", in.Spec.Candidates, want)
	}
	if due, want := in.DueAt, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC); due == nil || !due.Equal(want) {
		t.Errorf("investigation due at %v, want %v (the end of the deadline day)", due, want)
	}
	if r := h.records[0]; r.Joint == nil || !*r.Joint || r.JointDeadline != "2026-03-03" {
		t.Errorf("triage record %+v, want joint handling with deadline 2026-03-03", r)
	}
	if got := h.createdTask(t, "approval#1").Spec.Excluded; !sameSet(got, []string{"rnd.eng"}) {
		t.Errorf("approval excluded %v, want the R&D investigator", got)
	}
}

// TestComplaintValidation sends one bad completion before the right one:
// a rejected update changes nothing, and the complaint runs to its end.
func TestComplaintValidation(t *testing.T) {
	tests := []struct {
		name  string
		key   string // the step key of the task the bad request targets
		by    zhidu.Actor
		out   string
		data  map[string]any
		code  zhidu.Code
		field string
		msg   string // part of the field's message, if set
	}{
		{name: "product quality to a department other than quality", key: "triage", by: csSuper, out: "valid",
			data: map[string]any{"responsible_department": "cs"}, code: zhidu.CodeInvalid, field: "data.responsible_department"},
		{name: "recategorised as product quality to another department", key: "triage", by: csSuper, out: "valid",
			data: map[string]any{"category": "product_quality", "responsible_department": "wh"}, code: zhidu.CodeInvalid,
			field: "data.responsible_department"},
		{name: "valid without a department", key: "triage", by: csSuper, out: "valid", data: map[string]any{},
			code: zhidu.CodeInvalid, field: "data.responsible_department"},
		{name: "joint without a deadline", key: "triage", by: csSuper, out: "valid",
			data: map[string]any{"responsible_department": "quality", "joint": true}, code: zhidu.CodeInvalid, field: "data.deadline"},
		{name: "invalid without a reason", key: "triage", by: csSuper, out: "invalid", data: map[string]any{},
			code: zhidu.CodeInvalid, field: "data.reason"},
		{name: "triage by customer service staff", key: "triage", by: csAgent, out: "valid",
			data: map[string]any{"responsible_department": "quality"}, code: zhidu.CodeForbidden},
		{name: "compensate without an amount", key: "investigation#1", by: qualityEng, out: "submit",
			data: findings("compensate", 0), code: zhidu.CodeInvalid, field: "data.compensation_amount", msg: "above zero"},
		{name: "compensate with a negative amount", key: "investigation#1", by: qualityEng, out: "submit",
			data: findings("compensate", -100), code: zhidu.CodeInvalid, field: "data.compensation_amount", msg: "negative"},
		{name: "an amount with another remedy", key: "investigation#1", by: qualityEng, out: "submit",
			data: findings("apologise", 100), code: zhidu.CodeInvalid, field: "data.compensation_amount", msg: "only a compensation"},
		{name: "missing cause", key: "investigation#1", by: qualityEng, out: "submit",
			data: map[string]any{"responsibility": "bottling line 2", "remedy": "apologise"}, code: zhidu.CodeInvalid, field: "data.cause"},
		{name: "unknown remedy", key: "investigation#1", by: qualityEng, out: "submit",
			data: findings("refund", 0), code: zhidu.CodeInvalid, field: "data.remedy"},
		{name: "investigator approves", key: "approval#1", by: also(qualityEng, grant(zhidu.RoleVP, zhidu.DeptQuality)),
			out: "approve", code: zhidu.CodeForbidden},
		{name: "send back without comments", key: "approval#1", by: vpOps, out: "send_back", code: zhidu.CodeInvalid,
			field: "data.comments"},
		{name: "reply without reply text", key: "reply#1", by: csAgent, out: "sent", data: map[string]any{"method": "letter"},
			code: zhidu.CodeInvalid, field: "data.reply"},
		{name: "reply by an unknown method", key: "reply#1", by: csAgent, out: "sent",
			data: map[string]any{"method": "email", "reply": replyText}, code: zhidu.CodeInvalid, field: "data.method"},
		{name: "follow-up with an unknown satisfaction", key: "follow_up", by: csAgent, out: "done",
			data: map[string]any{"satisfaction": "meh"}, code: zhidu.CodeInvalid, field: "data.satisfaction"},
		{name: "unknown outcome", key: "remedy", by: qualityEng, out: "skip", data: remedyDone(), code: zhidu.CodeInvalid,
			field: "outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newComplaintHarness(t)
			cfg := complaintConfig(0)
			flow := productFlow(cfg)
			i := slices.IndexFunc(flow, func(a act) bool { return a.key == tt.key })
			if i < 0 {
				t.Fatalf("no act for step %q", tt.key)
			}
			bad := h.try(flow[i].at-30*time.Second, tt.name, tt.key, tt.by, tt.out, tt.data)
			replies := h.play(flow...)
			res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

			wantRejectedField(t, bad, tt.code, tt.field)
			if fields := wantRejected(t, bad, tt.code); tt.msg != "" && !strings.Contains(fields[tt.field], tt.msg) {
				t.Errorf("field error %q = %q, want it to say %q", tt.field, fields[tt.field], tt.msg)
			}
			wantAllAccepted(t, replies)
			wantOutcome(t, res, "resolved", false)
			h.wantCompletions(t, productCompletions...)
			if len(h.records) != 8 || len(h.created) != 6 {
				t.Errorf("%d ComplaintRecords and %d tasks, want 8 and 6 as without the rejection", len(h.records), len(h.created))
			}
		})
	}
}

// TestComplaintCancelWhileWaitingForFollowUp: a complaint cancelled
// between the reply and the follow-up visit ends cancelled, without a
// follow-up task.
func TestComplaintCancelWhileWaitingForFollowUp(t *testing.T) {
	h := newComplaintHarness(t)
	cfg := complaintConfig(0)
	flow := productFlow(cfg)
	replies := h.play(flow[:5]...)
	var cancelled *reply
	h.at(5*time.Hour, func() {
		cancelled = h.cancel("cs.head cancels", zhidu.CancelProcessRequest{Actor: csHead, Reason: "the customer withdrew"})
	})
	res := h.run(complaintInput(productIntake(), zhidu.Internal, cfg))

	wantAllAccepted(t, replies)
	wantAccepted(t, cancelled)
	wantOutcome(t, res, "cancelled", false)
	if len(h.finishes) != 1 || h.finishes[0].State != zhidu.ProcessCancelled || !h.finishes[0].At.Equal(t0.Add(5*time.Hour)) {
		t.Errorf("FinishProcess(%+v), want cancelled once at %v", h.finishes, t0.Add(5*time.Hour))
	}
	for _, in := range h.created {
		if in.Spec.StepKey == "follow_up" {
			t.Errorf("a follow-up task was created for a cancelled complaint")
		}
	}
}

func TestSampled(t *testing.T) {
	for i := range 50 {
		id := "complaint-" + strconv.Itoa(i)
		if sampled(id, 0) {
			t.Errorf("sampled(%q, 0) = true", id)
		}
		if !sampled(id, 100) {
			t.Errorf("sampled(%q, 100) = false", id)
		}
		if sampled(id, 10) != sampled(id, 10) {
			t.Errorf("sampled(%q, 10) is not deterministic", id)
		}
		if sampled(id, 10) && !sampled(id, 20) {
			t.Errorf("sampled(%q, 10) but not at 20%%: a larger sample must contain a smaller one", id)
		}
	}
	for _, percent := range []int{10, 50} {
		n := 0
		for i := range 1000 {
			if sampled(fmt.Sprintf("complaint-%04x", i), percent) {
				n++
			}
		}
		if lo, hi := percent*10/2, percent*10*3/2; n < lo || n > hi {
			t.Errorf("sampled %d of 1000 IDs at %d%%, want %d to %d", n, percent, lo, hi)
		}
	}
}

// TestComplaintReviewChanges covers the versioned changes of
// changeComplaintReview.
func TestComplaintReviewChanges(t *testing.T) {
	t.Run("recategorised as misconduct becomes secret", func(t *testing.T) {
		h := newComplaintHarness(t)
		intake := productIntake()
		h.play(act{time.Hour, "triage", csSuper, "valid", map[string]any{"category": "misconduct", "responsible_department": "wh"}})
		h.at(2*time.Hour, func() { h.env.CancelWorkflow() })
		h.start(complaintInput(intake, zhidu.Internal, complaintConfig(0)))
		if len(h.levels) != 1 || h.levels[0].To != zhidu.Secret || h.levels[0].From != zhidu.Internal {
			t.Fatalf("level changes = %+v, want internal → secret", h.levels)
		}
		inv := h.createdTask(t, "investigation#1")
		if inv.Spec.Level != zhidu.Secret {
			t.Fatalf("investigation level = %s, want secret", inv.Spec.Level)
		}
	})
	t.Run("a joint deadline moves the reminder and escalations", func(t *testing.T) {
		h := newComplaintHarness(t)
		deadline := t0.Format(time.DateOnly) // the end of the start day: 15h after 09:00
		h.play(act{time.Hour, "triage", csSuper, "valid", map[string]any{"responsible_department": "quality", "joint": true, "deadline": deadline}})
		h.at(3*time.Hour, func() { h.env.CancelWorkflow() })
		h.start(complaintInput(productIntake(), zhidu.Internal, complaintConfig(0)))
		inv := h.createdTask(t, "investigation#1")
		due := 14 * time.Hour // from 10:00 to midnight
		if inv.Spec.Due != due || inv.Spec.Reminder != due*2/3 || len(inv.Spec.Escalations) != 2 ||
			inv.Spec.Escalations[0].After != due || inv.Spec.Escalations[1].After != due*4/3 {
			t.Fatalf("investigation SLA = due %s, reminder %s, escalations %+v", inv.Spec.Due, inv.Spec.Reminder, inv.Spec.Escalations)
		}
	})
	t.Run("a product complaint re-opened goes to quality", func(t *testing.T) {
		h := newComplaintHarness(t)
		h.play(act{time.Hour, "triage", csSuper, "invalid", map[string]any{"reason": "no receipt"}},
			act{2 * time.Hour, "reply#0", csAgent, "sent", map[string]any{"method": "phone", "reply": "按规定处理", "disputed": true}},
			act{3 * time.Hour, "receivables", salesRep, "done", nil})
		wrong := h.try(4*time.Hour, "reopen to the warehouse", "superior", csHead, "reopen",
			map[string]any{"responsible_department": "wh", "comments": "x"})
		h.at(5*time.Hour, func() { h.env.CancelWorkflow() })
		h.start(complaintInput(productIntake(), zhidu.Internal, complaintConfig(0)))
		wantRejectedField(t, wrong, zhidu.CodeInvalid, "data.responsible_department")
	})
}
