package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// kv is one labelled value of a process summary, a task's context or a
// completed task's data; nested objects have Sub, lists List, a rows
// field Table.
type kv struct {
	Label string
	Value string
	List  []string
	Sub   []kv
	Table *tableView
	Long  bool // multi-line text: shown as a block
}

// tableView shows a rows field's value: a heading per column, a line of
// cells per row.
type tableView struct {
	Head []string
	Rows [][]string
}

// rowsTable shows a rows field's value as a table of its columns, each
// cell as a register shows its own (a choice by its label, or its name in
// names, a boolean as yes or no); false when there are no rows.
func rowsTable(lang string, fd zhidu.Field, v any, names choiceNames) (*tableView, bool) {
	rows, _ := v.([]any)
	if len(rows) == 0 {
		return nil, false
	}
	t := &tableView{}
	for _, c := range fd.Columns {
		t.Head = append(t.Head, fieldLabel(lang, c))
	}
	for _, r := range rows {
		cells, _ := r.(map[string]any)
		line := make([]string, len(fd.Columns))
		for i, c := range fd.Columns {
			line[i], _ = cellText(lang, time.UTC, c.Name, zhidu.ColumnText, 0, c.Type == zhidu.FieldChoice, cells[c.Name])
			if s, ok := cells[c.Name].(string); ok && c.Type == zhidu.FieldChoice {
				if name, ok := names[c.Name][s]; ok {
					line[i] = name
				}
			}
		}
		t.Rows = append(t.Rows, line)
	}
	return t, true
}

// keyOrder puts the keys of process inputs and task contexts in the order
// of the complaint register; unknown keys follow alphabetically.
var keyOrder = []string{"title", "subject", "complainant", "name", "contact", "channel", "category", "content", "details",
	"product", "batch", "course_of_events", "witnesses", "evidence", "signature", "accused", "intake", "round", "sent_back",
	"remedy", "compensation_amount", "threshold", "invalid", "invalid_reason", "note", "level"}

// choiceKeys hold values of a known vocabulary.
var choiceKeys = map[string]bool{"channel": true, "category": true, "remedy": true, "method": true, "satisfaction": true,
	"responsible_department": true, "level": true}

// outcomeKeys hold a step's outcome (a reconciliation round's, and how
// its discrepancy was settled).
var outcomeKeys = map[string]bool{"outcome": true, "resolution": true}

// describe labels a JSON object for display.
func describe(lang string, m map[string]any) []kv { return describeWith(lang, zhidu.Form{}, m) }

// describeWith labels a JSON object (a process's input, a task's context)
// with the catalogue's field labels, else the labels of form's fields of
// the same name (the kind's start form); keys go in the catalogue's
// order, then the form's, then alphabetically. The form's choice fields
// are labelled as its choices; nested objects are labelled the same way.
func describeWith(lang string, form zhidu.Form, m map[string]any) []kv {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	fieldAt := func(k string) int {
		return slices.IndexFunc(form.Fields, func(f zhidu.Field) bool { return f.Name == k })
	}
	rank := func(k string) (int, int) {
		if k == "level" && len(form.Fields) > 0 {
			return 3, 0 // after the form's fields, as it is after the catalogue's
		}
		if i := slices.Index(keyOrder, k); i >= 0 {
			return 0, i
		}
		if i := fieldAt(k); i >= 0 {
			return 1, i
		}
		return 2, 0
	}
	sort.Slice(keys, func(i, j int) bool {
		gi, ri := rank(keys[i])
		gj, rj := rank(keys[j])
		switch {
		case gi != gj:
			return gi < gj
		case ri != rj:
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	var out []kv
	for _, k := range keys {
		lbl := label(lang, "field", k)
		i := fieldAt(k)
		if !hasKey("field."+k) && i >= 0 {
			lbl = fieldLabel(lang, form.Fields[i])
		}
		if i >= 0 && form.Fields[i].Type == zhidu.FieldRows {
			if t, ok := rowsTable(lang, form.Fields[i], m[k], nil); ok {
				out = append(out, kv{Label: lbl, Table: t})
			}
			continue
		}
		e, ok := describeValue(lang, form, k, lbl, m[k])
		if !ok {
			continue
		}
		if s, isText := m[k].(string); isText && i >= 0 && form.Fields[i].Type == zhidu.FieldChoice {
			e.Value = choiceLabel(lang, k, s)
		}
		out = append(out, e)
	}
	return out
}

func describeValue(lang string, form zhidu.Form, key, lbl string, v any) (kv, bool) {
	e := kv{Label: lbl}
	switch x := v.(type) {
	case nil:
		return e, false
	case string:
		if x == "" {
			return e, false
		}
		switch {
		case choiceKeys[key]:
			e.Value = choiceLabel(lang, key, x)
		case outcomeKeys[key]:
			e.Value = label(lang, "outcome", x)
		case key == "note":
			e.Value = storedMessage(lang, x)
		default:
			e.Value = x
			e.Long = len([]rune(x)) > 80 || containsNewline(x)
		}
	case bool:
		e.Value = translate(lang, "common.no")
		if x {
			e.Value = translate(lang, "common.yes")
		}
	case float64:
		e.Value = strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		if len(x) == 0 {
			return e, false
		}
		for i, it := range x {
			switch it := it.(type) {
			case map[string]any:
				// a list of objects (a return's reconciliation rounds): one
				// group each, numbered
				if sub := describeWith(lang, form, it); len(sub) > 0 {
					e.Sub = append(e.Sub, kv{Label: strconv.Itoa(i + 1), Sub: sub})
				}
			case string:
				if key == "departments" {
					it = label(lang, "dept", it)
				}
				e.List = append(e.List, it)
			default:
				e.List = append(e.List, fmt.Sprint(it))
			}
		}
		if len(e.List) == 0 && len(e.Sub) == 0 {
			return e, false
		}
	case map[string]any:
		e.Sub = describeWith(lang, form, x)
		if len(e.Sub) == 0 {
			return e, false
		}
	default:
		e.Value = fmt.Sprint(x)
	}
	return e, true
}

func containsNewline(s string) bool {
	for _, r := range s {
		if r == '\n' {
			return true
		}
	}
	return false
}

// describeData labels a completed task's data with its form's labels,
// and its choices with names (nil: the catalogue's labels only).
func describeData(lang string, f zhidu.Form, data map[string]any, names choiceNames) []kv {
	var out []kv
	for _, fd := range f.Fields {
		if fd.Type == zhidu.FieldRows {
			if t, ok := rowsTable(lang, fd, data[fd.Name], names); ok {
				out = append(out, kv{Label: fieldLabel(lang, fd), Table: t})
			}
			continue
		}
		if e, ok := describeValue(lang, zhidu.Form{}, fd.Name, fieldLabel(lang, fd), data[fd.Name]); ok {
			if fd.Type == zhidu.FieldChoice {
				if s, ok := data[fd.Name].(string); ok {
					e.Value = names.label(lang, fd.Name, s)
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// timelineView is one timeline entry as shown.
type timelineView struct {
	At         time.Time
	Actor      string
	OnBehalfOf string
	Action     string
	ActionKey  string
	Step       string
	Outcome    string
	TaskID     string
	Detail     []kv
}

// timelineDetail are the detail keys worth showing, by action.
var timelineDetail = map[string][]string{
	"task_commented":        {"body"},
	"task_completed":        {"comment"},
	"task_delegated":        {"to", "note"},
	"task_reassigned":       {"to", "note"},
	"task_released":         {"owner", "note"},
	"task_escalated":        {"rung"},
	"process_cancelled":     {"reason"},
	"process_level_changed": {"from", "to", "reason"},
	"process_shared":        {"departments", "reason"},
	"members_changed":       {"add", "remove", "reason"},
	"voucher_issued":        {"voucher"},
	"child_started":         {"process", "kind"},
	"contract_overridden":   {"contract", "reason"},
	"child_finished":        {"process", "result"},
	"order_issued":          {"order"},
	"recused":               {"users", "reason"},
	"sale_recorded":         {"reference", "amount", "customer"},
	"mentor_changed":        {"from", "to", "reason"},
	"evaluation_archived":   {"head", "mentor"},
	"leave_approve":         {"from", "days"},
	"leave_reject":          {"from", "days"},
	"separated":             {"colleague", "reason"},
}

func timeline(lang string, entries []store.TimelineEntry) []timelineView {
	out := make([]timelineView, 0, len(entries))
	for _, e := range entries {
		tv := timelineView{At: e.At, Actor: e.Actor, OnBehalfOf: e.OnBehalfOf, ActionKey: e.Action,
			Action: label(lang, "action", e.Action), TaskID: e.TaskID}
		if e.Actor == "system" {
			tv.Actor = translate(lang, "timeline.system")
		}
		if e.Step != "" {
			tv.Step = label(lang, "step", e.Step)
		}
		if e.Outcome != "" {
			tv.Outcome = label(lang, "outcome", e.Outcome)
		}
		for _, k := range timelineDetail[e.Action] {
			v := e.Detail[k]
			if s, ok := v.(string); ok && (k == "from" || k == "to") && e.Action == "process_level_changed" {
				v = label(lang, "level", s)
			}
			if d, ok := describeValue(lang, zhidu.Form{}, k, label(lang, "field", k), v); ok {
				out := d
				tv.Detail = append(tv.Detail, out)
			}
		}
		out = append(out, tv)
	}
	return out
}

// auditDetail labels an audit entry's detail: decision reasons and
// vocabulary values in the language, other values as recorded.
func auditDetail(lang string, d map[string]any) []kv {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []kv
	for _, k := range keys {
		e := kv{Label: label(lang, "detail", k)}
		switch v := d[k].(type) {
		case nil:
			continue
		case string:
			if v == "" {
				continue
			}
			switch {
			case k == "reason":
				e.Value = auditText(lang, v)
			case k == "kind":
				e.Value = label(lang, "kind", v)
			case k == "outcome":
				e.Value = label(lang, "outcome", v)
			case k == "method":
				e.Value = label(lang, "method", v)
			default:
				if l, err := zhidu.ParseLevel(v); err == nil {
					e.Value = label(lang, "level", l.String())
				} else {
					e.Value = v
				}
			}
		case []any:
			for _, it := range v {
				s := fmt.Sprint(it)
				if k == "reasons" {
					s = auditText(lang, s)
				}
				e.List = append(e.List, s)
			}
		default:
			b, _ := json.Marshal(v)
			e.Value = string(b)
		}
		out = append(out, e)
	}
	return out
}
