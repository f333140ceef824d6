package web

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// The catalogue: every label of the web inbox in Chinese (the default)
// and English, under the same keys (a test checks both have every key and
// that the templates use no other). Vocabulary families ("step.triage",
// "outcome.approve", …) label values that come from the API; a value
// missing from its family is shown as sent.
var catalog = map[string]map[string]string{
	"zh": {
		"app.name":    "制度 zhidu",
		"app.tagline": "公司制度 · 流程与任务",
		"lang.switch": "English", "lang.other_code": "en",

		"nav.skip": "跳到正文", "nav.label": "主导航", "nav.inbox": "收件箱", "nav.start": "发起流程", "nav.processes": "流程",
		"nav.compliance": "合规", "nav.signout": "退出",

		"common.all": "全部", "common.yes": "是", "common.no": "否", "common.next_page": "下一页 →", "common.cancel": "取消",

		"signin.title": "登录", "signin.username": "用户名", "signin.password": "密码", "signin.submit": "登录",
		"signin.with_token": "使用 API 令牌登录", "signin.token": "API 令牌（Bearer token）", "signin.submit_token": "用令牌登录",
		"signin.wrong_password": "用户名或密码错误。", "signin.wrong_token": "令牌无效或已被吊销。",
		"signin.throttled": "登录尝试过于频繁，请稍后再试。", "signin.locked": "多次登录失败，账户已被暂时锁定，请稍后再试或联系系统管理员。",
		"signin.locked_admin": "多次登录失败，账户已被锁定，请联系系统管理员解锁。",
		"signin.demo_title":   "演示用户（仅限 zhidu dev）",
		"signin.demo_hint":    "点击一位演示用户即可登录；演示用户的密码均为 zhidu-demo，仅供演示。",

		"inbox.title": "我的收件箱", "inbox.start_new": "发起流程", "inbox.tabs": "收件箱分类",
		"inbox.tab.mine": "我的任务", "inbox.tab.claimable": "可认领", "inbox.tab.overdue": "已逾期", "inbox.tab.completed": "我已完成",
		"inbox.empty.mine": "您名下暂无任务。可以到「可认领」中认领任务。", "inbox.empty.claimable": "暂无可认领的任务。",
		"inbox.empty.overdue": "没有逾期任务。", "inbox.empty.completed": "您还没有完成过任务。",
		"inbox.filters": "筛选与排序", "inbox.filter.q": "搜索（标题或流程编号）", "inbox.filter.kind": "流程类型",
		"inbox.filter.department": "部门", "inbox.filter.priority": "优先级", "inbox.filter.due_after": "截止日期自",
		"inbox.filter.due_before": "截止日期至", "inbox.filter.sort": "排序", "inbox.filter.apply": "应用", "inbox.filter.reset": "清除",
		"inbox.showing": "显示 %d 条，共 %d 条",

		"task.level": "密级", "task.title": "任务", "task.department": "部门", "task.state": "状态", "task.priority": "优先级",
		"task.due": "截止", "task.created": "创建时间", "task.by_me": "由我处理", "task.overdue": "逾期",
		"task.assignee": "处理人", "task.delegate": "委托给", "task.claim": "认领", "task.unclaim": "放弃认领",
		"task.context": "前序信息", "task.result": "处理结果", "task.form": "办理", "task.completed_by": "完成人",
		"task.comment": "说明", "task.comment_optional": "说明（可选）",
		"task.claim_first": "请先认领此任务，然后填写并提交。", "task.not_yours": "此任务目前由他人处理，您只能查看。",
		"task.delegate_title": "委托他人办理", "task.delegate_hint": "委托后您仍对此任务负责；受托人以您的名义完成，双方都会被记录。",
		"task.delegate_to": "受托人（用户名）", "task.delegate_note": "委托说明",
		"task.comments": "评论", "task.no_comments": "暂无评论。", "task.add_comment": "添加评论", "task.post_comment": "发表评论", "task.comment_compliance": "营管办（合规）",
		"task.process": "所属流程", "task.summary": "流程摘要",

		"process.title": "标题", "process.started_by": "发起人", "process.started_at": "发起时间", "process.ended_at": "结束时间",
		"process.timeline": "时间线", "process.open_tasks": "待办任务", "process.no_open_tasks": "没有待办任务。",
		"process.done_tasks": "已结束的任务",
		"processes.title":    "流程", "processes.state": "状态", "processes.empty": "没有符合条件的流程。",

		"start.title": "发起流程", "start.lead": "选择要发起的流程。是否有权发起由系统在提交时判断。",
		"start.open_form":         "填写申请",
		"start.registered_hidden": "已登记。该投诉的密级高于您的密级，因此您已无法查看。",

		"form.required": "必填", "form.required_for": "选择「%s」时必填", "form.one_per_line": "每行一项", "form.choose": "— 请选择 —",

		"timeline.empty": "暂无记录。", "timeline.on_behalf_of": "代 %s", "timeline.system": "系统",

		"watermark.banner": "绝密 · 仅限授权人员查看 · 禁止摘抄或复制", "watermark.viewer": "查看人：%s",

		"compliance.title": "合规", "compliance.no_object": "未找到该对象，或其密级高于您的密级。",
		"explain.title": "决策解释", "explain.lead": "某位用户能否对某个对象执行某项操作，以及原因。",
		"explain.user": "用户名", "explain.action": "操作", "explain.object": "对象（类型:编号）", "explain.submit": "解释",
		"explain.allowed": "允许", "explain.denied": "拒绝", "explain.reasons": "理由",
		"whocan.title": "谁能查看", "whocan.lead": "列出所有可以对该对象执行此操作的在职用户及理由。", "whocan.submit": "查询",
		"whocan.result": "%d 位用户", "whocan.user": "用户",
		"audit.title": "审计记录", "audit.user": "用户", "audit.object": "对象", "audit.action": "操作", "audit.decision": "决定",
		"audit.since": "日期自", "audit.until": "日期至", "audit.at": "时间", "audit.address": "地址", "audit.detail": "详情",
		"audit.showing": "本页 %d 条", "audit.empty": "没有符合条件的审计记录。",
		"audit.withheld": "详情不予显示", "audit.withheld_why": "您无权阅读该对象（按其当前密级），只显示此记录存在。",
		"verify.title": "链校验", "verify.ok": "审计链完整", "verify.broken": "审计链已损坏", "verify.entries": "记录条数",
		"verify.head": "链头哈希", "verify.broken_at": "首个异常记录", "verify.problem": "问题",
		"verify.hint": "请将链头哈希另行保存，以便日后证明审计记录未被改动。",

		"flash.claim": "已认领。", "flash.unclaim": "已放弃认领。", "flash.complete": "已提交。", "flash.delegate": "已委托。",
		"flash.comment": "评论已发表。", "flash.started": "流程已发起。",
		"flash.reset_confirmed": "已确认，您的新密码已生效。", "flash.reset_rejected": "已拒绝该重置请求。", "flash.reset_approved": "已批准。",
		"reset.title": "待确认的凭据重置", "reset.asked_token": "%s 请求重置 %s 的 API 令牌。", "reset.asked_password": "%s 请求重置 %s 的登录密码。",
		"reset.expires": "有效期至 %s。", "reset.own_password": "您的新密码", "reset.confirm": "确认", "reset.approve": "批准", "reset.reject": "拒绝",
		"reset.new_title": "新凭据", "reset.new_token": "%s 的新 API 令牌：", "reset.new_password": "%s 的一次性密码（请当面交给本人）：",
		"reset.shown_once": "只显示这一次，请立即妥善保存；旧凭据已失效。",

		"error.status.400": "请求无效", "error.status.401": "请先登录", "error.status.403": "无权操作", "error.status.404": "未找到",
		"error.status.409": "状态冲突", "error.status.413": "内容过长", "error.status.500": "系统错误", "error.status.503": "服务暂不可用",
		"error.not_found": "该对象不存在，或您无权查看。", "error.csrf": "表单已失效或不完整（缺少防伪令牌）。未作任何更改，请返回重试。",
		"error.session_expired": "登录已过期，请重新登录。未作任何更改。", "error.internal": "系统出现内部错误，请稍后再试。",
		"error.unavailable": "系统依赖的服务暂时不可用，请稍后再试。", "error.fields": "请更正标出的字段。", "error.back": "返回收件箱",
		"error.generic_field": "此项无效",

		"level.public": "公开", "level.internal": "内部", "level.secret": "秘密", "level.confidential": "机密", "level.top_secret": "绝密",

		"state.open": "待认领", "state.claimed": "处理中", "state.completed": "已完成", "state.cancelled": "已取消",
		"state.running": "进行中", "state.failed": "失败",

		"outcome.approve": "同意", "outcome.reject": "驳回", "outcome.valid": "有效投诉", "outcome.invalid": "无效投诉",
		"outcome.submit": "提交调查报告", "outcome.send_back": "退回补充", "outcome.done": "完成", "outcome.sent": "已答复",
		"outcome.uphold": "维持", "outcome.reopen": "重新调查", "outcome.approved": "已批准", "outcome.rejected": "已驳回",
		"outcome.cancelled": "已取消", "outcome.resolved": "已解决",

		"action.task_created": "创建任务", "action.task_claimed": "认领", "action.task_unclaimed": "放弃认领",
		"action.task_commented": "评论", "action.task_completed": "完成", "action.task_delegated": "委托",
		"action.task_reassigned": "改派", "action.task_reminded": "提醒", "action.task_escalated": "升级",
		"action.process_completed": "流程结束", "action.process_cancelled": "流程取消", "action.process_failed": "流程失败",
		"action.process_level_changed": "密级变更", "action.process_shared": "分送部门", "action.voucher_issued": "开具传票", "action.child_started": "发起子流程", "action.child_finished": "子流程结束",

		"act.read": "查看", "act.write": "修改", "act.complete": "办理", "act.cancel": "取消",
		"decision.allowed": "允许", "decision.denied": "拒绝",

		"priority.1": "低", "priority.2": "普通", "priority.3": "高", "priority.4": "紧急",
		"sort.-created_at": "最新创建", "sort.created_at": "最早创建", "sort.due_at": "截止最早", "sort.-due_at": "截止最晚",
		"sort.-priority": "优先级最高",

		"role.staff": "职员", "role.supervisor": "主管", "role.dept_head": "部门经理", "role.vp": "分管副总", "role.deputy_gm": "副总经理",
		"role.gm": "总经理", "role.compliance": "营管办", "role.sysadmin": "系统管理员", "role.secadmin": "安全保密管理员", "role.secaudit": "安全审计员",

		"dept.cs": "客服部", "dept.sales": "销售部", "dept.mkt": "营销事业部", "dept.quality": "质量部", "dept.rnd": "研发部",
		"dept.wh": "仓储部", "dept.fin": "财务部", "dept.pur": "采购部", "dept.hr": "行政人事部", "dept.bmo": "营管办", "dept.gmo": "总经理办公室",

		"field.title": "标题", "field.subject": "投诉主题", "field.complainant": "投诉人", "field.name": "姓名", "field.contact": "联系方式",
		"field.channel": "受理渠道", "field.category": "投诉类别", "field.content": "投诉内容", "field.details": "详细说明",
		"field.product": "产品", "field.batch": "批号", "field.course_of_events": "事情经过", "field.witnesses": "证人",
		"field.evidence": "证据", "field.signature": "投诉人签名", "field.accused": "被投诉员工", "field.intake": "投诉登记", "field.round": "调查轮次",
		"field.sent_back": "退回意见", "field.remedy": "处理方案", "field.compensation_amount": "赔偿金额（元）",
		"field.threshold": "总经理批示门槛（元）", "field.invalid": "无效投诉", "field.invalid_reason": "无效原因", "field.note": "注意",
		"field.level": "密级", "field.body": "内容", "field.comment": "说明", "field.to": "给", "field.from": "从", "field.rung": "升级级别",
		"field.reason": "原因", "field.departments": "部门", "field.voucher": "传票号",

		"detail.method": "方式", "detail.kind": "类型", "detail.level": "密级", "detail.outcome": "结果", "detail.on_behalf_of": "代表",
		"detail.process": "流程", "detail.reasons": "理由", "detail.reason": "原因", "detail.from": "从", "detail.to": "给",
		"detail.owner": "原处理人", "detail.comment": "评论", "detail.user": "用户", "detail.designation": "指定",
		"method.password": "密码", "method.token": "令牌", "method.demo": "演示一键登录",

		"value.product_quality": "产品质量", "value.service_quality": "服务质量", "value.misconduct": "人员违纪", "value.fees": "收费",
		"value.other": "其他", "value.phone": "电话", "value.letter": "信函", "value.web": "网站", "value.visit": "来访",
		"value.return": "退货", "value.reprocess": "重新加工", "value.replace": "换货", "value.compensate": "赔偿", "value.apologise": "道歉",
		"value.discipline": "纪律处分", "value.improvement": "改善措施", "value.none": "无需处理",
		"value.very_satisfied": "非常满意", "value.satisfied": "满意", "value.neutral": "一般", "value.dissatisfied": "不满意",
		"value.very_dissatisfied": "非常不满意",
	},
	"en": {
		"app.name":    "zhidu",
		"app.tagline": "company rules · processes and tasks",
		"lang.switch": "中文", "lang.other_code": "zh",

		"nav.skip": "Skip to content", "nav.label": "Main navigation", "nav.inbox": "Inbox", "nav.start": "Start", "nav.processes": "Processes",
		"nav.compliance": "Compliance", "nav.signout": "Sign out",

		"common.all": "All", "common.yes": "Yes", "common.no": "No", "common.next_page": "Next page →", "common.cancel": "Cancel",

		"signin.title": "Sign in", "signin.username": "Username", "signin.password": "Password", "signin.submit": "Sign in",
		"signin.with_token": "Sign in with an API token", "signin.token": "API token (bearer token)", "signin.submit_token": "Sign in with token",
		"signin.wrong_password": "Wrong username or password.", "signin.wrong_token": "The token is unknown or revoked.",
		"signin.throttled": "Too many sign-in attempts: try again later.", "signin.locked": "Too many failed sign-ins: the account is locked for a while. Try again later or ask the system administrator.",
		"signin.locked_admin": "Too many failed sign-ins: the account is locked until the system administrator unlocks it.",
		"signin.demo_title":   "Demo users (zhidu dev only)",
		"signin.demo_hint":    "Click a demo user to sign in. Every demo user's password is zhidu-demo — for the demo only.",

		"inbox.title": "My inbox", "inbox.start_new": "Start a process", "inbox.tabs": "Inbox views",
		"inbox.tab.mine": "Mine", "inbox.tab.claimable": "Claimable", "inbox.tab.overdue": "Overdue", "inbox.tab.completed": "Completed by me",
		"inbox.empty.mine": "No tasks are assigned to you. Claim one under Claimable.", "inbox.empty.claimable": "Nothing to claim.",
		"inbox.empty.overdue": "Nothing is overdue.", "inbox.empty.completed": "You have not completed any task yet.",
		"inbox.filters": "Filter and sort", "inbox.filter.q": "Search (title or process ID)", "inbox.filter.kind": "Process kind",
		"inbox.filter.department": "Department", "inbox.filter.priority": "Priority", "inbox.filter.due_after": "Due from",
		"inbox.filter.due_before": "Due until", "inbox.filter.sort": "Sort", "inbox.filter.apply": "Apply", "inbox.filter.reset": "Clear",
		"inbox.showing": "Showing %d of %d",

		"task.level": "Level", "task.title": "Task", "task.department": "Department", "task.state": "State", "task.priority": "Priority",
		"task.due": "Due", "task.created": "Created", "task.by_me": "by me", "task.overdue": "Overdue",
		"task.assignee": "Assignee", "task.delegate": "Delegated to", "task.claim": "Claim", "task.unclaim": "Unclaim",
		"task.context": "Earlier steps", "task.result": "Result", "task.form": "Work on it", "task.completed_by": "Completed by",
		"task.comment": "Note", "task.comment_optional": "Note (optional)",
		"task.claim_first": "Claim this task first, then fill it in and submit.", "task.not_yours": "Someone else is working on this task; you can only look.",
		"task.delegate_title": "Delegate", "task.delegate_hint": "You stay accountable; the delegate completes on your behalf, and both are recorded.",
		"task.delegate_to": "Delegate to (username)", "task.delegate_note": "Note",
		"task.comments": "Comments", "task.no_comments": "No comments yet.", "task.add_comment": "Add a comment", "task.post_comment": "Post comment", "task.comment_compliance": "as compliance",
		"task.process": "Process", "task.summary": "Process summary",

		"process.title": "Title", "process.started_by": "Started by", "process.started_at": "Started", "process.ended_at": "Ended",
		"process.timeline": "Timeline", "process.open_tasks": "Open tasks", "process.no_open_tasks": "No open tasks.",
		"process.done_tasks": "Finished tasks",
		"processes.title":    "Processes", "processes.state": "State", "processes.empty": "No processes match.",

		"start.title": "Start a process", "start.lead": "Choose what to start. Whether you may is decided when you submit.",
		"start.open_form":         "Open the form",
		"start.registered_hidden": "Registered. The complaint's level is above your clearance, so it is no longer visible to you.",

		"form.required": "required", "form.required_for": "Required for “%s”", "form.one_per_line": "One per line", "form.choose": "— choose —",

		"timeline.empty": "Nothing yet.", "timeline.on_behalf_of": "on behalf of %s", "timeline.system": "system",

		"watermark.banner": "TOP SECRET · authorised persons only · no excerpts or copies", "watermark.viewer": "viewed by %s",

		"compliance.title": "Compliance", "compliance.no_object": "No such object, or its level is above your clearance.",
		"explain.title": "Explain a decision", "explain.lead": "Whether a user may take an action on an object, and why.",
		"explain.user": "Username", "explain.action": "Action", "explain.object": "Object (TYPE:ID)", "explain.submit": "Explain",
		"explain.allowed": "Allowed", "explain.denied": "Denied", "explain.reasons": "Reasons",
		"whocan.title": "Who can read", "whocan.lead": "Every active user who may take the action on the object, with the reasons.", "whocan.submit": "Ask",
		"whocan.result": "%d users", "whocan.user": "User",
		"audit.title": "Audit trail", "audit.user": "User", "audit.object": "Object", "audit.action": "Action", "audit.decision": "Decision",
		"audit.since": "From date", "audit.until": "Until date", "audit.at": "Time", "audit.address": "Address", "audit.detail": "Detail",
		"audit.showing": "%d on this page", "audit.empty": "No audit entries match.",
		"audit.withheld": "details withheld", "audit.withheld_why": "You may not read this object (at its current level): only the entry's existence is shown.",
		"verify.title": "Chain verification", "verify.ok": "The audit chain is intact", "verify.broken": "The audit chain is broken", "verify.entries": "Entries",
		"verify.head": "Head hash", "verify.broken_at": "First bad entry", "verify.problem": "Problem",
		"verify.hint": "Note the head hash elsewhere: it proves later that the trail was not rewritten.",

		"flash.claim": "Claimed.", "flash.unclaim": "Unclaimed.", "flash.complete": "Submitted.", "flash.delegate": "Delegated.",
		"flash.comment": "Comment posted.", "flash.started": "The process has started.",
		"flash.reset_confirmed": "Confirmed: your new password is in force.", "flash.reset_rejected": "The reset request is rejected.", "flash.reset_approved": "Approved.",
		"reset.title": "Credential resets waiting for you", "reset.asked_token": "%s asks to reset %s's API token.", "reset.asked_password": "%s asks to reset %s's sign-in password.",
		"reset.expires": "Valid until %s.", "reset.own_password": "Your new password", "reset.confirm": "Confirm", "reset.approve": "Approve", "reset.reject": "Reject",
		"reset.new_title": "New credential", "reset.new_token": "The new API token of %s:", "reset.new_password": "A one-time password for %s (hand it over in person):",
		"reset.shown_once": "Shown only this once: keep it safe now. The old credential no longer works.",

		"error.status.400": "Invalid request", "error.status.401": "Please sign in", "error.status.403": "Not allowed", "error.status.404": "Not found",
		"error.status.409": "Conflict", "error.status.413": "Too large", "error.status.500": "Internal error", "error.status.503": "Unavailable",
		"error.not_found": "It does not exist, or you may not see it.", "error.csrf": "The form has expired or is incomplete (no anti-forgery token). Nothing was changed; go back and try again.",
		"error.session_expired": "Your sign-in has expired; please sign in again. Nothing was changed.", "error.internal": "Something went wrong inside zhidu. Please try again later.",
		"error.unavailable": "A service zhidu depends on is unavailable. Please try again later.", "error.fields": "Please correct the marked fields.", "error.back": "Back to the inbox",
		"error.generic_field": "is invalid",

		"level.public": "Public", "level.internal": "Internal", "level.secret": "Secret", "level.confidential": "Confidential", "level.top_secret": "Top secret",

		"state.open": "Open", "state.claimed": "Claimed", "state.completed": "Completed", "state.cancelled": "Cancelled",
		"state.running": "Running", "state.failed": "Failed",

		"outcome.approve": "Approve", "outcome.reject": "Reject", "outcome.valid": "Valid", "outcome.invalid": "Invalid",
		"outcome.submit": "Submit report", "outcome.send_back": "Send back", "outcome.done": "Done", "outcome.sent": "Replied",
		"outcome.uphold": "Uphold", "outcome.reopen": "Reopen", "outcome.approved": "Approved", "outcome.rejected": "Rejected",
		"outcome.cancelled": "Cancelled", "outcome.resolved": "Resolved",

		"action.task_created": "Task created", "action.task_claimed": "Claimed", "action.task_unclaimed": "Unclaimed",
		"action.task_commented": "Commented", "action.task_completed": "Completed", "action.task_delegated": "Delegated",
		"action.task_reassigned": "Reassigned", "action.task_reminded": "Reminder", "action.task_escalated": "Escalated",
		"action.process_completed": "Process finished", "action.process_cancelled": "Process cancelled", "action.process_failed": "Process failed",
		"action.process_level_changed": "Level changed", "action.process_shared": "Shared with departments", "action.voucher_issued": "Voucher issued", "action.child_started": "Child process started", "action.child_finished": "Child process finished",

		"act.read": "read", "act.write": "write", "act.complete": "complete", "act.cancel": "cancel",
		"decision.allowed": "allowed", "decision.denied": "denied",

		"priority.1": "Low", "priority.2": "Normal", "priority.3": "High", "priority.4": "Urgent",
		"sort.-created_at": "Newest first", "sort.created_at": "Oldest first", "sort.due_at": "Due soonest", "sort.-due_at": "Due latest",
		"sort.-priority": "Highest priority",

		"role.staff": "Staff", "role.supervisor": "Supervisor", "role.dept_head": "Department head", "role.vp": "VP", "role.deputy_gm": "Deputy GM",
		"role.gm": "GM", "role.compliance": "Compliance", "role.sysadmin": "System administrator", "role.secadmin": "Security administrator", "role.secaudit": "Security auditor",

		"dept.cs": "Customer Service", "dept.sales": "Sales", "dept.mkt": "Marketing", "dept.quality": "Quality", "dept.rnd": "R&D",
		"dept.wh": "Warehouse", "dept.fin": "Finance", "dept.pur": "Purchasing", "dept.hr": "Admin & HR", "dept.bmo": "Business Mgmt Office", "dept.gmo": "GM's office",

		"field.title": "Title", "field.subject": "Subject", "field.complainant": "Complainant", "field.name": "Name", "field.contact": "Contact",
		"field.channel": "Channel", "field.category": "Category", "field.content": "Content", "field.details": "Details",
		"field.product": "Product", "field.batch": "Batch", "field.course_of_events": "Course of events", "field.witnesses": "Witnesses",
		"field.evidence": "Evidence", "field.signature": "Signature", "field.accused": "Employee complained about", "field.intake": "Register entry", "field.round": "Round",
		"field.sent_back": "Sent back with", "field.remedy": "Remedy", "field.compensation_amount": "Compensation (CNY)",
		"field.threshold": "GM approval above (CNY)", "field.invalid": "Invalid complaint", "field.invalid_reason": "Why invalid", "field.note": "Note",
		"field.level": "Level", "field.body": "Text", "field.comment": "Note", "field.to": "To", "field.from": "From", "field.rung": "Rung",
		"field.reason": "Reason", "field.departments": "Departments", "field.voucher": "Voucher",

		"detail.method": "method", "detail.kind": "kind", "detail.level": "level", "detail.outcome": "outcome", "detail.on_behalf_of": "on behalf of",
		"detail.process": "process", "detail.reasons": "reasons", "detail.reason": "reason", "detail.from": "from", "detail.to": "to",
		"detail.owner": "owner", "detail.comment": "comment", "detail.user": "user", "detail.designation": "designation",
		"method.password": "password", "method.token": "token", "method.demo": "demo one-click",

		"value.product_quality": "Product quality", "value.service_quality": "Service quality", "value.misconduct": "Misconduct", "value.fees": "Fees",
		"value.other": "Other", "value.phone": "Phone", "value.letter": "Letter", "value.web": "Web", "value.visit": "Visit",
		"value.return": "Return", "value.reprocess": "Reprocess", "value.replace": "Replace", "value.compensate": "Compensate", "value.apologise": "Apologise",
		"value.discipline": "Discipline", "value.improvement": "Improvement", "value.none": "None",
		"value.very_satisfied": "Very satisfied", "value.satisfied": "Satisfied", "value.neutral": "Neutral", "value.dissatisfied": "Dissatisfied",
		"value.very_dissatisfied": "Very dissatisfied",
	},
}

// translate looks a key up in a language; a missing key shows as itself,
// which the catalogue test keeps from happening.
// The process kinds' labels, step labels and start-page texts are the
// descriptors' (workflows.Descriptors), not the catalogue's.
func init() {
	for _, d := range workflows.Descriptors() {
		add := func(key string, t zhidu.Text) {
			catalog["zh"][key], catalog["en"][key] = t.Zh, t.En
		}
		add("kind."+d.Kind, d.Label)
		add("start.describe."+d.Kind, d.Description)
		add("start.submit."+d.Kind, d.Submit)
		for _, st := range d.Steps {
			add("step."+st.Name, st.Label)
		}
	}
}

func translate(lang, key string, args ...any) string {
	s, ok := catalog[lang][key]
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func hasKey(key string) bool {
	_, ok := catalog["zh"][key]
	return ok
}

// label names a value of a vocabulary family, or shows it as sent.
func label(lang, family, value string) string {
	if s, ok := catalog[lang][family+"."+value]; ok {
		return s
	}
	return value
}

// language picks the page language: the lang cookie, else the browser's
// preference between Chinese and English, else Chinese.
func language(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil {
		if _, ok := catalog[ck.Value]; ok {
			return ck.Value
		}
	}
	best, bestQ := "zh", -1.0
	for i, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		q -= float64(i) * 1e-6 // earlier wins ties
		base := strings.ToLower(tag)
		if b, _, ok := strings.Cut(base, "-"); ok {
			base = b
		}
		if _, ok := catalog[base]; ok && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// message is a server message pattern and its Chinese rendering.
type message struct {
	re *regexp.Regexp
	zh func(m []string) string
}

func lit(s string) func([]string) string { return func([]string) string { return s } }

func levelZh(name string) string { return translate("zh", "level."+name) }

// messages translate the API's messages (field errors from validators and
// workflow rejections) into Chinese. English pages show them as sent.
var messages = []message{
	{regexp.MustCompile(`^is required$`), lit("此项必填")},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), func(m []string) string { return "最多 " + m[1] + " 个字符" }},
	{regexp.MustCompile(`^must be (\d+) to (\d+) characters$`), func(m []string) string { return "须为 " + m[1] + " 至 " + m[2] + " 个字符" }},
	{regexp.MustCompile(`^is too long$`), lit("内容过长")},
	{regexp.MustCompile(`^must be one of .*$`), lit("请从给定选项中选择")},
	{regexp.MustCompile(`^must be a string$`), lit("必须是文本")},
	{regexp.MustCompile(`^must be a number$`), lit("必须是数字")},
	{regexp.MustCompile(`^must not be negative$`), lit("不能为负数")},
	{regexp.MustCompile(`^must be true or false$`), lit("必须是“是”或“否”")},
	{regexp.MustCompile(`^must be a date \(YYYY-MM-DD\)$`), lit("必须是日期（年-月-日）")},
	{regexp.MustCompile(`^must be a list of strings$`), lit("必须是文本列表")},
	{regexp.MustCompile(`^must be a list$`), lit("必须是列表")},
	{regexp.MustCompile(`^must be a comma-separated list of .*$`), lit("请从给定选项中选择")},
	{regexp.MustCompile(`^is not a field of this form$`), lit("不是此表单的字段")},
	{regexp.MustCompile(`^is not a known field$`), lit("不是已知字段")},
	{regexp.MustCompile(`^is above your clearance$`), lit("高于您的密级")},
	{regexp.MustCompile(`^must be at least (\w+) for this category$`), func(m []string) string { return "此类别至少为" + levelZh(m[1]) }},
	{regexp.MustCompile(`^is not an active user$`), lit("不是在职用户")},
	{regexp.MustCompile(`^is not a user$`), lit("没有这个用户")},
	{regexp.MustCompile(`^must be someone else$`), lit("不能是您自己")},
	{regexp.MustCompile(`^must list at most (\d+) people$`), func(m []string) string { return "最多 " + m[1] + " 人" }},
	{regexp.MustCompile(`^each witness must be 1 to 100 characters$`), lit("每位证人须为 1 至 100 个字符")},
	{regexp.MustCompile(`^product quality complaints go to quality`), lit("产品质量投诉的责任部门必须是质量部")},
	{regexp.MustCompile(`^joint handling needs a deadline`), lit("联合处理须填写处理时效")},
	{regexp.MustCompile(`^must be an RFC 3339 time.*$|^must be a time.*$`), lit("必须是有效的日期时间")},
	{regexp.MustCompile(`^must be an integer.*$|^must be between.*$`), lit("必须是有效的整数")},
	{regexp.MustCompile(`^is not a cursor this server issued$`), lit("分页标记无效")},
	{regexp.MustCompile(`^claim the task before completing it$`), lit("请先认领任务，再提交。")},
	{regexp.MustCompile(`^the task is (\w+)$`), func(m []string) string { return "任务当前状态为「" + translate("zh", "state."+m[1]) + "」。" }},
	{regexp.MustCompile(`^(the )?task is not open$`), lit("任务已不是待认领状态（可能已被他人认领）。")},
	{regexp.MustCompile(`^task is not claimed by you$`), lit("该任务不是由您认领的。")},
	{regexp.MustCompile(`^only a claimed task can be delegated$`), lit("只有已认领的任务才能委托。")},
	{regexp.MustCompile(`^only the assignee may delegate this task$`), lit("只有处理人才能委托此任务。")},
	{regexp.MustCompile(`^you are not the assignee of this task$`), lit("您不是此任务的处理人。")},
	{regexp.MustCompile(`^(\S+) is not the assignee of this task$`), func(m []string) string { return m[1] + " 不是此任务的处理人。" }},
	{regexp.MustCompile(`^(\S+) may not work this task$`), func(m []string) string { return m[1] + " 无权办理此任务。" }},
	{regexp.MustCompile(`^(\S+) is not cleared for (\w+)$`), func(m []string) string { return m[1] + " 的密级不够（需要" + levelZh(m[2]) + "）。" }},
	{regexp.MustCompile(`^separation of duties: (\S+) may not (complete|work) this task$`), func(m []string) string { return "职责分离：" + m[1] + " 不得办理此任务。" }},
	{regexp.MustCompile(`^you may not start an? (\w+) process$`), func(m []string) string { return "您无权发起「" + translate("zh", "kind."+m[1]) + "」流程。" }},
	{regexp.MustCompile(`^the process is no longer running$`), lit("流程已结束。")},
	{regexp.MustCompile(`^your roles do not permit .*$`), lit("您的角色无权执行此操作。")},
	{regexp.MustCompile(`^this Idempotency-Key was used for a different request$`), lit("此表单已提交过不同的内容，请重新打开表单。")},
	{regexp.MustCompile(`^the reply is sent as written here; the internal complaint form is never sent to the customer$`),
		lit("答复按此处所写发送；内部的客户投诉处理表不得送交客户。")},
	{regexp.MustCompile(`^the entry does not link to the entry before it`), lit("该记录与前一条记录不衔接（有记录被删除或插入）。")},
	{regexp.MustCompile(`^the entry's content does not match its hash`), lit("该记录内容与其哈希不符（已被改动）。")},
	{regexp.MustCompile(`not found$`), lit("未找到。")},
}

// translateMessage renders an API message in the language. A Chinese page
// never shows an English sentence: an unknown message becomes a generic
// one (the original stays in the field error's title attribute).
func translateMessage(lang, msg string) string {
	if lang == "en" {
		return msg
	}
	for _, m := range messages {
		if sub := m.re.FindStringSubmatch(msg); sub != nil {
			return m.zh(sub)
		}
	}
	return translate(lang, "error.generic_field")
}

// reasons translate authz decision reasons into Chinese; policy lines
// ("p, staff, own, process, read") stay as written: they are data.
var reasons = []message{
	{regexp.MustCompile(`^holds (\w+)@(\w+): the GM and deputy GMs may know everything$`), func(m []string) string {
		return "担任" + translate("zh", "dept."+m[2]) + translate("zh", "role."+m[1]) + "：总经理和副总经理可以知悉一切"
	}},
	{regexp.MustCompile(`^designated for this object by the GM or a deputy GM$`), lit("经总经理或副总经理指定可查看此对象")},
	{regexp.MustCompile(`^top_secret \(绝密\): only the GM, deputy GMs and users designated for this object$`), lit("绝密：仅限总经理、副总经理及被指定查看此对象的人员")},
	{regexp.MustCompile(`^clearance (\w+) \(\S+\) is below the level (\w+) \(\S+\)$`), func(m []string) string {
		return "密级" + levelZh(m[1]) + "低于对象的密级" + levelZh(m[2])
	}},
	{regexp.MustCompile(`^clearance (\w+) ≥ level (\w+)$`), func(m []string) string { return "密级" + levelZh(m[1]) + " ≥ 对象密级" + levelZh(m[2]) }},
	{regexp.MustCompile(`^need-to-know: started the process$`), lit("知悉必要：流程发起人")},
	{regexp.MustCompile(`^started the process$`), lit("流程发起人")},
	{regexp.MustCompile(`^need-to-know: is named on a task of the process$`), lit("知悉必要：是该流程某项任务的当事人")},
	{regexp.MustCompile(`^need-to-know: holds (\w+)@(\w+), a candidate role of the process$`), func(m []string) string {
		return "知悉必要：担任" + translate("zh", "dept."+m[2]) + translate("zh", "role."+m[1]) + "，是该流程的候选角色"
	}},
	{regexp.MustCompile(`^need-to-know: a member of (\w+) whose role permits reading \(policy: (.*)\)$`), func(m []string) string {
		return "知悉必要：" + translate("zh", "dept."+m[1]) + "成员且角色允许查看（策略：" + m[2] + "）"
	}},
	{regexp.MustCompile(`^need-to-know: a role the policy names for confidential matters \(policy: (.*)\)$`), func(m []string) string {
		return "知悉必要：策略指定可知悉机密事项的角色（策略：" + m[1] + "）"
	}},
	{regexp.MustCompile(`^policy: (.*)$`), func(m []string) string { return "策略：" + m[1] }},
	{regexp.MustCompile(`^no role of (\S+) permits reading processes of (\w+)$`), func(m []string) string {
		return m[1] + " 没有可查看" + translate("zh", "dept."+m[2]) + "流程的角色"
	}},
	{regexp.MustCompile(`^no role of (\S+) permits (\w+) on processes of (\w+)$`), func(m []string) string {
		return m[1] + " 没有可对" + translate("zh", "dept."+m[3]) + "流程执行「" + translate("zh", "act."+m[2]) + "」的角色"
	}},
	{regexp.MustCompile(`^secret \(秘密\): need-to-know limits it to the participants and to members of (\w+) whose role permits reading$`), func(m []string) string {
		return "秘密：仅限流程参与人及" + translate("zh", "dept."+m[1]) + "中角色允许查看的成员知悉"
	}},
	{regexp.MustCompile(`^confidential \(机密\): only the roles the policy names for \S+ of (\w+)$`), func(m []string) string {
		return "机密：仅限策略为" + translate("zh", "dept."+m[1]) + "指定的角色"
	}},
	{regexp.MustCompile(`^may not (\w+) what they may not read$`), func(m []string) string {
		return "不能查看的对象也不能「" + translate("zh", "act."+m[1]) + "」"
	}},
	{regexp.MustCompile(`^only tasks are completed$`), lit("只有任务可以办理")},
	{regexp.MustCompile(`^separation of duties: excluded from this task$`), lit("职责分离：被排除在此任务之外")},
	{regexp.MustCompile(`^is the assignee$`), lit("是处理人")},
	{regexp.MustCompile(`^is the delegate of (\S+)$`), func(m []string) string { return "受 " + m[1] + " 委托" }},
	{regexp.MustCompile(`^is a candidate \((.*)\)$`), func(m []string) string { return "是候选人（" + m[1] + "）" }},
	{regexp.MustCompile(`^is not a candidate, the assignee or the delegate$`), lit("既不是候选人，也不是处理人或受托人")},
	{regexp.MustCompile(`^the account is disabled$`), lit("账号已停用")},
}

// translateReason renders an authz reason in the language.
func translateReason(lang, r string) string {
	if lang == "en" {
		return r
	}
	for _, m := range reasons {
		if sub := m.re.FindStringSubmatch(r); sub != nil {
			return m.zh(sub)
		}
	}
	return r
}

// auditText renders a reason recorded in the audit trail: a decision
// reason or an API message when a pattern knows it, else as recorded.
func auditText(lang, s string) string {
	if lang == "en" {
		return s
	}
	for _, table := range [][]message{reasons, messages} {
		for _, m := range table {
			if sub := m.re.FindStringSubmatch(s); sub != nil {
				return m.zh(sub)
			}
		}
	}
	return s
}

// catalogKeys lists a language's keys, sorted (for tests).
func catalogKeys(lang string) []string {
	keys := make([]string, 0, len(catalog[lang]))
	for k := range catalog[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
