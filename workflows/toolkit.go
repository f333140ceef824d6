package workflows

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the zone database, embedded

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The toolkit every process workflow builds its steps with: bilingual
// texts, candidates by role and department, one task-spec builder, and the
// typed reading of a completed step's data.

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

// checkText adds field's error to errs when v, a text of a start body, is
// missing (and required), longer than max characters, or holds control
// characters (line breaks only where long).
func checkText(errs map[string]zhidu.Message, field, v string, required, long bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		errs[field] = zhidu.Required()
	case len([]rune(v)) > max:
		errs[field] = zhidu.MaxChars(max)
	case !zhidu.CheckText(v, long).IsZero():
		errs[field] = zhidu.CheckText(v, long)
	}
}

// decode reads a step's data into T, the struct of that step's form (one
// field per form field, under its JSON name), by a JSON round trip. A
// field that is absent, null or "" is empty to the form (zhidu.Form.Validate
// lets such a field through unless it is required), so it is left at its
// zero value here, nil for a pointer: data the form accepted decodes.
// Fields T does not name are ignored. The cells of a rows field's rows
// are read the same way.
func decode[T any](data map[string]any) (T, error) {
	var out T
	b, err := json.Marshal(filled(data))
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return out, fmt.Errorf("decode step data into %T: %w", out, err)
	}
	return out, nil
}

// filled leaves out of an object the values a form takes as empty
// (absent, null, ""), and out of the objects in its lists: the rows of a
// rows field.
func filled(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for _, k := range workflow.DeterministicKeys(data) {
		switch v := data[k].(type) {
		case nil:
		case string:
			if v != "" {
				out[k] = v
			}
		case []any:
			items := make([]any, len(v))
			for i, it := range v {
				if row, ok := it.(map[string]any); ok {
					it = filled(row)
				}
				items[i] = it
			}
			out[k] = items
		default:
			out[k] = v
		}
	}
	return out
}

// askFor asks for spec, as ask does, and returns the completion with its
// data decoded into T. The step's check (rule[T]) has refused data that
// does not decode, so an error here is a bug: the workflow returns it
// rather than panic.
func askFor[T any](ctx workflow.Context, p *process, spec zhidu.TaskSpec) (zhidu.CompleteTaskRequest, T, error) {
	done, err := p.ask(ctx, spec)
	if err != nil {
		var zero T
		return done, zero, err
	}
	d, err := decode[T](done.Data)
	if err != nil {
		return done, d, fmt.Errorf("step %s: %w", spec.Step, err)
	}
	return done, d, nil
}

// rule turns a step's check over its typed data into an entry of
// process.checks, run by the CompleteTask validator after the form: data
// that does not decode into T is refused there, before anything is
// written. A nil check only decodes.
func rule[T any](check func(outcome string, d T) map[string]zhidu.Message) func(zhidu.CompleteTaskRequest) map[string]zhidu.Message {
	return func(req zhidu.CompleteTaskRequest) map[string]zhidu.Message {
		d, err := decode[T](req.Data)
		if err != nil {
			return map[string]zhidu.Message{"data": zhidu.FormMisfit()}
		}
		if check == nil {
			return nil
		}
		return check(req.Outcome, d)
	}
}

// companyZone is the company's time zone by name (the zone database is
// embedded: every worker computes the same times); UTC+8 if the name is
// unknown.
func companyZone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// configOr is the kind's configuration as the API holds it (a pointer to
// the kind's configuration, Descriptor.NewConfig), or its defaults when
// there is none: for processes zhidu starts itself.
func configOr[T any](config any, defaults func() T) T {
	if cfg, ok := config.(*T); ok && cfg != nil {
		return *cfg
	}
	return defaults()
}
