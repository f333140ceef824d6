package zhidu_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/zhidu/zhidu"
)

// messageExamples says every code once, with the English the API sent
// before messages had codes: a code without an example fails
// TestMessageEnglish.
var messageExamples = []struct {
	m    zhidu.Message
	want string
}{
	{zhidu.Plain("no such route"), "no such route"},
	{zhidu.MsgInternal(), "internal error"},

	{zhidu.InvalidField("title"), "invalid title"},
	{zhidu.Required(), "is required"},
	{zhidu.UnknownField(), "is not a known field"},
	{zhidu.NotInForm(), "is not a field of this form"},
	{zhidu.UnknownFieldType(), "has an unknown type"},
	{zhidu.MaxChars(200), "must be at most 200 characters"},
	{zhidu.CharRange(1, 4000), "must be 1 to 4000 characters"},
	{zhidu.TooLong(), "is too long"},
	{zhidu.TextUTF8(), "must be valid UTF-8"},
	{zhidu.TextNUL(), "must not contain NUL bytes"},
	{zhidu.TextControl(), "must not contain control characters other than tabs and line breaks"},
	{zhidu.TextOneLine(), "must be one line without control characters"},
	{zhidu.TextBidi(), "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"},
	{zhidu.TextInvisible(), "must not contain invisible characters such as zero-width spaces"},
	{zhidu.KeyText(zhidu.TextOneLine()), "has a key that must be one line without control characters"},
	{zhidu.EachItem(zhidu.TextNUL()), "each item must not contain NUL bytes"},
	{zhidu.MaxPeople(20), "must list at most 20 people"},
	{zhidu.RowsMin(3), "must have at least 3 rows"},
	{zhidu.RowsMax(100), "must have at most 100 rows"},
	{zhidu.OneOf([]string{"phone", "letter", "web"}), "must be one of phone, letter, web"},
	{zhidu.OneOfList([]string{"approve", "reject"}), "must be one of [approve reject]"},
	{zhidu.ListOf([]string{"open", "claimed"}), "must be a comma-separated list of open, claimed"},
	{zhidu.SortOneOf([]string{"due_at", "priority"}), "must be one of [due_at priority], optionally prefixed with -"},
	{zhidu.NotString(), "must be a string"},
	{zhidu.NotNumber(), "must be a number"},
	{zhidu.NotBoolean(), "must be true or false"},
	{zhidu.NotDate(), "must be a date (YYYY-MM-DD)"},
	{zhidu.NotTime(), "must be an RFC 3339 time, e.g. 2026-11-27T09:00:00Z"},
	{zhidu.NotStringList(), "must be a list of strings"},
	{zhidu.NotList(), "must be a list"},
	{zhidu.NotObject(), "must be an object"},
	{zhidu.MustBeEmpty(), "must be empty"},
	{zhidu.MustBe("cs.head"), "must be cs.head"},
	{zhidu.IntRange(0, 1<<62), "must be an integer from 0 to 4611686018427387904"},
	{zhidu.Negative(), "must not be negative"},
	{zhidu.NumberMax(999_999_999_999.99), "must be at most 999999999999.99"},
	{zhidu.NumberAbove("amount_max"), "must not be greater than amount_max"},
	{zhidu.NotAUser(), "is not a user"},
	{zhidu.NotActiveUser(), "is not an active user"},
	{zhidu.SomeoneElse(), "must be someone else"},
	{zhidu.NotAUsername(), "must be a username"},
	{zhidu.UsernameForm(), "must be 2 to 40 of a-z, 0-9, '.', '_', '-', starting with a letter"},
	{zhidu.BadQuery(), "invalid query parameters"},
	{zhidu.BadCursor(), "bad cursor"},
	{zhidu.NotACursor(), "is not a cursor this server issued"},
	{zhidu.BadSort(), "bad sort"},
	{zhidu.BadScope(), "bad scope"},

	{zhidu.BodyTooLarge(1 << 20), "request body is larger than 1048576 bytes"},
	{zhidu.BodyUnreadable(), "cannot read request body"},
	{zhidu.BodyTrailing(), "request body has data after the JSON value"},
	{zhidu.BodyNotObject(), "request body must be a JSON object"},
	{zhidu.BodySyntax(17), "request body is not valid JSON (at byte 17)"},
	{zhidu.BodyInvalid(), "request body is not valid JSON"},
	{zhidu.BodyUTF8(), "request body must be valid UTF-8"},
	{zhidu.BodyTooDeep(64), "request body nests deeper than 64 levels"},
	{zhidu.DuplicateKey(), "appears more than once"},

	{zhidu.NotFound("user cs.nobody"), "user cs.nobody not found"},
	{zhidu.ObjectNotFound("task", "t-1"), "task t-1 not found"},
	{zhidu.UnknownKind("returns"), `no process kind "returns"`},
	{zhidu.BadObjectRef("proc:1"), `object must be process:ID, task:ID or customer:ID, got "proc:1"`},
	{zhidu.IdempotencyReused("k-1"), `the Idempotency-Key "k-1" was used for a different request`},
	{zhidu.IdempotencyPending("k-1"), `a call with the Idempotency-Key "k-1" is still in progress; retry it shortly`},
	{zhidu.RolesDoNotPermit("read", "audit"), "your roles do not permit read on audit"},

	{zhidu.StartDenied("complaint"), "you may not start a complaint process"},
	{zhidu.NotRunning(), "the process is no longer running"},
	{zhidu.Ending(), "the process is ending"},
	{zhidu.SayWhy(), "say why"},
	{zhidu.Barred("sales.head"), "sales.head is the subject of this process and is kept off every step"},
	{zhidu.CannotStartApproval(), "cannot start the approval"},
	{zhidu.AboveClearance(), "is above your clearance"},
	{zhidu.CannotChangeLevel(), "cannot change the level"},
	{zhidu.LevelChanging(), "another level change is being recorded"},
	{zhidu.HistoryFull(), "this process has recorded as many changes as it may: complete its open step or cancel it"},
	{zhidu.UnknownLevel(), "unknown level"},
	{zhidu.NotALevel(), "is not a level"},
	{zhidu.LevelUnchanged(), "the level is unchanged"},
	{zhidu.CurrentLevel(), "is the current level"},
	{zhidu.LowerLeadership(), "only the GM or a deputy GM may lower a level (解密)"},
	{zhidu.DesignationTopSecret(zhidu.Secret), "designations are for top-secret (绝密) objects; this one is secret"},
	{zhidu.DesignationAdmin(), "administrators read no business data"},
	{zhidu.ViewNameTaken("到期"), `you already have a view named "到期"`},
	{zhidu.ViewDepartment(), "must be a department you belong to"},
	{zhidu.ViewsTooMany(50), "you have 50 views already: delete one first"},
	{zhidu.ViewProcessShared(), "a shared view may not name a process"},

	{zhidu.NoTaskInProcess("t-9"), "no task t-9 in this process"},
	{zhidu.SubstitutionCycle("sales.head", "cs.head"), "sales.head is away with cs.head as their substitute at that time: substitution cannot go round"},
	{zhidu.SubstitutionOverlap("cs.head"), "cs.head already has a substitute at that time: send replace to replace it"},
	{zhidu.SubstituteSelf(), "cannot be yourself"},
	{zhidu.SubstituteInactive(), "must be an active user"},
	{zhidu.SubstituteAfter(), "must be after from"},
	{zhidu.SubstitutePast(), "must be in the future"},
	{zhidu.SubstituteScope("department", "x"), `unknown department "x"`},
	{zhidu.SubstituteHead("cs.agent"), "only cs.agent's department head may set their substitute"},
	{zhidu.TaskNotOpen(), "the task is not open"},
	{zhidu.ClaimNotOpen(), "task is not open"},
	{zhidu.NotClaimedByYou(), "task is not claimed by you"},
	{zhidu.ClaimFirst(), "claim the task before completing it"},
	{zhidu.TaskIs(zhidu.TaskCompleted), "the task is completed"},
	{zhidu.ClosedForComments(zhidu.TaskCancelled), "the task is cancelled: it takes no new comments"},
	{zhidu.FinishedNoComments(), "the task is finished: it takes no new comments"},
	{zhidu.NotYourTask(), "you are not the assignee of this task"},
	{zhidu.NotAssignee("cs.agent"), "cs.agent is not the assignee of this task"},
	{zhidu.MayNotWork("cs.agent", zhidu.NotCleared("cs.agent", zhidu.Secret)),
		"cs.agent may not work this task: cs.agent is not cleared for secret"},
	{zhidu.NotCleared("cs.agent", zhidu.Confidential), "cs.agent is not cleared for confidential"},
	{zhidu.NotCandidate("cs.agent"), "cs.agent is not a candidate of this task (yet)"},
	{zhidu.NotNamedByAuthority("cs.super"),
		"approval authority (核决权限): cs.super is not named by this step's candidates or escalation ladder"},
	{zhidu.RequesterMayNotApprove("cs.agent"), "separation of duties: cs.agent requested this and may not approve it"},
	{zhidu.ApprovedOtherStep("cs.head"), "separation of duties: cs.head approved another step of this process"},
	{zhidu.Excluded("cs.agent"), "separation of duties: cs.agent may not work this task"},
	{zhidu.FormIncomplete(), "the form is not complete"},
	{zhidu.FormRule(), "the form breaks a rule of this step"},
	{zhidu.FormMisfit(), "does not fit the form of this step"},
	{zhidu.BehalfOnly(), "on_behalf_of is only for delegates"},
	{zhidu.BehalfOwner(), "a delegate acts on behalf of the owner"},
	{zhidu.DelegateUnclaimed(), "only a claimed task can be delegated"},
	{zhidu.DelegateNotAssignee(), "only the assignee may delegate this task"},
	{zhidu.AssignWho(), "who to?"},
	{zhidu.AssignSelf(), "cannot assign a task to yourself"},
	{zhidu.MayNotAssign("sales.head", zhidu.Barred("sales.head")),
		"sales.head may not assign this task: sales.head is the subject of this process and is kept off every step"},
	{zhidu.AssignUnknown(), "unknown assignment"},
	{zhidu.AssignKind(), "must be delegate or reassign"},
	{zhidu.RequesterMayNotReassign("cs.agent"), "cs.agent requested this and may not reassign its steps"},
	{zhidu.ReassignAuthority(zhidu.NotNamedByAuthority("cs.agent")),
		"reassignment does not move authority: approval authority (核决权限): cs.agent is not named by this step's candidates or escalation ladder"},
	{zhidu.ReassignManagers(), "only managers of the task's department may reassign it"},
	{zhidu.CommentParticipants(), "only participants of the process, and compliance, may comment on its tasks"},

	{zhidu.CannotRegisterComplaint(), "cannot register the complaint"},
	{zhidu.LevelAtLeast(zhidu.Secret), "must be at least secret for this category"},
	{zhidu.AccusedSelf(), "must be someone else: nobody registers a complaint about themselves"},
	{zhidu.AccusedMisconduct(), "only a misconduct complaint names an accused"},
	{zhidu.WitnessLength(), "each witness must be 1 to 100 characters"},
	{zhidu.QualityDepartment(), "product quality complaints go to quality (质量部)"},
	{zhidu.JointDeadline(), "joint handling needs a deadline (处理时效)"},
	{zhidu.CompensationAmount(), "compensation needs an amount above zero"},
	{zhidu.AmountWithoutRemedy(), "only a compensation remedy has an amount"},
	{zhidu.ReplyNote(), "the reply is sent as written here; the internal complaint form is never sent to the customer"},

	{zhidu.AuditUnlinked(), "the entry does not link to the entry before it (one was removed or inserted)"},
	{zhidu.AuditAltered(), "the entry's content does not match its hash (it was altered)"},

	{zhidu.ReasonBarred(), "the process is about them: the person a misconduct complaint names is kept out of it"},
	{zhidu.ReasonLeadership(zhidu.RoleGM, zhidu.DeptGMO), "holds gm@gmo: the GM and deputy GMs may know everything"},
	{zhidu.ReasonDesignated(), "designated for this object by the GM or a deputy GM"},
	{zhidu.ReasonTopSecret(), "top_secret (绝密): only the GM, deputy GMs and users designated for this object"},
	{zhidu.ReasonBelowLevel(zhidu.Internal, zhidu.Secret), "clearance internal (内部) is below the level secret (秘密)"},
	{zhidu.ReasonClearance(zhidu.Secret, zhidu.Secret), "clearance secret ≥ level secret"},
	{zhidu.ReasonNeedToKnow(zhidu.ReasonStarted()), "need-to-know: started the process"},
	{zhidu.ReasonStarted(), "started the process"},
	{zhidu.ReasonNamed(), "is named on a task of the process"},
	{zhidu.ReasonNamedReader(), "need-to-know: a named reader of the process"},
	{zhidu.ReasonCandidateRole(zhidu.RoleDeptHead, zhidu.DeptCS), "holds dept_head@cs, a candidate role of the process"},
	{zhidu.ReasonPolicy("p, staff, own, process, read"), "policy: p, staff, own, process, read"},
	{zhidu.ReasonNoReadRole("cs.agent", zhidu.DeptSales), "no role of cs.agent permits reading processes of sales"},
	{zhidu.ReasonMember(zhidu.DeptSales, "p, staff, own, process, read"),
		"need-to-know: a member of sales whose role permits reading (policy: p, staff, own, process, read)"},
	{zhidu.ReasonCopyMember(zhidu.DeptFin, "p, dept_head, own, process, read"),
		"need-to-know: a member of fin, which may read it, whose role permits reading (policy: p, dept_head, own, process, read)"},
	{zhidu.ReasonCopyConfidential(zhidu.DeptFin, "p, dept_head, own, confidential, read"),
		"need-to-know: fin may read it, and a role the policy names for confidential matters there (policy: p, dept_head, own, confidential, read)"},
	{zhidu.ReasonCopiesOnly([]zhidu.Department{zhidu.DeptSales, zhidu.DeptWH}, "mkt.head"),
		"only sales, wh may read it: no role of mkt.head there permits reading"},
	{zhidu.ReasonSecret(zhidu.DeptSales),
		"secret (秘密): need-to-know limits it to the participants and to members of sales whose role permits reading"},
	{zhidu.ReasonConfidentialRole("p, compliance, *, confidential, read"),
		"need-to-know: a role the policy names for confidential matters (policy: p, compliance, *, confidential, read)"},
	{zhidu.ReasonConfidential("confidential", zhidu.DeptSales), "confidential (机密): only the roles the policy names for confidential of sales"},
	{zhidu.ReasonUnreadable("cancel"), "may not cancel what they may not read"},
	{zhidu.ReasonNoRole("cs.agent", "cancel", zhidu.DeptCS), "no role of cs.agent permits cancel on processes of cs"},
	{zhidu.ReasonOnlyTasks(), "only tasks are completed"},
	{zhidu.ReasonExcluded(), "separation of duties: excluded from this task"},
	{zhidu.ReasonAssignee(), "is the assignee"},
	{zhidu.ReasonDelegate("cs.head"), "is the delegate of cs.head"},
	{zhidu.ReasonSubstitute("cs.head"), "substitutes for cs.head, who is away"},
	{zhidu.ReasonCandidate("dept_head@cs"), "is a candidate (dept_head@cs)"},
	{zhidu.ReasonNotCandidate(), "is not a candidate, the assignee or the delegate"},
	{zhidu.ReasonUnknownAction("fly"), "unknown action fly"},
	{zhidu.ReasonDisabled(), "the account is disabled"},
}

// TestMessageEnglish pins every code's English to what the API said
// before it had codes, as the message is built and after a JSON round trip
// (a client's, or a workflow rejection's details).
func TestMessageEnglish(t *testing.T) {
	seen := map[string]bool{}
	for _, ex := range messageExamples {
		seen[ex.m.Code] = true
		if _, ok := zhidu.EnglishTemplate(ex.m.Code); !ok {
			t.Errorf("%s: no English template", ex.m.Code)
		}
		if got := ex.m.String(); got != ex.want {
			t.Errorf("%s = %q, want %q", ex.m.Code, got, ex.want)
		}
		b, err := json.Marshal(ex.m)
		if err != nil {
			t.Fatal(err)
		}
		var back zhidu.Message
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if got := back.String(); got != ex.want || back.Code != ex.m.Code {
			t.Errorf("%s after JSON (%s) = %q, want %q", ex.m.Code, b, got, ex.want)
		}
	}
	for _, code := range zhidu.MessageCodes() {
		if !seen[code] {
			t.Errorf("code %s has no example here", code)
		}
	}
}

// TestParseMessage reads every recorded English back into the message
// that says it.
func TestParseMessage(t *testing.T) {
	for _, ex := range messageExamples {
		if ex.m.Code == zhidu.MsgPlain {
			if m, ok := zhidu.ParseMessage(ex.want); ok {
				t.Errorf("%q parsed as %+v, want no code for a plain text", ex.want, m)
			}
			continue
		}
		m, ok := zhidu.ParseMessage(ex.want)
		if !ok || m.Code != ex.m.Code || m.String() != ex.want {
			t.Errorf("ParseMessage(%q) = %+v (%v), want code %s", ex.want, m, ok, ex.m.Code)
		}
	}
	m, ok := zhidu.ParseMessage("need-to-know: holds dept_head@cs, a candidate role of the process")
	want := zhidu.ReasonNeedToKnow(zhidu.ReasonCandidateRole(zhidu.RoleDeptHead, zhidu.DeptCS))
	if !ok || m.Code != want.Code || !reflect.DeepEqual(m.Params["why"].(zhidu.Message).Params, want.Params["why"].(zhidu.Message).Params) {
		t.Errorf("nested reason parsed as %+v, want %+v", m, want)
	}
	if m, ok := zhidu.ParseMessage("something nobody wrote"); ok {
		t.Errorf("an unknown text parsed as %+v", m)
	}
}

func TestErrorJSON(t *testing.T) {
	e := zhidu.Invalid(zhidu.CannotStartApproval(), map[string]zhidu.Message{"title": zhidu.CharRange(1, 200)})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"invalid","message":"cannot start the approval","fields":{"title":"must be 1 to 200 characters"},` +
		`"message_code":{"code":"approval.cannot_start"},"field_codes":{"title":{"code":"text.length","params":{"max":200,"min":1}}}}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
	var back zhidu.Error
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Said().String() != e.Message || back.FieldMessages()["title"].String() != e.Fields["title"] {
		t.Errorf("read back as %+v", back)
	}
	// An error built without codes says its English as plain messages.
	b, _ = json.Marshal(&zhidu.Error{Code: zhidu.CodeConflict, Message: "user x already exists", Fields: map[string]string{"x": "odd"}})
	if s := string(b); !strings.Contains(s, `"message_code":{"code":"plain","params":{"text":"user x already exists"}}`) ||
		!strings.Contains(s, `"field_codes":{"x":{"code":"plain","params":{"text":"odd"}}}`) {
		t.Errorf("JSON of an error without codes = %s", s)
	}
}
