package zhidu

import "strconv"

// english is the catalogue of messages: one English template per code,
// the text the API sends. A new message is one entry here, one
// constructor below, one Chinese entry in web/i18n.go (a test fails
// without it) and one example in TestMessageEnglish.
var english = map[string]string{
	MsgPlain:   "{text}",
	"internal": "internal error",

	// Fields and values (forms, bodies, query parameters).
	"invalid.field":      "invalid {field}",
	"field.required":     "is required",
	"field.unknown":      "is not a known field",
	"field.not_in_form":  "is not a field of this form",
	"field.unknown_type": "has an unknown type",
	"text.max":           "must be at most {max} characters",
	"text.length":        "must be {min} to {max} characters",
	"text.too_long":      "is too long",
	"text.utf8":          "must be valid UTF-8",
	"text.nul":           "must not contain NUL bytes",
	"text.control":       "must not contain control characters other than tabs and line breaks",
	"text.one_line":      "must be one line without control characters",
	"text.bidi":          "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)",
	"text.invisible":     "must not contain invisible characters such as zero-width spaces",
	"text.key":           "has a key that {why:msg}",
	"list.each_item":     "each item {why:msg}",
	"list.max_people":    "must list at most {max} people",
	"rows.min":           "must have at least {min} rows",
	"rows.max":           "must have at most {max} rows",
	"choice.one_of":      "must be one of {choices}",
	"choice.one_of_list": "must be one of [{choices| }]",
	"choice.list_of":     "must be a comma-separated list of {choices}",
	"sort.one_of":        "must be one of [{choices| }], optionally prefixed with -",
	"value.string":       "must be a string",
	"value.number":       "must be a number",
	"value.boolean":      "must be true or false",
	"value.date":         "must be a date (YYYY-MM-DD)",
	"value.time":         "must be an RFC 3339 time, e.g. 2026-11-27T09:00:00Z",
	"value.string_list":  "must be a list of strings",
	"value.list":         "must be a list",
	"value.object":       "must be an object",
	"value.empty":        "must be empty",
	"value.must_be":      "must be {value}",
	"number.range":       "must be an integer from {min} to {max}",
	"number.negative":    "must not be negative",
	"number.max":         "must be at most {max}",
	"number.above":       "must not be greater than {other}",
	"user.unknown":       "is not a user",
	"user.inactive":      "is not an active user",
	"user.someone_else":  "must be someone else",
	"user.username":      "must be a username",
	"user.username_form": "must be 2 to 40 of a-z, 0-9, '.', '_', '-', starting with a letter",
	"query.invalid":      "invalid query parameters",
	"cursor.bad":         "bad cursor",
	"cursor.invalid":     "is not a cursor this server issued",
	"sort.bad":           "bad sort",
	"scope.bad":          "bad scope",

	// Request bodies.
	"body.too_large":  "request body is larger than {limit} bytes",
	"body.unreadable": "cannot read request body",
	"body.trailing":   "request body has data after the JSON value",
	"body.not_object": "request body must be a JSON object",
	"body.syntax":     "request body is not valid JSON (at byte {offset})",
	"body.invalid":    "request body is not valid JSON",
	"body.utf8":       "request body must be valid UTF-8",
	"body.too_deep":   "request body nests deeper than {max} levels",
	"body.duplicate":  "appears more than once",

	// Objects.
	"not_found":           "{what} not found",
	"kind.unknown":        "no process kind {kind}",
	"object.ref":          "object must be process:ID, task:ID or customer:ID, got {value}",
	"idempotency.reused":  "the Idempotency-Key {key} was used for a different request",
	"idempotency.pending": "a call with the Idempotency-Key {key} is still in progress; retry it shortly",
	"substitute.cycle":    "{substitute} is away with {absent} as their substitute at that time: substitution cannot go round",
	"substitute.overlap":  "{absent} already has a substitute at that time: send replace to replace it",
	"substitute.self":     "cannot be yourself",
	"substitute.inactive": "must be an active user",
	"substitute.after":    "must be after from",
	"substitute.past":     "must be in the future",
	"substitute.scope":    "unknown {what} {value}",
	"substitute.head":     "only {absent}'s department head may set their substitute",
	"roles.not_permitted": "your roles do not permit {action} on {object}",

	// Processes.
	"process.start_denied":   "you may not start a {kind:kind} process",
	"process.not_running":    "the process is no longer running",
	"process.ending":         "the process is ending",
	"process.say_why":        "say why",
	"process.barred":         "{user} is the subject of this process and is kept off every step",
	"approval.cannot_start":  "cannot start the approval",
	"level.above_clearance":  "is above your clearance",
	"level.cannot_change":    "cannot change the level",
	"level.changing":         "another level change is being recorded",
	"history.full":           "this process has recorded as many changes as it may: complete its open step or cancel it",
	"level.unknown":          "unknown level",
	"level.not_a_level":      "is not a level",
	"level.unchanged":        "the level is unchanged",
	"level.current":          "is the current level",
	"level.lower_leadership": "only the GM or a deputy GM may lower a level (解密)",
	"designation.top_secret": "designations are for top-secret (绝密) objects; this one is {level:level}",
	"designation.admin":      "administrators read no business data",
	"view.name_taken":        "you already have a view named {name}",
	"view.department":        "must be a department you belong to",
	"view.too_many":          "you have {max} views already: delete one first",
	"view.process_shared":    "a shared view may not name a process",

	// Tasks.
	"task.not_in_process":       "no task {task} in this process",
	"task.not_open":             "the task is not open",
	"task.claim_not_open":       "task is not open",
	"task.not_claimed_by_you":   "task is not claimed by you",
	"task.claim_first":          "claim the task before completing it",
	"task.state":                "the task is {state:state}",
	"task.closed_for_comments":  "the task is {state:state}: it takes no new comments",
	"task.finished_no_comments": "the task is finished: it takes no new comments",
	"task.not_your_task":        "you are not the assignee of this task",
	"task.not_assignee":         "{user} is not the assignee of this task",
	"task.may_not_work":         "{user} may not work this task: {why:msg}",
	"task.not_cleared":          "{user} is not cleared for {level:level}",
	"task.not_candidate":        "{user} is not a candidate of this task (yet)",
	"authority.not_named":       "approval authority (核决权限): {user} is not named by this step's candidates or escalation ladder",
	"sod.requester":             "separation of duties: {user} requested this and may not approve it",
	"sod.approved_other":        "separation of duties: {user} approved another step of this process",
	"sod.excluded":              "separation of duties: {user} may not work this task",
	"form.incomplete":           "the form is not complete",
	"form.rule":                 "the form breaks a rule of this step",
	"form.misfit":               "does not fit the form of this step",
	"delegate.behalf_only":      "on_behalf_of is only for delegates",
	"delegate.behalf_owner":     "a delegate acts on behalf of the owner",
	"delegate.unclaimed":        "only a claimed task can be delegated",
	"delegate.not_assignee":     "only the assignee may delegate this task",
	"assign.who":                "who to?",
	"assign.self":               "cannot assign a task to yourself",
	"assign.may_not":            "{user} may not assign this task: {why:msg}",
	"assign.unknown":            "unknown assignment",
	"assign.kind":               "must be delegate or reassign",
	"reassign.requester":        "{user} requested this and may not reassign its steps",
	"reassign.authority":        "reassignment does not move authority: {why:msg}",
	"reassign.managers":         "only managers of the task's department may reassign it",
	"comment.participants":      "only participants of the process, and compliance, may comment on its tasks",

	// Complaints.
	"complaint.cannot_register":     "cannot register the complaint",
	"complaint.level_min":           "must be at least {level:level} for this category",
	"complaint.accused_self":        "must be someone else: nobody registers a complaint about themselves",
	"complaint.accused_misconduct":  "only a misconduct complaint names an accused",
	"complaint.witness":             "each witness must be 1 to 100 characters",
	"complaint.quality_department":  "product quality complaints go to quality (质量部)",
	"complaint.joint_deadline":      "joint handling needs a deadline (处理时效)",
	"complaint.compensation_amount": "compensation needs an amount above zero",
	"complaint.amount_no_remedy":    "only a compensation remedy has an amount",
	"complaint.reply_note":          "the reply is sent as written here; the internal complaint form is never sent to the customer",

	// The audit trail.
	"audit.unlinked": "the entry does not link to the entry before it (one was removed or inserted)",
	"audit.altered":  "the entry's content does not match its hash (it was altered)",

	// Access decisions (authz.Decide's reasons).
	"decide.barred":            "the process is about them: the person a misconduct complaint names is kept out of it",
	"decide.leadership":        "holds {role:role}@{department:dept}: the GM and deputy GMs may know everything",
	"decide.designated":        "designated for this object by the GM or a deputy GM",
	"decide.top_secret":        "top_secret (绝密): only the GM, deputy GMs and users designated for this object",
	"decide.below_level":       "clearance {clearance:level} ({clearance:level_zh}) is below the level {level:level} ({level:level_zh})",
	"decide.clearance":         "clearance {clearance:level} ≥ level {level:level}",
	"decide.need_to_know":      "need-to-know: {why:msg}",
	"decide.started":           "started the process",
	"decide.named":             "is named on a task of the process",
	"decide.named_reader":      "need-to-know: a named reader of the process",
	"decide.candidate_role":    "holds {role:role}@{department:dept}, a candidate role of the process",
	"decide.policy":            "policy: {policy}",
	"decide.no_read_role":      "no role of {user} permits reading processes of {department:dept}",
	"decide.member":            "need-to-know: a member of {department:dept} whose role permits reading (policy: {policy})",
	"decide.secret":            "secret (秘密): need-to-know limits it to the participants and to members of {department:dept} whose role permits reading",
	"decide.confidential_role": "need-to-know: a role the policy names for confidential matters (policy: {policy})",
	"decide.confidential":      "confidential (机密): only the roles the policy names for {object} of {department:dept}",
	"decide.unreadable":        "may not {action:act} what they may not read",
	"decide.no_role":           "no role of {user} permits {action:act} on processes of {department:dept}",
	"decide.only_tasks":        "only tasks are completed",
	"decide.excluded":          "separation of duties: excluded from this task",
	"decide.assignee":          "is the assignee",
	"decide.delegate":          "is the delegate of {user}",
	"decide.substitute":        "substitutes for {user}, who is away",
	"decide.candidate":         "is a candidate ({candidate})",
	"decide.not_candidate":     "is not a candidate, the assignee or the delegate",
	"decide.unknown_action":    "unknown action {action}",
	"decide.disabled":          "the account is disabled",
	"decide.copy_member":       "need-to-know: a member of {department:dept}, which may read it, whose role permits reading (policy: {policy})",
	"decide.copy_confidential": "need-to-know: {department:dept} may read it, and a role the policy names for confidential matters there (policy: {policy})",
	"decide.copies_only":       "only {departments|, } may read it: no role of {user} there permits reading",
}

// Fields and values.

// MsgInternal is what an internal error says (nothing more).
func MsgInternal() Message { return msg("internal") }

// InvalidField is the message of an error about one field.
func InvalidField(field string) Message { return msg("invalid.field", "field", field) }

// Required: the field is missing or empty.
func Required() Message { return msg("field.required") }

// UnknownField: a body field the route does not take.
func UnknownField() Message { return msg("field.unknown") }

// NotInForm: data for a field the form does not have.
func NotInForm() Message { return msg("field.not_in_form") }

// UnknownFieldType: a form field of a type nobody checks.
func UnknownFieldType() Message { return msg("field.unknown_type") }

// MaxChars: a text over max characters.
func MaxChars(max int) Message { return msg("text.max", "max", max) }

// CharRange: a text of fewer than min or more than max characters.
func CharRange(min, max int) Message { return msg("text.length", "min", min, "max", max) }

// TooLong: a text over its limit.
func TooLong() Message { return msg("text.too_long") }

// TextUTF8, TextNUL, TextControl and TextOneLine are zhidu.CheckText's findings.
func TextUTF8() Message { return msg("text.utf8") }

// TextNUL: a text with a NUL byte.
func TextNUL() Message { return msg("text.nul") }

// TextControl: a long text with control characters other than tabs and line breaks.
func TextControl() Message { return msg("text.control") }

// TextOneLine: a one-line text with a line break or control character.
func TextOneLine() Message { return msg("text.one_line") }

// TextBidi: a text with a bidirectional embedding, override or isolate.
func TextBidi() Message { return msg("text.bidi") }

// TextInvisible: a one-line text with an invisible format character.
func TextInvisible() Message { return msg("text.invisible") }

// KeyText: a map key CheckText refuses (why).
func KeyText(why Message) Message { return msg("text.key", "why", why) }

// EachItem: an item of a list CheckText refuses (why).
func EachItem(why Message) Message { return msg("list.each_item", "why", why) }

// MaxPeople: a list of more than max people.
func MaxPeople(max int) Message { return msg("list.max_people", "max", max) }

// RowsMin: a rows field with fewer rows than its form asks for.
func RowsMin(min int) Message { return msg("rows.min", "min", min) }

// RowsMax: a rows field with more rows than its form allows.
func RowsMax(max int) Message { return msg("rows.max", "max", max) }

// OneOf: a value outside choices, listed "a, b, c".
func OneOf(choices []string) Message { return msg("choice.one_of", "choices", choices) }

// OneOfList: a value outside choices, listed as a Go list "[a b c]"
// (task forms).
func OneOfList(choices []string) Message { return msg("choice.one_of_list", "choices", choices) }

// ListOf: a comma-separated parameter with an item outside choices.
func ListOf(choices []string) Message { return msg("choice.list_of", "choices", choices) }

// SortOneOf: a sort key outside names.
func SortOneOf(names []string) Message { return msg("sort.one_of", "choices", names) }

// NotString: a value that must be a string.
func NotString() Message { return msg("value.string") }

// NotNumber: a value that must be a number.
func NotNumber() Message { return msg("value.number") }

// NotBoolean: a value that must be true or false.
func NotBoolean() Message { return msg("value.boolean") }

// NotDate: a value that must be a date (YYYY-MM-DD).
func NotDate() Message { return msg("value.date") }

// NotTime: a value that must be an RFC 3339 time.
func NotTime() Message { return msg("value.time") }

// NotStringList: a value that must be a list of strings.
func NotStringList() Message { return msg("value.string_list") }

// NotList: a value that must be a list.
func NotList() Message { return msg("value.list") }

// NotObject: a value that must be an object.
func NotObject() Message { return msg("value.object") }

// MustBeEmpty: a value that must not be given.
func MustBeEmpty() Message { return msg("value.empty") }

// MustBe: a value that must be exactly v.
func MustBe(v string) Message { return msg("value.must_be", "value", v) }

// IntRange: a parameter that is not an integer from min to max.
func IntRange(min, max int) Message { return msg("number.range", "min", min, "max", max) }

// Negative: a number below zero.
func Negative() Message { return msg("number.negative") }

// NumberMax: a number above max.
func NumberMax(max float64) Message { return msg("number.max", "max", max) }

// NumberAbove: the low end of a range above its high end, the parameter
// or field other.
func NumberAbove(other string) Message { return msg("number.above", "other", other) }

// NotAUser: a username nobody has.
func NotAUser() Message { return msg("user.unknown") }

// NotActiveUser: a username of nobody active.
func NotActiveUser() Message { return msg("user.inactive") }

// SomeoneElse: the caller named themselves.
func SomeoneElse() Message { return msg("user.someone_else") }

// NotAUsername: a value too long for a username.
func NotAUsername() Message { return msg("user.username") }

// UsernameForm: a new account's username outside plain ASCII
// [a-z][a-z0-9._-]{1,39} — a Cyrillic "а" or a zero-width space would
// make an account that reads as another's.
func UsernameForm() Message { return msg("user.username_form") }

// BadQuery is the message of an error about query parameters.
func BadQuery() Message { return msg("query.invalid") }

// BadCursor: the message of an error about a page cursor.
func BadCursor() Message { return msg("cursor.bad") }

// NotACursor: a page cursor this server did not issue.
func NotACursor() Message { return msg("cursor.invalid") }

// BadSort: the message of an error about a sort.
func BadSort() Message { return msg("sort.bad") }

// BadScope: the message of an error about an inbox scope.
func BadScope() Message { return msg("scope.bad") }

// Request bodies.

// BodyTooLarge: a body over limit bytes.
func BodyTooLarge(limit int64) Message { return msg("body.too_large", "limit", limit) }

// BodyUnreadable: a body that cannot be read.
func BodyUnreadable() Message { return msg("body.unreadable") }

// BodyTrailing: a body with data after its JSON value.
func BodyTrailing() Message { return msg("body.trailing") }

// BodyNotObject: a body that is not a JSON object.
func BodyNotObject() Message { return msg("body.not_object") }

// BodyInvalid: a body that is not JSON.
func BodyInvalid() Message { return msg("body.invalid") }

// BodyUTF8: a request body that is not valid UTF-8 (encoding/json would
// quietly turn its bad bytes into U+FFFD).
func BodyUTF8() Message { return msg("body.utf8") }

// BodyTooDeep: a request body whose arrays and objects nest deeper than max.
func BodyTooDeep(max int) Message { return msg("body.too_deep", "max", max) }

// DuplicateKey: a key given twice in one JSON object of a request body
// (encoding/json would keep the last, where a proxy may read the first).
func DuplicateKey() Message { return msg("body.duplicate") }

// BodySyntax: a JSON syntax error at byte offset.
func BodySyntax(offset int64) Message { return msg("body.syntax", "offset", offset) }

// Objects.

// NotFound: what (e.g. "user cs.agent") is missing or hidden.
func NotFound(what string) Message { return msg("not_found", "what", what) }

// ObjectNotFound: an object of a type is missing, or not the caller's to see.
func ObjectNotFound(typ, id string) Message { return NotFound(typ + " " + id) }

// BadObjectRef: s is not TYPE:ID of an object with access decisions.
func BadObjectRef(s string) Message { return msg("object.ref", "value", strconv.Quote(s)) }

// UnknownKind: no process kind of that name.
func UnknownKind(kind string) Message { return msg("kind.unknown", "kind", strconv.Quote(kind)) }

// IdempotencyReused: an Idempotency-Key sent again with another request.
func IdempotencyReused(key string) Message {
	return msg("idempotency.reused", "key", strconv.Quote(key))
}

// IdempotencyPending: an Idempotency-Key sent again while its first call
// is still running.
func IdempotencyPending(key string) Message {
	return msg("idempotency.pending", "key", strconv.Quote(key))
}

// RolesDoNotPermit: no role of the caller permits action on object.
func RolesDoNotPermit(action, object string) Message {
	return msg("roles.not_permitted", "action", action, "object", object)
}

// Processes.

// StartDenied: the caller may not start a process of kind.
func StartDenied(kind string) Message { return msg("process.start_denied", "kind", kind) }

// NotRunning: the process has ended.
func NotRunning() Message { return msg("process.not_running") }

// Ending: the process's end is being recorded.
func Ending() Message { return msg("process.ending") }

// SayWhy: a cancellation or level change without a reason.
func SayWhy() Message { return msg("process.say_why") }

// Barred: user is the subject of the process, kept off every step.
func Barred(user string) Message { return msg("process.barred", "user", user) }

// CannotStartApproval is the message of an approval's bad start.
func CannotStartApproval() Message { return msg("approval.cannot_start") }

// AboveClearance: a level above the caller's clearance.
func AboveClearance() Message { return msg("level.above_clearance") }

// CannotChangeLevel is the message of a bad level change.
func CannotChangeLevel() Message { return msg("level.cannot_change") }

// LevelChanging: another level change is being recorded.
func LevelChanging() Message { return msg("level.changing") }

// HistoryFull: the process's workflow history is near Temporal's limit, so
// it takes no more reassignments, delegations or level changes (which
// could go on without end); completing and cancelling still work.
func HistoryFull() Message { return msg("history.full") }

// UnknownLevel: the message of an error about a level that is none of the five.
func UnknownLevel() Message { return msg("level.unknown") }

// NotALevel: a level that is none of the five.
func NotALevel() Message { return msg("level.not_a_level") }

// LevelUnchanged: the message of a level change to the level the process has.
func LevelUnchanged() Message { return msg("level.unchanged") }

// CurrentLevel: the level the process has already.
func CurrentLevel() Message { return msg("level.current") }

// LowerLeadership: only the GM's office lowers a level (解密).
func LowerLeadership() Message { return msg("level.lower_leadership") }

// DesignationTopSecret: designations are for top-secret objects, and this
// one is at level.
func DesignationTopSecret(level Level) Message {
	return msg("designation.top_secret", "level", level.String())
}

// DesignationAdmin: administrators are never designated.
func DesignationAdmin() Message { return msg("designation.admin") }

// Saved views.

// ViewNameTaken: the caller already has a saved view of that name.
func ViewNameTaken(name string) Message { return msg("view.name_taken", "name", strconv.Quote(name)) }

// ViewDepartment: a view shared with a department its owner is not in.
func ViewDepartment() Message { return msg("view.department") }

// ViewProcessShared: a shared view filtering by one process, whose ID
// would reach colleagues who may not read it.
func ViewProcessShared() Message { return msg("view.process_shared") }

// ViewsTooMany: the caller has as many saved views as one may keep.
func ViewsTooMany(max int) Message { return msg("view.too_many", "max", max) }

// Tasks.

// NoTaskInProcess: the process has no task of that ID.
func NoTaskInProcess(task string) Message { return msg("task.not_in_process", "task", task) }

// TaskNotOpen: the task takes no more updates (the workflow says so).
func TaskNotOpen() Message { return msg("task.not_open") }

// ClaimNotOpen: a claim lost to someone else's.
func ClaimNotOpen() Message { return msg("task.claim_not_open") }

// NotClaimedByYou: an unclaim of someone else's task.
func NotClaimedByYou() Message { return msg("task.not_claimed_by_you") }

// ClaimFirst: a completion of an unclaimed task.
func ClaimFirst() Message { return msg("task.claim_first") }

// TaskIs: the task is in state, which does not allow the action.
func TaskIs(state TaskState) Message { return msg("task.state", "state", string(state)) }

// ClosedForComments: the task, in state, takes no new comments.
func ClosedForComments(state TaskState) Message {
	return msg("task.closed_for_comments", "state", string(state))
}

// FinishedNoComments: the task has finished and takes no new comments.
func FinishedNoComments() Message { return msg("task.finished_no_comments") }

// NotYourTask: the caller is not the task's assignee.
func NotYourTask() Message { return msg("task.not_your_task") }

// NotAssignee: user is not the task's assignee.
func NotAssignee(user string) Message { return msg("task.not_assignee", "user", user) }

// MayNotWork: user may not work the task, because of why.
func MayNotWork(user string, why Message) Message {
	return msg("task.may_not_work", "user", user, "why", why)
}

// NotCleared: user's clearance is below level.
func NotCleared(user string, level Level) Message {
	return msg("task.not_cleared", "user", user, "level", level.String())
}

// NotCandidate: user is not (yet) among the task's candidates.
func NotCandidate(user string) Message { return msg("task.not_candidate", "user", user) }

// NotNamedByAuthority: the step's approval authority does not reach user.
func NotNamedByAuthority(user string) Message { return msg("authority.not_named", "user", user) }

// RequesterMayNotApprove: separation of duties: user requested this and may not approve it.
func RequesterMayNotApprove(user string) Message { return msg("sod.requester", "user", user) }

// ApprovedOtherStep: separation of duties: user approved another step of the process.
func ApprovedOtherStep(user string) Message { return msg("sod.approved_other", "user", user) }

// Excluded: separation of duties: user may not work the task.
func Excluded(user string) Message { return msg("sod.excluded", "user", user) }

// FormIncomplete: a completion the form refuses.
func FormIncomplete() Message { return msg("form.incomplete") }

// FormRule: a completion a rule of the step refuses.
func FormRule() Message { return msg("form.rule") }

// FormMisfit: step data that does not decode into the step's form.
func FormMisfit() Message { return msg("form.misfit") }

// BehalfOnly: on_behalf_of given by someone who is not a delegate.
func BehalfOnly() Message { return msg("delegate.behalf_only") }

// BehalfOwner: a delegate acting on behalf of someone other than the owner.
func BehalfOwner() Message { return msg("delegate.behalf_owner") }

// DelegateUnclaimed: only a claimed task is delegated.
func DelegateUnclaimed() Message { return msg("delegate.unclaimed") }

// DelegateNotAssignee: only the assignee delegates.
func DelegateNotAssignee() Message { return msg("delegate.not_assignee") }

// AssignWho: an assignment to nobody.
func AssignWho() Message { return msg("assign.who") }

// AssignSelf: an assignment to oneself.
func AssignSelf() Message { return msg("assign.self") }

// AssignUnknown: the message of an assignment of an unknown kind.
func AssignUnknown() Message { return msg("assign.unknown") }

// AssignKind: an assignment kind that is neither delegate nor reassign.
func AssignKind() Message { return msg("assign.kind") }

// MayNotAssign: user may not assign the task, because of why.
func MayNotAssign(user string, why Message) Message {
	return msg("assign.may_not", "user", user, "why", why)
}

// RequesterMayNotReassign: the requester does not reassign their
// process's steps.
func RequesterMayNotReassign(user string) Message { return msg("reassign.requester", "user", user) }

// ReassignAuthority: a reassignment to someone the authority does not
// reach (why).
func ReassignAuthority(why Message) Message { return msg("reassign.authority", "why", why) }

// ReassignManagers: only the department's managers reassign.
func ReassignManagers() Message { return msg("reassign.managers") }

// CommentParticipants: only participants and compliance comment.
func CommentParticipants() Message { return msg("comment.participants") }

// Complaints.

// CannotRegisterComplaint is the message of a complaint's bad start.
func CannotRegisterComplaint() Message { return msg("complaint.cannot_register") }

// LevelAtLeast: the complaint's category needs at least level.
func LevelAtLeast(level Level) Message { return msg("complaint.level_min", "level", level.String()) }

// AccusedSelf: a complaint about the one who registers it.
func AccusedSelf() Message { return msg("complaint.accused_self") }

// AccusedMisconduct: an accused named on a complaint that is not about misconduct.
func AccusedMisconduct() Message { return msg("complaint.accused_misconduct") }

// WitnessLength: a witness that is empty or over 100 characters.
func WitnessLength() Message { return msg("complaint.witness") }

// QualityDepartment: a product-quality complaint sent elsewhere than Quality.
func QualityDepartment() Message { return msg("complaint.quality_department") }

// JointDeadline: joint handling without a deadline.
func JointDeadline() Message { return msg("complaint.joint_deadline") }

// CompensationAmount: compensation without an amount above zero.
func CompensationAmount() Message { return msg("complaint.compensation_amount") }

// AmountWithoutRemedy: an amount without a compensation remedy.
func AmountWithoutRemedy() Message { return msg("complaint.amount_no_remedy") }

// ReplyNote is the note on the reply step (stored in its context as text).
func ReplyNote() Message { return msg("complaint.reply_note") }

// The audit trail.

// AuditUnlinked: an audit entry that does not link to the one before it.
func AuditUnlinked() Message { return msg("audit.unlinked") }

// AuditAltered: an audit entry whose content does not match its hash.
func AuditAltered() Message { return msg("audit.altered") }

// Access decisions.

// ReasonBarred: the process is about the reader (rule 0).
func ReasonBarred() Message { return msg("decide.barred") }

// ReasonDesignated: designated by the GM or a deputy GM (rule 2).
func ReasonDesignated() Message { return msg("decide.designated") }

// ReasonTopSecret: top secret admits nobody else (rule 3).
func ReasonTopSecret() Message { return msg("decide.top_secret") }

// ReasonStarted: started the process.
func ReasonStarted() Message { return msg("decide.started") }

// ReasonNamed: named on a task of the process.
func ReasonNamed() Message { return msg("decide.named") }

// ReasonNamedReader: one of the process's named readers
// (ObjectFacts.Members).
func ReasonNamedReader() Message { return msg("decide.named_reader") }

// ReasonOnlyTasks: only tasks are completed.
func ReasonOnlyTasks() Message { return msg("decide.only_tasks") }

// ReasonExcluded: excluded from the task (separation of duties).
func ReasonExcluded() Message { return msg("decide.excluded") }

// ReasonAssignee: the task's assignee.
func ReasonAssignee() Message { return msg("decide.assignee") }

// ReasonNotCandidate: neither a candidate nor the assignee or the delegate.
func ReasonNotCandidate() Message { return msg("decide.not_candidate") }

// ReasonDisabled: the account is disabled.
func ReasonDisabled() Message { return msg("decide.disabled") }

// ReasonLeadership: holding role in department, a GM or deputy GM.
func ReasonLeadership(role Role, dept Department) Message {
	return msg("decide.leadership", "role", string(role), "department", string(dept))
}

// ReasonBelowLevel: the clearance does not reach the level.
func ReasonBelowLevel(clearance, level Level) Message {
	return msg("decide.below_level", "clearance", clearance.String(), "level", level.String())
}

// ReasonClearance: the clearance reaches the level.
func ReasonClearance(clearance, level Level) Message {
	return msg("decide.clearance", "clearance", clearance.String(), "level", level.String())
}

// ReasonNeedToKnow: a participant (why) has the need to know.
func ReasonNeedToKnow(why Message) Message { return msg("decide.need_to_know", "why", why) }

// ReasonCandidateRole: holding a candidate role of the process.
func ReasonCandidateRole(role Role, dept Department) Message {
	return msg("decide.candidate_role", "role", string(role), "department", string(dept))
}

// ReasonPolicy: the policy line that allowed it.
func ReasonPolicy(line string) Message { return msg("decide.policy", "policy", line) }

// ReasonNoReadRole: no role of user permits reading dept's processes.
func ReasonNoReadRole(user string, dept Department) Message {
	return msg("decide.no_read_role", "user", user, "department", string(dept))
}

// ReasonMember: a member of dept whose role (policy line) permits reading.
func ReasonMember(dept Department, line string) Message {
	return msg("decide.member", "department", string(dept), "policy", line)
}

// ReasonSecret: a secret object is for participants and dept's readers.
func ReasonSecret(dept Department) Message { return msg("decide.secret", "department", string(dept)) }

// ReasonConfidentialRole: a role the policy (line) names for confidential
// matters.
// ReasonCopyMember: a member of one of the departments a confined
// process admits (a return slip's copies) whose role permits reading.
func ReasonCopyMember(dept Department, line string) Message {
	return msg("decide.copy_member", "department", string(dept), "policy", line)
}

// ReasonCopyConfidential: a confidential confined process, read by a role
// the policy names for confidential matters in a department it admits.
func ReasonCopyConfidential(dept Department, line string) Message {
	return msg("decide.copy_confidential", "department", string(dept), "policy", line)
}

// ReasonCopiesOnly: a confined process admits only its departments.
func ReasonCopiesOnly(depts []Department, user string) Message {
	names := make([]string, len(depts))
	for i, d := range depts {
		names[i] = string(d)
	}
	return msg("decide.copies_only", "departments", names, "user", user)
}

func ReasonConfidentialRole(line string) Message {
	return msg("decide.confidential_role", "policy", line)
}

// ReasonConfidential: a confidential object is for the roles the policy
// names for object in dept.
func ReasonConfidential(object string, dept Department) Message {
	return msg("decide.confidential", "object", object, "department", string(dept))
}

// ReasonUnreadable: no action on what they may not read.
func ReasonUnreadable(action string) Message { return msg("decide.unreadable", "action", action) }

// ReasonNoRole: no role of user permits action on dept's processes.
func ReasonNoRole(user, action string, dept Department) Message {
	return msg("decide.no_role", "user", user, "action", action, "department", string(dept))
}

// ReasonSubstitute: the substitute of an absent user (out of office).
func ReasonSubstitute(user string) Message { return msg("decide.substitute", "user", user) }

// SubstitutionCycle: a window whose substitute is away with the absent
// user as their own substitute at the same time.
func SubstitutionCycle(substitute, absent string) Message {
	return msg("substitute.cycle", "substitute", substitute, "absent", absent)
}

// SubstitutionOverlap: a window overlapping one of the same absent user.
func SubstitutionOverlap(absent string) Message { return msg("substitute.overlap", "absent", absent) }

// SubstituteSelf: a substitute who is the absent user.
func SubstituteSelf() Message { return msg("substitute.self") }

// SubstituteInactive: a substitute who is unknown or disabled.
func SubstituteInactive() Message { return msg("substitute.inactive") }

// SubstituteAfter: a window ending before it starts.
func SubstituteAfter() Message { return msg("substitute.after") }

// SubstitutePast: a window that is already over.
func SubstitutePast() Message { return msg("substitute.past") }

// SubstituteScope: an unknown department or process kind in the scope.
func SubstituteScope(what, value string) Message {
	return msg("substitute.scope", "what", what, "value", strconv.Quote(value))
}

// SubstituteHead: someone else's substitute set by someone other than
// their department head.
func SubstituteHead(absent string) Message { return msg("substitute.head", "absent", absent) }

// ReasonDelegate: the delegate of user.
func ReasonDelegate(user string) Message { return msg("decide.delegate", "user", user) }

// ReasonCandidate: a candidate (as the candidate is written).
func ReasonCandidate(c string) Message { return msg("decide.candidate", "candidate", c) }

// ReasonUnknownAction: an action the rules do not know.
func ReasonUnknownAction(action string) Message {
	return msg("decide.unknown_action", "action", action)
}
