package web

import (
	"fmt"
	"net/http"
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
		"nav.compliance": "合规", "nav.signout": "退出", "nav.registers": "登记表",

		"common.all": "全部", "common.yes": "是", "common.no": "否", "common.next_page": "下一页 →", "common.cancel": "取消",

		"signin.title": "登录", "signin.username": "用户名", "signin.password": "密码", "signin.submit": "登录",
		"signin.with_token": "使用 API 令牌登录", "signin.token": "API 令牌（Bearer token）", "signin.submit_token": "用令牌登录",
		"signin.wrong_password": "用户名或密码错误。", "signin.wrong_token": "令牌无效或已被吊销。",
		"signin.throttled": "登录尝试过于频繁，请稍后再试。", "signin.locked": "多次登录失败，账户已被暂时锁定，请稍后再试或联系系统管理员。",
		"signin.locked_admin": "多次登录失败，账户已被锁定，请联系系统管理员解锁。",
		"signin.demo_title":   "演示用户（仅限 zhidu dev）",
		"signin.demo_hint":    "点击一位演示用户即可登录；演示用户的密码均为 zhidu-demo，仅供演示。",

		"bulk.select": "选择", "bulk.select_all": "全选本页", "bulk.claim": "认领所选", "bulk.unclaim": "释放所选",
		"bulk.done.claim": "已认领 %d 项", "bulk.done.unclaim": "已释放 %d 项", "bulk.done.reassign": "已改派 %d 项",
		"bulk.reassign": "改派所选", "bulk.reassign_to": "改派给", "bulk.reassign_placeholder": "用户名",
		"bulk.reassign_to_missing": "改派所选任务时必须填写改派给谁（用户名）。未作任何更改。",
		"bulk.reason.invalid":      "输入无效（例如改派对象不是在职用户）", "bulk.failed": "，%d 项失败：%s", "bulk.sep": "；",
		"bulk.reason.not_found": "不存在或无权查看", "bulk.reason.conflict": "状态不允许（已被认领或不是您的任务）",
		"bulk.reason.forbidden": "无权操作", "bulk.reason.other": "操作失败", "bulk.bad_action": "未知的批量操作。未作任何更改。",
		"kbd.title": "键盘快捷键", "kbd.move": "下移 / 上移一行", "kbd.select": "选中或取消选中当前行", "kbd.claim": "认领当前行的任务", "kbd.open": "打开当前行的任务", "kbd.help": "显示或隐藏本帮助",
		"inbox.title": "我的收件箱", "inbox.start_new": "发起流程", "inbox.tabs": "收件箱分类",
		"inbox.views": "我的视图", "inbox.view.save": "将当前筛选保存为视图", "inbox.view.name": "视图名称",
		"inbox.view.share": "共享给部门", "inbox.view.not_shared": "不共享", "inbox.view.save_submit": "保存视图",
		"inbox.view.delete": "删除视图", "inbox.view.delete_named": "删除视图「%s」", "inbox.view.shared_with": "已共享给%s",
		"inbox.view.shared_by": "%s 共享", "flash.view_saved": "视图已保存。", "flash.view_deleted": "视图已删除。",
		"inbox.tab.mine": "我的任务", "inbox.tab.claimable": "可认领", "inbox.tab.overdue": "已逾期", "inbox.tab.completed": "我已完成",
		"inbox.tab.for": "代 %s", "inbox.for": "代 %s",
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
		"process.copies":     "持件部门", "process.copy": "第%d联", "process.copy_origin": "（开单部门）",
		"process.copies_hint": "此件仅限持件部门中有权查看的人员、流程参与人以及总经理、副总经理查看。",
		"process.copy_of":     "本件为副本，来源", "process.copies_made": "已登记的副本", "process.made_by": "制作人", "process.approved_by": "批准人",
		"process.register": "登记信息", "process.in_register": "查看登记表", "process.register_empty": "尚无登记信息。",
		"processes.title": "流程", "processes.state": "状态", "processes.empty": "没有符合条件的流程。", "processes.register": "查看登记表",
		"registers.title": "登记表", "registers.filters": "筛选", "registers.csv": "导出 CSV", "registers.empty": "没有符合条件的登记记录。",
		"registers.range.after": "%s自", "registers.range.before": "%s至",
		"registers.range.min": "%s不低于", "registers.range.max": "%s低于",

		"start.title": "发起流程", "start.lead": "选择要发起的流程。是否有权发起由系统在提交时判断。",
		"start.open_form":         "填写申请",
		"start.registered_hidden": "已登记。该投诉的密级高于您的密级，因此您已无法查看。",

		"form.required": "必填", "form.required_for": "选择「%s」时必填", "form.one_per_line": "每行一项", "form.choose": "— 请选择 —",
		"form.add_row": "添加一行", "form.remove_row": "删除", "form.row_actions": "行操作", "form.column_error": "%s：%s",

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
		"outcome.received": "已验收", "outcome.match": "数量相符", "outcome.mismatch": "数量不符", "outcome.recount": "重新清点",
		"outcome.amend": "更正退货单", "outcome.pass": "复检合格", "outcome.fail": "复检不合格", "outcome.shipped": "已发货",
		"outcome.confirm": "确认不合格", "outcome.credit": "供应商退款", "outcome.replace": "供应商换货", "outcome.refuse": "供应商拒绝",
		"outcome.credited": "已退款", "outcome.reprocessed": "已重新处理", "outcome.replaced": "已换货", "outcome.refused": "供应商已拒绝",

		"action.task_created": "创建任务", "action.task_claimed": "认领", "action.task_unclaimed": "放弃认领",
		"action.task_commented": "评论", "action.task_completed": "完成", "action.task_delegated": "委托",
		"action.task_reassigned": "改派", "action.task_released": "收回认领", "action.task_reminded": "提醒", "action.task_escalated": "升级",
		"action.process_completed": "流程结束", "action.process_cancelled": "流程取消", "action.process_failed": "流程失败",
		"action.process_level_changed": "密级变更", "action.process_shared": "分送部门", "action.voucher_issued": "开具传票", "action.child_started": "发起子流程", "action.contract_overridden": "总经理特批合同退货", "action.child_finished": "子流程结束",
		"action.members_changed": "阅读人变更",

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
		"field.add": "增加", "field.remove": "移除",
		"field.matrix_version": "审批矩阵版本", "field.base_version": "现行版本", "field.changes": "变更", "field.proposal_note": "提议说明",
		"field.slip": "退货单", "field.amount": "金额（元）", "field.approved_quantity": "批准数量", "field.received_quantity": "实收数量",
		"field.rounds": "核对记录", "field.finance_notes": "财务核对说明", "field.escalated": "已升级至分管副总",
		"field.at": "时间", "field.by": "经办人", "field.notes": "说明", "field.outcome": "结果", "field.resolution": "差异处理",
		"field.resolved_by": "差异处理人",

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
		"value.credit":            "退款", "value.closed": "已结案",
	},
	"en": {
		"app.name":    "zhidu",
		"app.tagline": "company rules · processes and tasks",
		"lang.switch": "中文", "lang.other_code": "zh",

		"nav.skip": "Skip to content", "nav.label": "Main navigation", "nav.inbox": "Inbox", "nav.start": "Start", "nav.processes": "Processes",
		"nav.compliance": "Compliance", "nav.signout": "Sign out", "nav.registers": "Registers",

		"common.all": "All", "common.yes": "Yes", "common.no": "No", "common.next_page": "Next page →", "common.cancel": "Cancel",

		"signin.title": "Sign in", "signin.username": "Username", "signin.password": "Password", "signin.submit": "Sign in",
		"signin.with_token": "Sign in with an API token", "signin.token": "API token (bearer token)", "signin.submit_token": "Sign in with token",
		"signin.wrong_password": "Wrong username or password.", "signin.wrong_token": "The token is unknown or revoked.",
		"signin.throttled": "Too many sign-in attempts: try again later.", "signin.locked": "Too many failed sign-ins: the account is locked for a while. Try again later or ask the system administrator.",
		"signin.locked_admin": "Too many failed sign-ins: the account is locked until the system administrator unlocks it.",
		"signin.demo_title":   "Demo users (zhidu dev only)",
		"signin.demo_hint":    "Click a demo user to sign in. Every demo user's password is zhidu-demo — for the demo only.",

		"bulk.select": "Select", "bulk.select_all": "Select all on this page", "bulk.claim": "Claim selected", "bulk.unclaim": "Release selected",
		"bulk.done.claim": "%d claimed", "bulk.done.unclaim": "%d released", "bulk.done.reassign": "%d reassigned",
		"bulk.reassign": "Reassign selected", "bulk.reassign_to": "Reassign to", "bulk.reassign_placeholder": "username",
		"bulk.reassign_to_missing": "Say to whom (a username) the selected tasks are reassigned. Nothing was changed.",
		"bulk.reason.invalid":      "invalid input (for example the new assignee is not an active user)", "bulk.failed": ", %d failed: %s", "bulk.sep": "; ",
		"bulk.reason.not_found": "does not exist or you may not see it", "bulk.reason.conflict": "not in a state that allows it (claimed already, or not yours)",
		"bulk.reason.forbidden": "not allowed", "bulk.reason.other": "failed", "bulk.bad_action": "Unknown bulk action. Nothing was changed.",
		"kbd.title": "Keyboard shortcuts", "kbd.move": "Move down / up a row", "kbd.select": "Select or unselect the row", "kbd.claim": "Claim the row's task", "kbd.open": "Open the row's task", "kbd.help": "Show or hide this help",
		"inbox.title": "My inbox", "inbox.start_new": "Start a process", "inbox.tabs": "Inbox views",
		"inbox.views": "Saved views", "inbox.view.save": "Save these filters as a view", "inbox.view.name": "View name",
		"inbox.view.share": "Share with department", "inbox.view.not_shared": "Not shared", "inbox.view.save_submit": "Save view",
		"inbox.view.delete": "Delete view", "inbox.view.delete_named": "Delete the view “%s”", "inbox.view.shared_with": "shared with %s",
		"inbox.view.shared_by": "shared by %s", "flash.view_saved": "View saved.", "flash.view_deleted": "View deleted.",
		"inbox.tab.mine": "Mine", "inbox.tab.claimable": "Claimable", "inbox.tab.overdue": "Overdue", "inbox.tab.completed": "Completed by me",
		"inbox.tab.for": "For %s", "inbox.for": "for %s",
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
		"process.copies":     "Copies held by", "process.copy": "Copy %d:", "process.copy_origin": "(originating department)",
		"process.copies_hint": "Only the people of these departments whose role lets them read, the process's participants, and the GM and deputy GMs may read it.",
		"process.copy_of":     "A copy of", "process.copies_made": "Copies registered", "process.made_by": "made by", "process.approved_by": "approved by",
		"process.register": "Register entry", "process.in_register": "Open the register", "process.register_empty": "Nothing registered yet.",
		"processes.title": "Processes", "processes.state": "State", "processes.empty": "No processes match.", "processes.register": "Open the register",
		"registers.title": "Registers", "registers.filters": "Filter", "registers.csv": "Download CSV", "registers.empty": "No entries match.",
		"registers.range.after": "%s from", "registers.range.before": "%s until",
		"registers.range.min": "%s at least", "registers.range.max": "%s below",

		"start.title": "Start a process", "start.lead": "Choose what to start. Whether you may is decided when you submit.",
		"start.open_form":         "Open the form",
		"start.registered_hidden": "Registered. The complaint's level is above your clearance, so it is no longer visible to you.",

		"form.required": "required", "form.required_for": "Required for “%s”", "form.one_per_line": "One per line", "form.choose": "— choose —",
		"form.add_row": "Add a row", "form.remove_row": "Remove", "form.row_actions": "Row actions", "form.column_error": "%s: %s",

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
		"outcome.received": "Received", "outcome.match": "Quantities match", "outcome.mismatch": "Quantities differ", "outcome.recount": "Recount",
		"outcome.amend": "Amend the slip", "outcome.pass": "Passed", "outcome.fail": "Failed", "outcome.shipped": "Shipped",
		"outcome.confirm": "Confirm defective", "outcome.credit": "Supplier credits", "outcome.replace": "Supplier replaces", "outcome.refuse": "Supplier refuses",
		"outcome.credited": "Credited", "outcome.reprocessed": "Reprocessed", "outcome.replaced": "Replaced", "outcome.refused": "Refused by the supplier",

		"action.task_created": "Task created", "action.task_claimed": "Claimed", "action.task_unclaimed": "Unclaimed",
		"action.task_commented": "Commented", "action.task_completed": "Completed", "action.task_delegated": "Delegated",
		"action.task_reassigned": "Reassigned", "action.task_released": "Claim released", "action.task_reminded": "Reminder", "action.task_escalated": "Escalated",
		"action.process_completed": "Process finished", "action.process_cancelled": "Process cancelled", "action.process_failed": "Process failed",
		"action.process_level_changed": "Level changed", "action.process_shared": "Shared with departments", "action.voucher_issued": "Voucher issued", "action.child_started": "Child process started", "action.contract_overridden": "Signed contract overridden by the GM", "action.child_finished": "Child process finished",
		"action.members_changed": "Named readers changed",

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
		"field.add": "Added", "field.remove": "Removed",
		"field.matrix_version": "Approval matrix version", "field.base_version": "Current version", "field.changes": "Changes", "field.proposal_note": "Proposal note",
		"field.slip": "Return slip", "field.amount": "Amount (CNY)", "field.approved_quantity": "Approved quantity", "field.received_quantity": "Quantity received",
		"field.rounds": "Reconciliation rounds", "field.finance_notes": "Finance's notes", "field.escalated": "Escalated to the VP",
		"field.at": "At", "field.by": "By", "field.notes": "Notes", "field.outcome": "Outcome", "field.resolution": "Settlement",
		"field.resolved_by": "Settled by",

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
		"value.credit":            "Credit", "value.closed": "Closed",
	},
}

// matrixLabels are the approval matrix pages' labels (web/matrix.go), each
// key's Chinese and English side by side; init adds them to the catalogue.
var matrixLabels = map[string]zhidu.Text{
	"nav.matrix":            {Zh: "审批矩阵", En: "Approval matrix"},
	"flash.matrix_proposed": {Zh: "新版本已提交，等待总经理批准。", En: "The new version is proposed; it awaits the GM's approval."},

	"matrix.title":        {Zh: "采购审批矩阵", En: "Purchase approval matrix"},
	"matrix.tab.versions": {Zh: "现行版本与提议", En: "Versions and proposal"},
	"matrix.tab.route":    {Zh: "路由试算", En: "Dry run"},
	"matrix.lead": {Zh: "采购申请按此矩阵确定审批步骤：按顺序取第一条与申请的类别、部门、密级和金额相符的规则。新版本由安全保密管理员提出，经总经理批准后生效。",
		En: "Purchase requests are routed by this matrix: the first rule, in order, that matches a request's kind, department, level and amount gives its approval steps. The security administrator proposes a new version; it takes effect when the GM approves it."},
	"matrix.active":       {Zh: "现行版本：第 %d 版", En: "Active version: %d"},
	"matrix.proposed_by":  {Zh: "提出人", En: "Proposed by"},
	"matrix.approved_by":  {Zh: "批准人", En: "Approved by"},
	"matrix.opinion":      {Zh: "批准意见", En: "Opinion"},
	"matrix.note":         {Zh: "提议说明", En: "Note"},
	"matrix.base":         {Zh: "修改的版本：第 %d 版", En: "Changes version %d"},
	"matrix.proposal":     {Zh: "待批准的提议：第 %d 版", En: "Proposal: version %d"},
	"matrix.awaiting_gm":  {Zh: "等待总经理决定", En: "Awaiting the GM's decision"},
	"matrix.process_link": {Zh: "查看审批流程", En: "Open its approval process"},
	"matrix.try_proposal": {Zh: "用此版本试算", En: "Try this version"},
	"matrix.changes":      {Zh: "与现行版本相比的变更", En: "Changes from the active version"},
	"matrix.open_matrix":  {Zh: "查看完整的审批矩阵", En: "See the whole approval matrix"},

	"matrix.col.rule":       {Zh: "编号", En: "No."},
	"matrix.col.kind":       {Zh: "采购类别", En: "Kind"},
	"matrix.col.department": {Zh: "申请部门", En: "Department"},
	"matrix.col.level":      {Zh: "密级", En: "Level"},
	"matrix.col.band":       {Zh: "金额", En: "Amount"},
	"matrix.col.min":        {Zh: "金额自（元，含）", En: "From (CNY, incl.)"},
	"matrix.col.max":        {Zh: "金额至（元，不含）", En: "Below (CNY)"},
	"matrix.col.steps":      {Zh: "审批步骤（依次）", En: "Approval steps, in order"},
	"matrix.col.change":     {Zh: "变更", En: "Change"},
	"matrix.col.actions":    {Zh: "调整", En: "Rows"},

	"matrix.kind.regular":   {Zh: "月度计划采购", En: "Regular monthly plan"},
	"matrix.kind.temporary": {Zh: "临时小额采购", En: "Temporary small purchase"},
	"matrix.kind.important": {Zh: "重要物资", En: "Important material"},
	"matrix.kind.project":   {Zh: "项目物资", En: "Project material"},
	"matrix.any_department": {Zh: "任何部门", En: "Any department"},
	"matrix.any_level":      {Zh: "任何密级", En: "Any level"},
	"matrix.level_up":       {Zh: "%s及以上", En: "%s and above"},
	"matrix.band.any":       {Zh: "任何金额", En: "Any amount"},
	"matrix.band.below":     {Zh: "低于 %s", En: "Below %s"},
	"matrix.band.from":      {Zh: "%s 及以上", En: "%s and above"},
	"matrix.band.range":     {Zh: "%s 至低于 %s", En: "%s to below %s"},
	"matrix.requester":      {Zh: "申请人所在部门", En: "Requester's department"},
	"matrix.project_lead":   {Zh: "项目第一责任人", En: "Project's first responsible person"},

	"matrix.op.added":   {Zh: "新增", En: "Added"},
	"matrix.op.removed": {Zh: "删除", En: "Removed"},
	"matrix.op.changed": {Zh: "修改步骤", En: "Steps changed"},
	"matrix.op.moved":   {Zh: "调整顺序", En: "Moved"},
	"matrix.was":        {Zh: "（原编号 %d）", En: "(was no. %d)"},

	"matrix.state.active":     {Zh: "现行", En: "active"},
	"matrix.state.proposed":   {Zh: "待批准", En: "proposed"},
	"matrix.state.rejected":   {Zh: "已驳回", En: "rejected"},
	"matrix.state.superseded": {Zh: "已被取代", En: "superseded"},

	"matrix.editor": {Zh: "提出新版本", En: "Propose a new version"},
	"matrix.editor_hint": {Zh: "在下表中修改规则后提交，经总经理批准后生效。规则按顺序匹配：较具体的规则（如某一部门、秘密及以上）须排在较宽泛的规则之前。金额自（含）至（不含），「金额至」不填表示无上限。",
		En: "Change the rules below and propose them; they take effect when the GM approves. Rules match in order: a narrower rule (one department, secret and above) goes before a broader one. Amounts run from (inclusive) to below; an empty “below” is no upper limit."},
	"matrix.steps_hint": {Zh: "每一步写作「角色@部门」，各步之间用 → 分隔（也可用 -> 或逗号），例如「部门经理@申请人所在部门 → 职员@财务部 → 总经理@总经理办公室」；重要物资和项目物资可写「项目第一责任人」。角色和部门写名称或代码均可。提示中的 rules[n] 指编号为 n 的规则。",
		En: "Write each step as role@department, the steps separated by → (or -> or commas), e.g. “Department head@Requester's department → Staff@Finance → GM@GM's office”; important and project material may have “Project's first responsible person”. Roles and departments by name or code. rules[n] in a message is rule no. n."},
	"matrix.add_rule":       {Zh: "在末尾添加规则", En: "Add a rule at the end"},
	"matrix.insert":         {Zh: "在下方插入规则", En: "Insert a rule below"},
	"matrix.remove":         {Zh: "删除此规则", En: "Remove this rule"},
	"matrix.up":             {Zh: "上移", En: "Move up"},
	"matrix.down":           {Zh: "下移", En: "Move down"},
	"matrix.propose":        {Zh: "提交总经理批准", En: "Propose to the GM"},
	"matrix.bad_op":         {Zh: "表单的操作无效，未作任何更改。", En: "The form asked for no known action: nothing was changed."},
	"matrix.legend":         {Zh: "角色与部门的名称和代码", En: "Names and codes of roles and departments"},
	"matrix.legend.roles":   {Zh: "角色", En: "Roles"},
	"matrix.legend.depts":   {Zh: "部门", En: "Departments"},
	"matrix.legend.code":    {Zh: "代码", En: "Code"},
	"matrix.step_error":     {Zh: "第 %d 步（%s）：%s", En: "Step %d (%s): %s"},
	"matrix.read_denied":    {Zh: "只有安全保密管理员、总经理和安全审计员可以查看审批矩阵。", En: "Only the security administrator, the GM and the security auditor see the approval matrix."},
	"matrix.propose_denied": {Zh: "只有安全保密管理员可以提出审批矩阵的新版本。", En: "Only the security administrator proposes a new version of the approval matrix."},

	"matrix.route.title": {Zh: "审批路由试算", En: "Approval route dry run"},
	"matrix.route.lead": {Zh: "填写一笔采购申请的类别、金额、部门和密级，查看按审批矩阵它将依次经过哪些审批步骤、由哪条规则决定。只是试算，不会发起任何流程。",
		En: "Enter a purchase request's kind, amount, department and level to see which approval steps the matrix gives it, in order, and by which rule. A dry run: nothing is started."},
	"matrix.route.amount":     {Zh: "金额（元）", En: "Amount (CNY)"},
	"matrix.route.version":    {Zh: "矩阵版本（不填为现行版本）", En: "Matrix version (empty: the active one)"},
	"matrix.route.submit":     {Zh: "试算", En: "Try"},
	"matrix.route.result":     {Zh: "按第 %d 版", En: "By version %d"},
	"matrix.route.steps":      {Zh: "审批步骤", En: "Approval steps"},
	"matrix.route.matched":    {Zh: "匹配的规则", En: "The rule that matched"},
	"matrix.route.no_steps":   {Zh: "没有规则处理这样的申请。", En: "No rule routes such a request."},
	"matrix.route.no_version": {Zh: "没有这个版本的审批矩阵", En: "no such version of the approval matrix"},
}

// translate looks a key up in a language; a missing key shows as itself,
// which the catalogue test keeps from happening.
// The process kinds' labels, step labels and start-page texts are the
// descriptors' (workflows.Descriptors), not the catalogue's; so are the
// labels a descriptor adds for its steps' words (Labels), where the
// catalogue has none (TestDescriptorLabels checks that they agree).
func init() {
	for _, labels := range []map[string]zhidu.Text{matrixLabels, purchasePageLabels, probationPageLabels, grantPageLabels,
		customerPageLabels, reportPageLabels} {
		for key, t := range labels {
			catalog["zh"][key], catalog["en"][key] = t.Zh, t.En
		}
	}
	for _, d := range workflows.Descriptors() {
		add := func(key string, t zhidu.Text) {
			catalog["zh"][key], catalog["en"][key] = t.Zh, t.En
		}
		add("kind."+d.Kind, d.Label)
		if !d.Internal { // no start page
			add("start.describe."+d.Kind, d.Description)
			add("start.submit."+d.Kind, d.Submit)
		}
		for _, st := range d.Steps {
			add("step."+st.Name, st.Label)
		}
		for key, t := range d.Labels {
			if !hasKey(key) {
				add(key, t)
			}
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

// messagesZh says the API's messages in Chinese: one template per code of
// zhidu's catalogue (zhidu.MessageCodes; a test fails when one is missing),
// in the syntax of zhidu.Catalog. A parameter of a vocabulary family is
// labelled from this catalogue ({state:state} → state.claimed → 处理中).
// English pages say them as the API does (zhidu.English).
var messagesZh = map[string]string{
	zhidu.MsgPlain: "{text}",
	"internal":     "系统出现内部错误，请稍后再试。",

	"invalid.field": "{field} 无效", "field.required": "此项必填", "field.unknown": "不是已知字段",
	"field.not_in_form": "不是此表单的字段", "field.unknown_type": "字段类型未知",
	"text.max": "最多 {max} 个字符", "text.length": "须为 {min} 至 {max} 个字符", "text.too_long": "内容过长",
	"text.utf8": "必须是有效的 UTF-8 文本", "text.nul": "不能包含 NUL 字符",
	"text.control": "除制表符和换行外不能包含控制字符", "text.one_line": "必须是一行文字，不能包含控制字符",
	"text.bidi": "不能包含双向文字控制字符（U+202A 至 U+202E、U+2066 至 U+2069）", "text.invisible": "不能包含零宽空格等不可见字符",
	"text.key": "其中的键名{why:msg}", "list.each_item": "每一项都{why:msg}", "list.max_people": "最多 {max} 人",
	"rows.min": "至少需要 {min} 行", "rows.max": "最多 {max} 行",
	"choice.one_of": "请从给定选项中选择", "choice.one_of_list": "请从给定选项中选择", "choice.list_of": "请从给定选项中选择",
	"sort.one_of":  "请从给定选项中选择",
	"value.string": "必须是文本", "value.number": "必须是数字", "value.boolean": "必须是“是”或“否”",
	"value.date": "必须是日期（年-月-日）", "value.time": "必须是有效的日期时间", "value.string_list": "必须是文本列表",
	"value.list": "必须是列表", "value.object": "必须是对象", "value.empty": "必须为空", "value.must_be": "必须是 {value}",
	"number.range": "必须是有效的整数", "number.negative": "不能为负数", "number.max": "不能超过 {max}",
	"number.above": "不能大于 {other}",
	"user.unknown": "没有这个用户", "user.inactive": "不是在职用户", "user.someone_else": "不能是您自己", "user.username": "必须是用户名",
	"user.username_form": "须为 2 至 40 个小写英文字母、数字或 . _ -，以字母开头", "query.invalid": "查询参数无效",
	"cursor.bad": "分页标记无效", "cursor.invalid": "分页标记无效",
	"sort.bad": "排序方式无效", "scope.bad": "收件箱分类无效",

	"body.too_large": "请求内容超过 {limit} 字节", "body.unreadable": "无法读取请求内容",
	"body.trailing": "请求内容在 JSON 之后还有多余的数据", "body.not_object": "请求内容必须是 JSON 对象",
	"body.syntax": "请求内容不是有效的 JSON（第 {offset} 字节）", "body.invalid": "请求内容不是有效的 JSON",
	"body.utf8": "请求内容必须是有效的 UTF-8", "body.too_deep": "请求内容的嵌套超过 {max} 层", "body.duplicate": "重复出现",

	"not_found": "未找到。", "kind.unknown": "没有这种流程类型：{kind}",
	"object.ref":         "对象须为 process:编号、task:编号 或 customer:编号，而不是 {value}",
	"idempotency.reused": "此表单已提交过不同的内容，请重新打开表单。", "idempotency.pending": "同一请求仍在处理中，请稍后重试。",
	"substitute.cycle": "{substitute} 在此期间外出，由 {absent} 代理：代理不能互为循环。", "substitute.overlap": "{absent} 在此期间已有代理人；如要替换，请选择替换。",
	"substitute.self": "不能是本人", "substitute.inactive": "须为在职的用户", "substitute.after": "须晚于开始时间", "substitute.past": "须在将来",
	"substitute.scope": "未知的{what}：{value}", "substitute.head": "只有 {absent} 所在部门的负责人可以为其设置代理人。",
	"roles.not_permitted": "您的角色无权执行此操作。",

	"process.start_denied": "您无权发起「{kind:kind}」流程。", "process.not_running": "流程已结束。",
	"process.ending": "流程正在结束。", "process.say_why": "请说明原因。",
	"process.barred":        "{user} 是此流程所涉及的当事人，不得参与任何步骤。",
	"approval.cannot_start": "无法发起审批。",
	"level.above_clearance": "高于您的密级", "level.cannot_change": "无法变更密级。", "level.changing": "另一项密级变更正在记录中。",
	"history.full":  "本流程记录的变更已达上限：请办结当前步骤或撤销流程。",
	"level.unknown": "未知的密级。", "level.not_a_level": "不是有效的密级", "level.unchanged": "密级没有变化。",
	"level.current": "就是当前的密级", "level.lower_leadership": "只有总经理或副总经理可以降低密级（解密）。",
	"designation.top_secret": "只有绝密对象才需指定知悉人；此对象为{level:level}", "designation.admin": "管理员不阅读业务数据",
	"view.name_taken": "您已有名为{name}的视图", "view.department": "必须是您所在的部门",
	"view.too_many": "您已有 {max} 个视图，请先删除一个。", "view.process_shared": "共享的视图不能指定某个流程",

	"task.not_in_process": "此流程中没有任务 {task}。",
	"task.not_open":       "任务已不是待认领状态（可能已被他人认领）。", "task.claim_not_open": "任务已不是待认领状态（可能已被他人认领）。",
	"task.not_claimed_by_you": "该任务不是由您认领的。", "task.claim_first": "请先认领任务，再提交。",
	"task.state":                "任务当前状态为「{state:state}」。",
	"task.closed_for_comments":  "任务当前状态为「{state:state}」，不能再添加评论。",
	"task.finished_no_comments": "任务已结束，不能再添加评论。",
	"task.not_your_task":        "您不是此任务的处理人。", "task.not_assignee": "{user} 不是此任务的处理人。",
	"task.may_not_work": "{user} 无权办理此任务：{why:msg}", "task.not_cleared": "{user} 的密级不够（需要{level:level}）。",
	"task.not_candidate":  "{user} 目前不是此任务的候选人。",
	"authority.not_named": "核决权限：{user} 不在此步骤的候选人或升级梯队之内。",
	"sod.requester":       "职责分离：{user} 是申请人，不得审批。", "sod.approved_other": "职责分离：{user} 已审批本流程的另一步骤。",
	"sod.excluded":    "职责分离：{user} 不得办理此任务。",
	"form.incomplete": "表单未填写完整。", "form.rule": "表单不符合此步骤的规则。", "form.misfit": "与此步骤的表单不符",
	"delegate.behalf_only": "只有受托人才能代他人办理。", "delegate.behalf_owner": "受托人须以处理人的名义办理。",
	"delegate.unclaimed": "只有已认领的任务才能委托。", "delegate.not_assignee": "只有处理人才能委托此任务。",
	"assign.who": "请填写受托人。", "assign.self": "不能把任务交给您自己。", "assign.may_not": "{user} 无权转交此任务：{why:msg}",
	"assign.unknown": "未知的转交方式。", "assign.kind": "必须是委托（delegate）或改派（reassign）",
	"reassign.requester": "{user} 是申请人，不得改派本流程的步骤。", "reassign.authority": "改派不转移核决权限：{why:msg}",
	"reassign.managers":    "只有任务所在部门的管理人员才能改派。",
	"comment.participants": "只有流程参与人和营管办可以评论此流程的任务。",

	"complaint.cannot_register": "无法登记投诉。", "complaint.level_min": "此类别至少为{level:level}",
	"complaint.accused_self":       "不能是您自己：任何人都不能登记针对自己的投诉",
	"complaint.accused_misconduct": "只有人员违纪投诉才填写被投诉员工",
	"complaint.witness":            "每位证人须为 1 至 100 个字符",
	"complaint.quality_department": "产品质量投诉的责任部门必须是质量部", "complaint.joint_deadline": "联合处理须填写处理时效",
	"complaint.compensation_amount": "赔偿须填写大于零的金额", "complaint.amount_no_remedy": "只有赔偿方案才填写金额",
	"complaint.reply_note": "答复按此处所写发送；内部的客户投诉处理表不得送交客户。",

	"audit.unlinked": "该记录与前一条记录不衔接（有记录被删除或插入）。", "audit.altered": "该记录内容与其哈希不符（已被改动）。",

	"decide.barred":       "此流程涉及其本人：投诉所指的员工不得知悉",
	"decide.leadership":   "担任{department:dept}{role:role}：总经理和副总经理可以知悉一切",
	"decide.designated":   "经总经理或副总经理指定可查看此对象",
	"decide.top_secret":   "绝密：仅限总经理、副总经理及被指定查看此对象的人员",
	"decide.below_level":  "密级{clearance:level}低于对象的密级{level:level}",
	"decide.clearance":    "密级{clearance:level} ≥ 对象密级{level:level}",
	"decide.need_to_know": "知悉必要：{why:msg}", "decide.started": "流程发起人", "decide.named": "是该流程某项任务的当事人",
	"decide.candidate_role":    "担任{department:dept}{role:role}，是该流程的候选角色",
	"decide.named_reader":      "知悉必要：该流程列名的阅读人",
	"decide.policy":            "策略：{policy}",
	"decide.no_read_role":      "{user} 没有可查看{department:dept}流程的角色",
	"decide.member":            "知悉必要：{department:dept}成员且角色允许查看（策略：{policy}）",
	"decide.copy_member":       "知悉必要：{department:dept}持有此件，且其角色允许查看（策略：{policy}）",
	"decide.copy_confidential": "知悉必要：{department:dept}持有此件，且其角色为策略指定可知悉机密事项的角色（策略：{policy}）",
	"decide.copies_only":       "仅限{departments|, }查看：{user} 在这些部门中没有可查看的角色",
	"decide.secret":            "秘密：仅限流程参与人及{department:dept}中角色允许查看的成员知悉",
	"decide.confidential_role": "知悉必要：策略指定可知悉机密事项的角色（策略：{policy}）",
	"decide.confidential":      "机密：仅限策略为{department:dept}指定的角色",
	"decide.unreadable":        "不能查看的对象也不能「{action:act}」",
	"decide.no_role":           "{user} 没有可对{department:dept}流程执行「{action:act}」的角色",
	"decide.only_tasks":        "只有任务可以办理", "decide.excluded": "职责分离：被排除在此任务之外",
	"decide.assignee": "是处理人", "decide.delegate": "受 {user} 委托", "decide.substitute": "代理外出的 {user}", "decide.candidate": "是候选人（{candidate}）",
	"decide.not_candidate": "既不是候选人，也不是处理人或受托人", "decide.unknown_action": "未知操作「{action}」",
	"decide.disabled": "账号已停用",
}

// chineseTemplate is a message code's Chinese: the web's catalogue, or
// the process's own (zhidu.DefineMessages).
func chineseTemplate(code string) (string, bool) {
	if t, ok := messagesZh[code]; ok {
		return t, ok
	}
	return zhidu.DefinedChinese(code)
}

// messageCatalog is the catalogue that says messages in lang.
func messageCatalog(lang string) zhidu.Catalog {
	if lang == "en" {
		return zhidu.English
	}
	return zhidu.Catalog{
		Template: chineseTemplate,
		Label:    func(family, value string) string { return label(lang, family, value) },
		ListSep:  "、",
	}
}

// translateMessage says an API message (an error's, a field error) in the
// language. A Chinese page never shows an English sentence: a message
// without a code of its own becomes a generic one (the original stays in
// the field error's title attribute).
func translateMessage(lang string, m zhidu.Message) string {
	if lang == "en" {
		return m.String()
	}
	if s, ok := messageCatalog(lang).Render(m); ok && m.Code != zhidu.MsgPlain {
		return s
	}
	return translate(lang, "error.generic_field")
}

// translateReason says a decision's reason in the language; a reason
// without a code of its own (policy lines are data) stays as written.
func translateReason(lang string, m zhidu.Message) string {
	if s, ok := messageCatalog(lang).Render(m); ok {
		return s
	}
	return m.String()
}

// auditText says a text recorded in the audit trail (a decision's reason,
// an API message) in the language: the recorded English is read back into
// its message by zhidu's catalogue, else shown as recorded.
func auditText(lang, s string) string {
	if lang == "en" {
		return s
	}
	if m, ok := zhidu.ParseMessage(s); ok {
		if out, ok := messageCatalog(lang).Render(m); ok {
			return out
		}
	}
	return s
}

// storedMessage says an API message that a workflow stored as English text
// (a step's note) like translateMessage says a live one.
func storedMessage(lang, s string) string {
	if lang == "en" {
		return s
	}
	m, ok := zhidu.ParseMessage(s)
	if !ok {
		m = zhidu.Plain(s)
	}
	return translateMessage(lang, m)
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
