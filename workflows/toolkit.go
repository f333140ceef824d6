package workflows

import (
	"github.com/zhidu/zhidu"
)

// The toolkit every process workflow builds its steps with: bilingual
// texts, candidates by role and department, and one task-spec builder.

// text is a label or title in both languages.
func text(zh, en string) zhidu.Text { return zhidu.Text{Zh: zh, En: en} }

// role names everyone holding r in department d.
func role(r zhidu.Role, d zhidu.Department) zhidu.Candidate {
	return zhidu.Candidate{Role: r, Department: d}
}

// leadership is the top of every escalation ladder: the deputy GM, then the
// GM. Slice it with a full slice expression (leadership[:1:1]) so that an
// append never writes into it.
var leadership = []zhidu.Candidate{role(zhidu.RoleDeputyGM, zhidu.DeptGMO), role(zhidu.RoleGM, zhidu.DeptGMO)}

// departmentCodes lists every department's code, for a choice field.
func departmentCodes() []string {
	var out []string
	for _, d := range zhidu.Departments() {
		out = append(out, string(d))
	}
	return out
}

// task fills what every step of a process shares: its department, the
// process's level as it stands now, normal priority, the step's title
// followed by the process's, the step's SLA and escalation ladder (one rung
// per configured escalation time), and its form. Callers add what is the
// step's own (context, exclusions, whether it is an approval).
func (p *process) task(key, step string, title zhidu.Text, dept zhidu.Department, sla SLA, form zhidu.Form,
	candidates []zhidu.Candidate, ladder ...[]zhidu.Candidate) zhidu.TaskSpec {
	return zhidu.TaskSpec{StepKey: key, Step: step, Department: dept, Level: p.Info.Level, Priority: zhidu.PriorityNormal,
		Title:      zhidu.Text{Zh: title.Zh + "：" + p.Info.Title, En: title.En + ": " + p.Info.Title},
		Candidates: candidates, Escalations: sla.ladder(ladder...), Due: sla.Due, Reminder: sla.Reminder, Form: form}
}
