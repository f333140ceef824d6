package workflows

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zhidu/zhidu"
)

func TestDescriptors(t *testing.T) {
	kinds, names := map[string]bool{}, map[string]bool{}
	for _, d := range Descriptors() {
		t.Run(d.Kind, func(t *testing.T) {
			if d.Kind == "" || kinds[d.Kind] {
				t.Fatalf("kind %q is empty or twice", d.Kind)
			}
			kinds[d.Kind] = true
			if d.Workflow == "" || names[d.Workflow] {
				t.Fatalf("workflow name %q is empty or twice", d.Workflow)
			}
			names[d.Workflow] = true
			if d.Func == nil || d.Owner == nil || d.Defaults == nil || d.Record == nil || len(d.Starters) == 0 && !d.Internal {
				t.Fatalf("descriptor %q lacks its function, owner, defaults or starters", d.Kind)
			}
			if d.Internal && (len(d.Starters) != 0 || d.Body != nil || d.Prepare != nil || d.Bench != nil) {
				t.Errorf("internal kind %q has starters, start hooks or a bench scenario: nothing would use them", d.Kind)
			}
			if d.Label.Zh == "" || d.Label.En == "" || d.Description.En == "" || d.Submit.Zh == "" && !d.Internal {
				t.Errorf("label, description or submit missing: %+v %+v %+v", d.Label, d.Description, d.Submit)
			}
			for _, s := range d.Steps {
				if s.Name == "" || s.Label.Zh == "" || s.Label.En == "" {
					t.Errorf("step %+v lacks a name or a label", s)
				}
			}
			fields := map[string]bool{}
			for _, f := range d.StartForm.Fields {
				if fields[f.Name] || f.Label.Zh == "" || f.Label.En == "" {
					t.Errorf("start field %q twice or unlabelled", f.Name)
				}
				fields[f.Name] = true
			}
			if len(d.StartForm.Outcomes) != 0 {
				t.Errorf("start form outcomes = %v, want none", d.StartForm.Outcomes)
			}
			for key, l := range d.Labels {
				family, word, _ := strings.Cut(key, ".")
				if !slices.Contains([]string{"outcome", "field", "value"}, family) || word == "" || l.Zh == "" || l.En == "" {
					t.Errorf("label %q %+v: want outcome.x, field.x or value.x in both languages", key, l)
				}
			}
			if d.Register != nil {
				if err := d.Register.Validate(); err != nil {
					t.Errorf("register: %v", err)
				}
			}
			if !d.Internal {
				checkBench(t, d)
			}
			if got, ok := Lookup(d.Kind); !ok || got.Workflow != d.Workflow {
				t.Errorf("Lookup(%q) = %q, %v", d.Kind, got.Workflow, ok)
			}
		})
	}
	if _, ok := Lookup("unknown"); ok {
		t.Error("Lookup(unknown) found a descriptor")
	}
	// The owner of a started process: the starter's department, or a fixed one.
	u := zhidu.Actor{Username: "sales.rep", Department: zhidu.DeptSales}
	for kind, want := range map[string]zhidu.Department{KindApproval: zhidu.DeptSales, KindComplaint: zhidu.DeptCS} {
		d, _ := Lookup(kind)
		if got := d.Owner(u); got != want {
			t.Errorf("%s owner = %s, want %s", kind, got, want)
		}
	}
	if _, ok := complaintDescriptor().Defaults().(ComplaintConfig); !ok {
		t.Error("complaint defaults are not a ComplaintConfig")
	}
}

// Record is what the process row stores as its input: the start body as
// the API always stored it.
func TestDescriptorRecord(t *testing.T) {
	a, _ := Lookup(KindApproval)
	got := a.Record(ApprovalInput{Process: zhidu.ProcessInfo{Title: "chairs", Level: zhidu.Internal}, Details: "four"})
	if len(got) != 3 || got["title"] != "chairs" || got["details"] != "four" || got["level"] != "internal" {
		t.Errorf("approval record = %v", got)
	}
	c, _ := Lookup(KindComplaint)
	got = c.Record(ComplaintInput{Process: zhidu.ProcessInfo{Level: zhidu.Secret},
		Intake: ComplaintIntake{Category: "misconduct", Subject: "rude", Complainant: Complainant{Name: "李"}}})
	if got["level"] != "secret" || got["category"] != "misconduct" || got["subject"] != "rude" ||
		got["complainant"].(map[string]any)["name"] != "李" {
		t.Errorf("complaint record = %v", got)
	}
	if _, ok := got["product"]; ok {
		t.Errorf("complaint record has an empty product: %v", got)
	}
}

// checkBench checks a descriptor's bench scenario: every process has one,
// its steps are the process's, and its input is what the workflow takes
// (bench/scenario_test.go runs it through the workflow).
func checkBench(t *testing.T, d Descriptor) {
	t.Helper()
	b := d.Bench
	if b == nil || b.Starter == "" || b.Start == nil || b.Input == nil || len(b.Steps) == 0 {
		t.Errorf("%s: no bench scenario, or one without starter, start body, input or steps", d.Kind)
		return
	}
	for _, st := range append(slices.Clone(b.Steps), b.Optional...) {
		if st.Call != "" { // a request, not a task: an update of the workflow's
			if st.Step == "" || st.User == "" || st.Update == "" || st.Arg == nil || !strings.HasPrefix(st.Call, "/api/v1/") {
				t.Errorf("%s: bench call %+v lacks a name, a user, an update, its argument or an API path", d.Kind, st)
			} else if _, err := st.Arg(st.Data, zhidu.Actor{Username: "x"}); err != nil {
				t.Errorf("%s: bench call %s: argument: %v", d.Kind, st.Step, err)
			}
			continue
		}
		if _, ok := d.StepLabel(st.Step); !ok || st.User == "" || st.Outcome == "" {
			t.Errorf("%s: bench step %+v is not one of the process's steps, or lacks a user or an outcome", d.Kind, st)
		}
	}
	if s := b.Subject; s != nil && (s.Field == "" || !s.Department.Valid() || !s.Clearance.Valid() || len(s.Roles) == 0) {
		t.Errorf("%s: bench subject %+v lacks a field, department, clearance or roles", d.Kind, s)
	}
	config := d.Defaults()
	if b.Config != nil {
		config = b.Config(config)
	}
	in, err := b.Input(b.Start(1), zhidu.ProcessInfo{ID: d.Kind + "-1", Kind: d.Kind}, config)
	if want := reflect.TypeOf(d.Func).In(1); err != nil || reflect.TypeOf(in) != want {
		t.Errorf("%s: bench input %T, %v; want a %s", d.Kind, in, err, want)
	}
	if _, err := b.Input(b.Start(1), zhidu.ProcessInfo{}, struct{}{}); err == nil {
		t.Errorf("%s: bench input accepted a configuration of the wrong type", d.Kind)
	}
}
