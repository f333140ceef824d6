package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// checkMessageCodes checks, for every answer the tests get, that the codes
// say exactly the English next to them: an error's message_code its
// message and field_codes its fields, a decision's reason_codes its
// reasons (explain, who-can), a verification's problem_code its problem.
func checkMessageCodes(t *testing.T, r response) {
	t.Helper()
	var body struct {
		Error       *zhidu.Error    `json:"error"`
		Reasons     []string        `json:"reasons"`
		ReasonCodes []zhidu.Message `json:"reason_codes"`
		Users       []struct {
			Reasons     []string        `json:"reasons"`
			ReasonCodes []zhidu.Message `json:"reason_codes"`
		} `json:"users"`
		Problem     *string        `json:"problem"`
		ProblemCode *zhidu.Message `json:"problem_code"`
	}
	if json.Unmarshal(r.Body, &body) != nil {
		return // not a JSON object (CSV, a codec answer …)
	}
	if e := body.Error; e != nil {
		if e.MessageCode.IsZero() || e.MessageCode.String() != e.Message {
			t.Errorf("error %s: message_code %+v says %q, want %q", r.Body, e.MessageCode, e.MessageCode.String(), e.Message)
		}
		if len(e.FieldCodes) != len(e.Fields) {
			t.Errorf("error %s: field_codes for %d fields, want one for each of %d", r.Body, len(e.FieldCodes), len(e.Fields))
		}
		for f, m := range e.FieldCodes {
			if m.String() != e.Fields[f] {
				t.Errorf("error %s: field_codes[%s] %+v says %q, want %q", r.Body, f, m, m.String(), e.Fields[f])
			}
		}
	}
	sameReasons := func(texts []string, codes []zhidu.Message) {
		if len(texts) != len(codes) {
			t.Errorf("answer %.500s: %d reason codes for %d reasons", r.Body, len(codes), len(texts))
			return
		}
		for i, m := range codes {
			if m.String() != texts[i] {
				t.Errorf("reason code %+v says %q, want %q", m, m.String(), texts[i])
			}
		}
	}
	if body.Reasons != nil {
		sameReasons(body.Reasons, body.ReasonCodes)
	}
	for _, u := range body.Users {
		sameReasons(u.Reasons, u.ReasonCodes)
	}
	if body.Problem != nil && *body.Problem != "" && (body.ProblemCode == nil || body.ProblemCode.String() != *body.Problem) {
		t.Errorf("verification %s: problem_code does not say the problem", r.Body)
	}
}

// TestMessageCodesCrossTemporal: a workflow validator's rejection reaches
// the client with its codes and parameters — a field rule of the triage
// step, and a refusal whose reason is a nested message — and the audit
// trail records the English as the API sent it.
func TestMessageCodesCrossTemporal(t *testing.T) {
	s := newStack(t)
	pid := s.startComplaint("cs.agent", productComplaint())
	triage := s.waitTask(pid, workflows.StepTriage)
	s.must(http.StatusOK, s.call("cs.super", "POST", "/api/v1/tasks/"+triage+"/claim", nil))
	r := s.call("cs.super", "POST", "/api/v1/tasks/"+triage+"/complete", map[string]any{"outcome": "valid",
		"data": map[string]any{"responsible_department": "cs"}})
	s.wantError(r, http.StatusBadRequest, "invalid")
	var e struct {
		Error zhidu.Error `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatal(err)
	}
	if e.Error.MessageCode.Code != "form.rule" || e.Error.FieldCodes["data.responsible_department"].Code != "complaint.quality_department" {
		t.Errorf("triage refusal %s, want form.rule with complaint.quality_department", r.Body)
	}

	aid := s.startApproval("cs.super", "付款 ¥40,000", "internal")
	s.claimComplete("cs.head", s.waitTask(aid, "dept_head_approval"), "approve", nil)
	vp := s.waitTask(aid, "vp_approval")
	r = s.call("vp.ops", "POST", "/api/v1/tasks/"+vp+"/reassign", map[string]any{"to": "vp.admin"}) // a VP of other departments
	s.wantError(r, http.StatusForbidden, "forbidden")
	var raw struct {
		Error struct {
			Message     string `json:"message"`
			MessageCode struct {
				Code   string `json:"code"`
				Params struct {
					Why struct {
						Code   string            `json:"code"`
						Params map[string]string `json:"params"`
					} `json:"why"`
				} `json:"params"`
			} `json:"message_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	mc := raw.Error.MessageCode
	if mc.Code != "reassign.authority" || mc.Params.Why.Code != "authority.not_named" || mc.Params.Why.Params["user"] != "vp.admin" {
		t.Errorf("reassignment refusal %s, want reassign.authority with a nested authority.not_named of vp.admin", r.Body)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE object = 'task:' || $1 AND action = 'task.reassign' AND decision = 'denied'
        AND detail->>'reason' = $2`, vp, raw.Error.Message); n != 1 {
		t.Errorf("%d audit entries record the refusal as %q, want 1", n, raw.Error.Message)
	}
}
