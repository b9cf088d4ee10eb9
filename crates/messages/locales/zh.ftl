app-name = 投顾工作台
nav-overview = 总览
nav-customers = 客户
overview-title = 公司总览
overview-customers = 客户数
overview-advisors = 投资顾问
overview-branches = 营业部
overview-auc = 托管资产
overview-cash = 现金
overview-market-value = 持仓市值
overview-per-advisor = 人均服务客户
overview-dormant = 休眠客户（90天无交易）
overview-as-of = 数据截至
customers-title = 客户列表
customers-search = 按姓名或客户号搜索
customers-total = 位客户
col-id = 客户号
col-name = 姓名
col-phone = 手机
col-gender = 性别
col-age = 年龄（今年）
col-risk = 风险等级
col-branch = 营业部
col-advisor = 投顾
col-assets = 资产
col-instrument = 证券
col-quantity = 数量
col-sellable = 可卖
col-cost = 成本价
col-close = 最新收盘
col-value = 市值
page-prev = 上一页
page-next = 下一页
customers-more-than = 超过 { $count } 位客户
customers-export = 下载 CSV
col-last-trade = 最近交易
col-last-contact = 最近联系
col-open-reminders = 未跟进提醒
col-tier = 服务层级
filter-any = 不限
filter-dormant = 休眠
filter-apply = 筛选
page-first = 首页
page-last = 末页
customer-national-id = 身份证号
customer-birth-date = 出生日期
customer-market-entry = 入市时间
customer-horizon = 投资期限
customer-verified = 已实名认证
customer-professional = 专业投资者
customer-cash = 现金
customer-positions = 持仓
customer-last-trade = 最近交易
yes = 是
no = 否
none = 无
not-found = 未找到
gender-M = 男
gender-F = 女
language = English
signin-title = 登录
signin-login = 用户名
signin-password = 密码
signin-submit = 登录
signin-csrf = 表单已过期，请重试。
signin-wrong = 用户名或密码错误。
signin-locked = 失败次数过多：该账号已锁定 15 分钟。
signout = 退出
role-customer = 客户
role-advisor = 投资顾问
role-manager = 营业部经理
role-compliance = 合规
role-admin = 管理员
reveal = 查看完整
reveal-audited = 查看个人信息将记入审计日志
nav-tasks = 待办
tasks-title = 待办事项
tasks-none = 暂无待办。
col-due = 截止
col-kind = 类型
col-task = 事项
col-customer = 客户
task-kind-follow_up = 跟进
task-kind-care = 关怀
task-kind-risk_reminder = 风险提醒
task-kind-question = 客户提问
task-outcome = 结果
task-done = 完成
task-done-at = 已完成
nav-instruments = 行情
instruments-title = 证券
instruments-search = 按代码或名称搜索
col-board = 板块
col-bars = 日线数
board-sse_main = 沪市主板
board-star = 科创板
board-szse_main = 深市主板
board-chinext = 创业板
board-bse = 北交所
instrument-limits = 涨停 / 跌停（下一交易日）
instrument-no-limit = 不设涨跌幅限制
instrument-lots = 申报数量
instrument-lot-min = 最少
instrument-lot-step = 递增
instrument-tick = 最小价位
instrument-settlement = 交收
instrument-listed = 上市日期
chart-overlay = 主图指标
chart-oscillator = 副图指标
chart-forward-adjusted = 前复权
chart-apply = 绘制
nav-reminders = 风险提醒
tasks-open = 待办任务
reminders-title = 风险提醒
reminders-none = 暂无提醒。
reminders-connecting = 连接中…
reminders-live = 实时
reminders-offline = 已断开，正在重连…
volume-title = 各规则每日提醒量
col-day = 交易日
col-total = 合计
rule-stock_drop = 持仓股下跌
rule-limit_down = 跌停
rule-account_day_loss = 账户当日亏损
rule-drawdown = 较20日高点回撤
rule-concentration = 持仓集中
rule-heavy_below_ma20 = 重仓股跌破20日均线
rule-heavy_macd_death_cross = 重仓股MACD死叉
rule-trapped = 深度套牢
rule-disclosure = 5%举牌披露
rule-month_loss_care = 月度亏损关怀
nav-plan = 每周计划
plan-title = 每周服务计划
plan-show = 查看
plan-capacity = 本周可联系客户数（按投顾服务时长）：
plan-export = 导出 CSV
plan-none = 暂无计划：尚无客户标签（请先运行 brokerdesk classify）。
plan-bucket = 类别
plan-target = 目标
plan-planned = 计划
plan-done = 已联系
plan-done-share = 已联系占比
plan-gap = 与 6:3:1 分配的最大偏差：
plan-points = 个百分点
plan-triggers = 联系原因
bucket-core_and_dormant = 核心与休眠客户
bucket-maintaining = 维护客户
bucket-precipitating = 沉淀客户
trigger-risk_reminder = 风险提醒
trigger-heavy_loss = 亏损较大，需关怀
trigger-dormant_worth_waking = 休眠，值得唤醒
trigger-birthday = 本月生日
col-pnl = 浮动盈亏
col-time = 时间
col-side = 方向
col-price = 价格
col-fee = 费用
col-dimension = 维度
col-label = 标签
col-reasons = 依据
side-buy = 买入
side-sell = 卖出
customer-labels = 客户标签
customer-not-classified = 尚未分类（请运行 brokerdesk classify）。
customer-labels-as-of = 截至 { $day }，阈值版本 { $version }
customer-guidance = 服务建议
customer-trades = 成交记录
customer-service = 服务记录
customer-cash-flows = 资金流水
customer-logins = 登录记录
col-account = 账户
col-amount = 金额
col-channel = 渠道
cash-deposit = 入金
cash-withdrawal = 出金
cash-dividend = 分红
cash-fee = 费用
channel-app = 手机App
channel-web = 网页
channel-pc = 电脑客户端
history-older = 更早
history-newest = 最新
history-back = 返回客户页
service-call = 电话
service-message = 消息
service-visit = 拜访
service-consultation = 咨询
service-plan_contact = 计划内联系
dim-experience = 投资经验
dim-engagement = 活跃度
dim-track_record = 投资成绩
dim-concentration = 持仓结构
dim-position_pnl = 持仓盈亏
dim-trading_style = 交易风格
dim-age_band = 年龄段
dim-gender = 性别
dim-lifecycle = 生命周期
dim-service_tier = 服务层级
label-experience-newcomer = 新手
label-experience-experienced = 有经验
label-experience-veteran = 资深
label-engagement-high = 高
label-engagement-medium = 中
label-engagement-low = 低
label-track_record-successful = 成功
label-track_record-unsuccessful = 不成功
label-track_record-too_little_history = 历史太少
label-concentration-concentrated = 集中
label-concentration-balanced = 均衡
label-concentration-dispersed = 分散
label-concentration-no_positions = 无持仓
label-position_pnl-profitable = 盈利
label-position_pnl-losing = 亏损
label-position_pnl-no_positions = 无持仓
label-trading_style-active_trader = 活跃交易
label-trading_style-long_term_holder = 长期持有
label-trading_style-unsure = 少交易：犹豫不决
label-gender-female = 女
label-gender-male = 男
label-lifecycle-new = 新客户
label-lifecycle-active = 活跃
label-lifecycle-returning = 回流
label-lifecycle-dormant = 休眠
label-service_tier-core = 核心
label-service_tier-dormant = 休眠
label-service_tier-maintaining = 维护
label-service_tier-precipitating = 沉淀
feature-years_in_market = 入市年数
feature-logins_30d = 30日登录次数
feature-trades_30d = 30日交易次数
feature-trades_90d = 90日交易次数
feature-round_trips = 已平仓交易
feature-win_rate_bp = 胜率（基点）
feature-realized_pnl = 已实现盈亏（0.0001元）
feature-positions = 持仓数
feature-hhi_bp = 集中度指数（基点）
feature-unrealized_pnl = 浮动盈亏（0.0001元）
feature-cash_share_bp = 现金占比（基点）
feature-age = 年龄
feature-gender = 性别
feature-days_since_opened = 开户天数
feature-days_since_last_trade = 距上次交易天数
feature-days_since_last_login = 距上次登录天数
feature-days_since_return = 回流天数
feature-lifecycle = 生命周期
feature-engagement = 活跃度
feature-assets = 资产（0.0001元）
guidance-track_record-successful = 成功型客户：在关键点位（急跌、阶段顶部）及时提示风险，帮助守住收益；尊重其自身判断。
guidance-track_record-unsuccessful = 投资成绩欠佳：给出审慎、保守的建议；一起复盘亏损交易；建议降低仓位、设置止损。
guidance-trading_style-long_term_holder = 长期持有型：推荐长线标的，并在阶段顶部提醒；每季度回顾一次即可。
guidance-trading_style-active_trader = 全天盯盘型：适合短周期思路和及时的盘中风险提示。
guidance-trading_style-unsure = 因犹豫而少交易：用通俗语言解读市场，每次一个清晰的思路，讲清买点、卖点和风险。
guidance-engagement-low = 工作繁忙或很少登录：推荐长线标的，每周一份简短小结；不要频繁打扰。
guidance-experience-newcomer = 新手：先做投资者教育（风险、T+1、涨跌幅限制、适当性），再谈产品。
guidance-concentration-concentrated = 持仓集中：提示单一持仓风险，讨论分散配置。
guidance-position_pnl-losing = 持仓亏损：电话关怀；一起检视亏损持仓，避免盲目补仓。
guidance-lifecycle-new = 新客户：欢迎电话、App 使用引导、复核风险测评。
guidance-lifecycle-returning = 久未交易后回流：了解回来的原因，一起检视持仓。
guidance-lifecycle-dormant = 休眠客户：用相关的市场观点或活动邀请唤醒。
guidance-service_tier-core = 核心客户：占投顾 60% 联系时间，主动、个性化服务。
guidance-service_tier-precipitating = 沉淀客户：主要由平台内容和提醒服务；占 10% 联系时间。
plan-hours = 每周服务时长（小时）：
plan-hours-save = 保存（用于之后制定的计划）
plan-hours-saved = 已保存：每周 { $hours } 小时。
nav-groups = 社群
nav-questions = 提问
nav-content = 内容
groups-title = 社群
groups-none = 暂无社群。
groups-open = 您的投顾的其他社群
groups-apply = 申请入群
groups-apply-note = 给投顾的留言（可选）
groups-applied = 已申请：等待投顾审核。
groups-new = 新建社群
groups-create = 创建社群
col-group = 社群
col-members = 成员
col-description = 简介
col-capacity = 容量
chat-title = 群聊
chat-system = 通知
chat-pinned = 置顶公告
chat-earlier = 更早的消息
chat-placeholder = 输入消息；@姓名 提及他人；点击消息可回复
chat-ask = 作为提问
chat-send = 发送
admission-title = 入群审核
admission-none = 没有待审核的申请。
admission-reason = 理由（拒绝时必填）
admission-approve = 通过
admission-reject = 拒绝
col-note = 留言
col-applied = 申请时间
invite-title = 邀请链接
invite-days = 有效天数：
invite-make = 生成链接
invite-link = 链接：
invite-expires = 过期时间
join-title = 加入
join-button = 加入社群
moderation-title = 群管理
moderation-log = 管理记录
moderation-none = 暂无管理记录。
moderation-note = 理由（成员可见）
moderation-overturned = 已撤销
reports-title = 待处理举报
reports-none = 没有待处理的举报。
report-dismiss = 驳回
report-resolve = 处理
col-when = 时间
col-member = 成员
col-rule = 规则
col-sanction = 处理
col-appeal = 申诉
col-review = 复核
appeal-why = 为什么有误？
appeal-send = 申诉
appeal-sent = 已申诉
review-uphold = 维持
review-overturn = 撤销
sanction-warn = 警告
sanction-mute_hour = 禁言 1 小时
sanction-mute_day = 禁言 24 小时
sanction-remove = 移出群聊
violation-guaranteed_returns = 承诺收益
violation-insider_tip = 声称内幕消息
violation-off_platform_contact = 站外联系方式
violation-external_link = 外部链接
violation-stock_pushing = 荐股刷屏
violation-flood = 刷屏
violation-stocks_outside_trading_hours = 非交易时段谈股
violation-manual = 管理员处理
violation-report = 举报处理
questions-title = 提问
questions-none = 没有超时未答的提问。
col-asked = 提问时间
col-question = 问题
col-service-minutes = 服务分钟
col-escalation = 状态
escalation-open = 待回答
escalation-advisor_queue = 投顾待办
escalation-branch_manager = 已升级至营业部经理
response-times-title = 响应时间（服务分钟，近 30 天）
response-times-none = 暂无已回答的提问。
col-by = 维度
col-answered = 已回答
content-title = 内容
content-new = 新内容
content-kind-pre_market = 盘前预览
content-kind-post_market = 盘后复盘
content-kind-article = 文章
content-status-draft = 草稿
content-status-submitted = 待合规审核
content-status-approved = 已通过
content-status-rejected = 已驳回
content-title-field = 标题
content-body-field = 正文
content-save-draft = 保存草稿
content-submit = 提交审核
content-schedule = 发布到勾选的社群（立即或按指定时间）
content-revise = 写新版本
content-reads = 阅读人数
content-review-note = 合规意见
content-review-title = 待审核内容
content-review-none = 没有待审核的内容。
content-review-comment = 意见（驳回时必填）
content-approve = 通过
content-reject = 驳回
customer-groups = 社群动态
col-message = 消息
groups-my-applications = 我的入群申请
application-pending = 等待投顾审核
application-approved = 已通过
application-rejected = 已拒绝
rules-title = 群规
rules-stock-codes = 一条消息含 { $n } 个及以上股票代码视为荐股刷屏
rules-flood = { $s } 秒内最多 { $n } 条消息
rules-ladder = 违规处理：先警告，再禁言 1 小时、禁言 24 小时、移出群聊。每次处理都记入管理记录，可申诉。
seeds-title = 种子用户（近 30 天）
seeds-none = 暂无种子用户。
seed-enthusiastic = 活跃型
seed-expert = 专家型
follow-up-note = 跟进原因
follow-up-add = 加入我的跟进
follow-up-added = 已加入跟进列表。
follow-ups-title = 我的跟进列表
chat-back-to-live = 返回实时群聊
groups-trading-hours-only = 仅允许在交易时段讨论个股

## 错误：每种拒绝的说明，按其代码（error-<代码>）。
## 数据本身的规则。
error-must_be_positive = 必须大于零
error-negative = 不能为负数
error-high_below_open_close = 最高价低于开盘价或收盘价
error-low_above_open_close = 最低价高于开盘价或收盘价
error-outside_day_range = 最新价不在当日最低价与最高价之间
error-bid_above_ask = 买一价高于卖一价
error-licence_required = 投资顾问必须有执业证书编号
error-risk_level = “{ $value }”不是 C1 至 C5 的风险等级
error-birth_date_mismatch = 出生日期与身份证号不符
error-entry_before_birth = 入市时间早于出生日期
error-instrument_code = “{ $value }”不是 600519.SH 形式的证券代码（SH、SZ 或 BJ）
error-sellable_range = 可卖数量须在 0 与持仓数量之间
error-too_large = { $value } 过大
error-date_form = “{ $value }”不是 YYYY-MM-DD 形式的日期
error-time_form = “{ $value }”不是时间（RFC 3339，或北京时间 YYYY-MM-DD HH:MM:SS）
error-number_form = “{ $value }”不是最多 4 位小数的数字
error-not_one_of = “{ $value }”不是以下之一：{ $options }
error-empty = 不能为空
error-too_long = 最多 { $max } 个字符
error-control_characters = 不能含控制字符
error-national_id_form = 身份证号为 17 位数字加 1 位校验码
error-national_id_birth_date = 身份证号中的出生日期无效
error-national_id_check = 身份证号校验码不符
error-phone_form = 须为 13 至 19 开头的 11 位手机号
error-length = 请填写 { $min } 至 { $max } 个字符
error-reason_required = 请说明原因，让当事人看到
error-not_a_number = “{ $value }”不是整数
error-out_of_range = { $value } 不在 { $min } 与 { $max } 之间
error-not_found = 未找到
error-internal = 内部错误
## 社群：入群。
error-not_a_customer = 只有本公司的客户可以加入本公司的群
error-real_name_required = 请先完成实名认证再入群
error-banned_by_advisor = 投资顾问已将您移出其所有群
error-group_full = 群已满，请向投资顾问申请加入其他群
error-invite_expired = 邀请链接已过期，请向投资顾问索取新的链接
error-already_member = 您已在本群中
## 存储。
error-keyring_missing = 无法查看或查找个人信息：本服务启动时未提供密钥文件
error-lookup_limit = 按手机号或身份证号精确查找每分钟最多 { $limit } 次，请 { $seconds } 秒后再试
error-conflicts_with_stored = 该修改与已存数据冲突（{ $constraint }）
## 业务。
error-group_not_found = 没有这个群
error-invite_not_found = 没有这个邀请链接
error-application_not_found = 没有这个入群申请
error-action_not_found = 没有这条处理记录
error-message_not_found = 没有这条消息
error-report_not_found = 没有这条举报
error-question_not_found = 没有这个提问
error-content_not_found = 没有这篇内容
error-member_not_found = 群里没有这位成员
error-customer_not_found = 没有这位客户
error-advisor_not_found = 没有这位投资顾问
error-task_not_found = 没有这项待办任务
error-contact_not_found = 计划中没有这次联系
error-labels_not_found = 这位客户尚未分类
error-token_not_found = 没有这个有效的令牌
error-unknown_customer = 没有这个客户编号
error-group_admins_only = 只有群管理员可以{ $action ->
        [invite] 邀请入群
        [decide] 审批入群申请
        [ban] 拉黑
        [moderate] 处理违规
        [review] 复核处理
        [resolve] 处理举报
        [pin] 置顶公告
        [accept] 采纳回答
        [follow_up] 从群里添加跟进
        [admission] 查看入群申请
        [reports] 查看举报
       *[other] 这样做
    }
error-staff_only = { $what ->
        [question_queue] 问题队列
        [response_times] 响应时间
        [seed_users] 种子用户
        [work_queue] 工作队列
        [plan] 服务计划
        [labels] 客户标签
        [members] 成员名单
        [service] 服务记录
       *[other] 此内容
    }仅供员工使用
error-admin_only = 只有管理员可以{ $what ->
        [tokens] 管理接口令牌
       *[other] 这样做
    }
error-advisors_own_groups = 只有投资顾问可以建群
error-advisor_names_co_admins = 只有群主（投资顾问）可以指定协管员
error-members_write = 只有群成员和管理员可以发言
error-sanctioned_appeals = 只有被处理的成员本人可以申诉
error-members_report = 成员举报消息，管理员处理
error-advisors_write_content = 只有投资顾问可以撰写内容
error-content_roles = 内容由投资顾问撰写、合规审核
error-compliance_reviews = 只有合规可以审核内容
error-own_groups_only = 只能发布到您管理的群
error-may_not_reveal = 此角色不能查看完整个人信息
error-own_follow_ups = 跟进名单只属于投资顾问本人
error-member_muted = 您在本群被禁言至 { $until }（北京时间）
error-message_blocked = 您的消息未发送：违反了群规中关于{ $violation ->
        [guaranteed_returns] 承诺收益
        [insider_tip] 内幕消息
        [off_platform_contact] 联系方式
        [external_link] 链接
        [stock_pushing] 荐股
        [flood] 刷屏
        [stocks_outside_trading_hours] 非交易时间谈股
       *[other] { $violation }
    }的规定（“{ $excerpt }”）；{ $sanction ->
        [warn] 本次为警告
        [mute_hour] 您被禁言 1 小时
        [mute_day] 您被禁言 24 小时
        [remove] 您已被移出本群
       *[other] { $sanction }
    }。您可以申诉。
error-slow_down = 消息太快了，请稍后再发
error-co_admin_limit = 一个群最多有 { $max } 位协管员
error-application_decided = 该申请已处理
error-action_appealed = 该处理已申诉或已复核
error-action_reviewed = 该处理已复核
error-report_resolved = 该举报已处理
error-question_answered = 该问题已有回答
error-only_drafts_submitted = 只有草稿可以提交，请先写新版本
error-draft_changed = 草稿已被修改，请重新提交
error-not_submitted = 该版本不在待审核状态
error-not_approved = 内容须经合规审核通过后才能发布到群
error-no_licence = 群主（投资顾问）没有登记执业证书编号
error-task_done = 该任务已完成
error-banned_phrases = 提交前请删除违禁词：{ $phrases }
error-groups_required = 请至少选择一个群
error-group_rules = 群规无效：{ $detail }
error-flood_rules = 刷屏条数与时长必须为正数
error-co_admin_not_staff = 请指定另一位员工
error-reply_elsewhere = 只能回复本群的消息
error-sanction_needs_member = 只有成员的消息才能导致处理
error-answer_not_reply = 请采纳对该问题的回复
error-handover_to_self = 请交接给另一位投资顾问
error-user_links = 客户用户需要客户编号，员工用户需要员工编号（二者不能同时给出）
error-wrong_password = 账号或密码错误
error-sign_in_locked = 登录失败次数过多，请 15 分钟后再试
error-login_taken = 账号 { $login } 已被占用
error-too_many_events = 一次发送了 { $count } 条事件，每次最多 { $max } 条
calendar-runs-out = 交易日历只到 { $date }：请由运维人员加入交易所公布的下一年休市安排，否则此后每个工作日都会被当作交易日。
error-watch_loading = 持仓监控仍在加载，请 { $seconds } 秒后再发送
error-unknown_book_file = 没有这种数据文件
## 指标。
error-unknown_indicator = 未知指标“{ $name }”：可选 SMA、EMA、MACD、RSI、KDJ、BOLL、ATR、OBV、VR
error-indicator_parameter = { $indicator } 第 { $position } 个参数（{ $parameter }）：{ $detail }
error-too_many_parameters = { $indicator } 最多 { $max } 个参数（{ $names }），收到 { $count } 个
## HTTP。
error-sign_in_required = 请先登录
error-csrf_token = 缺少 CSRF 令牌或令牌不符
error-feed_token = 请以 Authorization: Bearer bdt_... 发送有效的接口令牌
error-body_unreadable = 无法读取请求体：{ $detail }
error-query_unreadable = 无法读取查询参数：{ $detail }
error-json_required = 请以 JSON 发送（Content-Type: application/json）
error-body_too_large = 请求体过大
error-after_or_before = after 与 before 只能给一个
error-token_scope = 此令牌不能{ $scope ->
        [import] 导入数据：需要 import 权限
       *[events] 发送事件：需要 events 权限
    }
error-cross_site_socket = 聊天连接只能从本站页面打开
error-instrument_not_found = 没有这只证券
error-managers_set_hours = 只有营业部经理可以设置投资顾问的联系时长
error-no_such_route = 没有这个页面或接口
kind-stock = 股票
kind-bond = 债券
kind-convertible = 可转债
kind-etf = ETF 基金
horizon-short = 短期（1 年以内）
horizon-medium = 中期（1 至 3 年）
horizon-long = 长期（3 年以上）
## 产品与适当性。
nav-products = 产品
suitability-professional = 专业投资者可购买任何产品
suitability-matched = { $class } 级投资者可购买不高于 { $highest } 的产品，本产品为 { $risk }
suitability-risk_above = 本产品风险等级为 { $risk }，高于 { $class } 级投资者可匹配的最高等级 { $highest }
suitability-lowest_above_r1 = 风险承受能力最低类别（C1-lowest）的投资者不得购买高于 R1 的产品，本产品为 { $risk }
suitability-horizon_shorter = 本产品投资期限为{ $product ->
        [short] 1年以内
        [medium] 1至3年
       *[long] 3年以上
    }，长于投资者计划的投资期限（{ $investor ->
        [short] 1年以内
        [medium] 1至3年
       *[long] 3年以上
    }）
suitability-variety_not_chosen = 投资者未选择{ $variety ->
        [stocks] 股票
        [funds] 基金
        [bonds] 债券
       *[derivatives] 衍生品
    }作为投资品种
suitability-elderly_above_r3 = { $age } 岁投资者购买高于 R3 的产品（{ $risk }）需特别保护：再次确认，并由投顾回访
recommend-newcomer = 新入市：先从短期、低费用的入门产品开始
recommend-proven = 经验丰富、资产较高且业绩良好：长期专业产品
recommend-fits = 符合客户的风险等级、投资期限与投资品种
error-product_not_found = 没有这个产品
error-purchase_roles = 只有客户本人，或其投顾、经理代客户购买产品（{ $who } 不可）
error-questionnaire_roles = 只有客户本人，或其投顾、经理代客户填写风险测评问卷（{ $who } 不可）
error-product_closed = 该产品已停止购买
error-questionnaire_required = { $until ->
        [none] 请先完成风险测评
       *[other] 风险测评已于 { $until } 过期，请重新测评
    }
error-confirmation_required = 超出投资者的适当性匹配：{ $reasons_zh }。请阅读风险警示并确认后购买
error-unsuitable = 不予购买：{ $reasons_zh }
error-unsuitable_for_members = { $product } 不适合 { $members } 名成员中的 { $count } 名；再次发送以确认
error-risky_product_in_chat = { $product } 的风险等级为 { $risk }：只能在合规审核通过的内容中提及
error-below_minimum = 最低购买金额为 { $minimum } 元
error-question_unanswered = 请回答问题“{ $question }”
error-question_unknown = 问卷中没有问题“{ $question }”
error-option_unknown = 问题“{ $question }”没有选项“{ $option }”
error-one_option_only = 问题“{ $question }”只能选一项
products-title = 产品
products-none = 暂无产品。
product-code = 代码
product-name = 名称
product-kind = 类型
product-risk = 风险等级
product-horizon = 期限
product-variety = 品种
product-term = 期限（天）
product-minimum = 起购金额（元）
product-price = 价格（元）
product-state = 状态
product-ladder = 产品阶梯
product-kind-advisory = 投顾服务
product-kind-fund = 基金
product-kind-wealth = 理财产品
product-state-on_sale = 在售
product-state-closed = 已停售
ladder-beginner = 入门
ladder-professional = 专业
variety-stocks = 股票
variety-funds = 基金
variety-bonds = 债券
variety-derivatives = 衍生品
product-buy = 购买
product-buy-for = 代客户购买
product-amount = 金额（元）
product-confirm = 我已阅读上述风险警示，确认购买本产品
product-confirm-button = 确认购买
product-bought = 已记录购买 { $id }。
product-return-visit = 已为投顾安排回访（任务 { $task }）。
product-warning = 风险警示
product-refused = 不予购买
product-verdict = 适当性
verdict-allowed = 匹配
verdict-needs_confirmation = 超出匹配：需警示并确认
verdict-refused = 不予购买
suitability-title = 适当性
suitability-class = 风险等级
suitability-score = 得分 { $score }（问卷 { $version }），有效期至 { $until }
suitability-expired = 风险测评已过期（有效期至 { $until }）：购买前需重新测评。
suitability-none = 尚未进行风险测评：购买前需先测评。
suitability-take = 进行风险测评
suitability-professional-yes = 专业投资者
suitability-professional-until = 专业投资者，有效期至 { $until }
suitability-recommendations = 推荐产品
suitability-no-recommendations = 客户可被评估（测评有效）后才有推荐。
suitability-trail = 适当性记录
suitability-purchases = 购买记录
suitability-step = 环节
suitability-reasons = 原因
suitability-step-refused = 不予购买
suitability-step-warned = 已警示
suitability-step-confirmed = 已确认
suitability-step-allowed = 匹配通过
questionnaire-title = 风险测评问卷
questionnaire-submit = 提交答案
questionnaire-result = 得分 { $score }：风险等级 { $class }，投资期限 { $horizon }
funnel-title = 产品转化漏斗
funnel-by = 维度
funnel-by-all = 全部读者
funnel-by-advisor = 投顾
funnel-by-group = 群组
funnel-read = 阅读了提及它的内容
funnel-viewed = 浏览了产品
funnel-purchased = 购买
funnel-none = 尚无内容提及产品。
permissions-title = 交易权限
permissions-none = 尚未检查。
permissions-check = 按账户数据检查
permission-granted = 已开通
permission-not-granted = 未满足
permission-evidence = 前20个交易日日均资产 { $average } 元（需 { $needed } 元）；投资经验 { $months } 个月（需24个月）
plan-recommend = 推荐产品
exceptions-title = 适当性例外
exceptions-none = 暂无拒绝、警示或确认记录。
professional-test = 专业投资者认定
professional-assets-elsewhere = 他处金融资产（元）
professional-income = 近三年年均收入（元）
professional-work-months = 相关工作经历（月）
professional-documents = 证明材料
professional-record = 认定并记录
professional-qualified = 认定为专业投资者
professional-not-qualified = 未达到专业投资者条件
professional-wealth = 资产条件：
professional-experience = 经验条件：
