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
// completed task's data; nested objects have Sub, lists List.
type kv struct {
	Label string
	Value string
	List  []string
	Sub   []kv
	Long  bool // multi-line text: shown as a block
}

// keyOrder puts the keys of process inputs and task contexts in the order
// of the complaint register; unknown keys follow alphabetically.
var keyOrder = []string{"title", "subject", "complainant", "name", "contact", "channel", "category", "content", "details",
	"product", "batch", "course_of_events", "witnesses", "evidence", "signature", "accused", "intake", "round", "sent_back",
	"remedy", "compensation_amount", "threshold", "invalid", "invalid_reason", "note", "level"}

// choiceKeys hold values of a known vocabulary.
var choiceKeys = map[string]bool{"channel": true, "category": true, "remedy": true, "method": true, "satisfaction": true,
	"responsible_department": true, "level": true}

// describe labels a JSON object for display.
func describe(lang string, m map[string]any) []kv {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := slices.Index(keyOrder, keys[i]), slices.Index(keyOrder, keys[j])
		switch {
		case a >= 0 && b >= 0:
			return a < b
		case a >= 0 || b >= 0:
			return a >= 0
		}
		return keys[i] < keys[j]
	})
	var out []kv
	for _, k := range keys {
		if e, ok := describeValue(lang, k, label(lang, "field", k), m[k]); ok {
			out = append(out, e)
		}
	}
	return out
}

func describeValue(lang, key, lbl string, v any) (kv, bool) {
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
		for _, it := range x {
			e.List = append(e.List, fmt.Sprint(it))
		}
	case map[string]any:
		e.Sub = describe(lang, x)
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

// describeData labels a completed task's data with its form's labels.
func describeData(lang string, f zhidu.Form, data map[string]any) []kv {
	var out []kv
	for _, fd := range f.Fields {
		if e, ok := describeValue(lang, fd.Name, fieldLabel(lang, fd), data[fd.Name]); ok {
			if fd.Type == zhidu.FieldChoice {
				if s, ok := data[fd.Name].(string); ok {
					e.Value = choiceLabel(lang, fd.Name, s)
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
	"task_escalated":        {"rung"},
	"process_cancelled":     {"reason"},
	"process_level_changed": {"from", "to", "reason"},
	"process_shared":        {"departments", "reason"},
	"voucher_issued":        {"voucher"},
	"child_started":         {"process", "kind"},
	"contract_overridden":   {"contract", "reason"},
	"child_finished":        {"process", "result"},
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
			if d, ok := describeValue(lang, k, label(lang, "field", k), v); ok {
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
