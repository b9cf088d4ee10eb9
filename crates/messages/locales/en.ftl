app-name = Brokerdesk
nav-overview = Overview
nav-customers = Customers
overview-title = Firm overview
overview-customers = Customers
overview-advisors = Advisors
overview-branches = Branches
overview-auc = Assets under custody
overview-cash = Cash
overview-market-value = Market value
overview-per-advisor = Customers per advisor
overview-dormant = Dormant (no trade in 90 days)
overview-as-of = Book as of
customers-title = Customers
customers-search = Search by name or id
customers-total = customers
col-id = ID
col-name = Name
col-phone = Phone
col-gender = Gender
col-age = Age (this year)
col-risk = Risk level
col-branch = Branch
col-advisor = Advisor
col-assets = Assets
col-instrument = Instrument
col-quantity = Quantity
col-sellable = Sellable
col-cost = Cost price
col-close = Last close
col-value = Market value
page-prev = Previous
page-next = Next
customers-more-than = More than { $count } customers
customers-export = Download CSV
col-last-trade = Last trade
col-last-contact = Last contact
col-open-reminders = Open reminders
col-tier = Service tier
filter-any = Any
filter-dormant = Dormant
filter-apply = Apply
page-first = First
page-last = Last
customer-national-id = National ID
customer-birth-date = Birth date
customer-market-entry = In the market since
customer-horizon = Horizon
customer-verified = Real-name verified
customer-professional = Professional investor
customer-cash = Cash
customer-positions = Positions
customer-last-trade = Last trade
yes = Yes
no = No
none = None
not-found = Not found
gender-M = Male
gender-F = Female
language = 中文
signin-title = Sign in
signin-login = Login
signin-password = Password
signin-submit = Sign in
signin-csrf = The form expired; please try again.
signin-wrong = Wrong login or password.
signin-locked = Too many failed attempts: this login is locked for 15 minutes.
signout = Sign out
role-customer = Customer
role-advisor = Advisor
role-manager = Branch manager
role-compliance = Compliance
role-admin = Administrator
reveal = Reveal
reveal-audited = Revealing personal data is recorded in the audit trail
nav-tasks = Work queue
tasks-title = Work queue
tasks-none = Nothing to do.
col-due = Due
col-kind = Kind
col-task = Task
col-customer = Customer
task-kind-follow_up = Follow-up
task-kind-care = Care
task-kind-risk_reminder = Risk reminder
task-kind-question = Question
task-outcome = Outcome
task-done = Done
task-done-at = Done
nav-instruments = Market
instruments-title = Instruments
instruments-search = Search by code or name
col-board = Board
col-bars = Daily bars
board-sse_main = SSE main board
board-star = STAR Market
board-szse_main = SZSE main board
board-chinext = ChiNext
board-bse = Beijing SE
instrument-limits = Limit up / down (next day)
instrument-no-limit = No price limit
instrument-lots = Order size
instrument-lot-min = at least
instrument-lot-step = in steps of
instrument-tick = Tick
instrument-settlement = Settlement
instrument-listed = Listed
chart-overlay = Over prices
chart-oscillator = Below
chart-forward-adjusted = Forward-adjusted
chart-apply = Draw
nav-reminders = Reminders
tasks-open = Open tasks
reminders-title = Risk reminders
reminders-none = No reminders yet.
reminders-connecting = connecting…
reminders-live = live
reminders-offline = offline, reconnecting…
volume-title = Reminder volume per rule per day
col-day = Trading day
col-total = Total
rule-stock_drop = Stock down
rule-limit_down = Limit-down
rule-account_day_loss = Account day loss
rule-drawdown = Drawdown from 20-day peak
rule-concentration = Concentrated
rule-heavy_below_ma20 = Heavy holding below MA20
rule-heavy_macd_death_cross = Heavy holding MACD death cross
rule-trapped = Trapped below cost
rule-disclosure = 5% disclosure
rule-month_loss_care = Month loss: care
nav-plan = Weekly plan
plan-title = Weekly service plan
plan-show = Show
plan-capacity = Contacts this week (from the advisor's contact hours):
plan-export = Export CSV
plan-none = No plan: no customer has labels yet (run brokerdesk classify).
plan-bucket = Part
plan-target = Target
plan-planned = Planned
plan-done = Done
plan-done-share = Share of contacts made
plan-gap = Largest gap from the split:
plan-points = percentage points
plan-triggers = Why now
bucket-core_and_dormant = Core and dormant
bucket-maintaining = Maintaining
bucket-precipitating = Precipitating
trigger-risk_reminder = Risk reminders
trigger-heavy_loss = Heavy loss: needs care
trigger-dormant_worth_waking = Dormant, worth waking
trigger-birthday = Birthday this month
col-pnl = P&L
col-time = Time
col-side = Side
col-price = Price
col-fee = Fee
col-dimension = Dimension
col-label = Label
col-reasons = Why
side-buy = Buy
side-sell = Sell
customer-labels = Labels
customer-not-classified = Not classified yet (run brokerdesk classify).
customer-labels-as-of = As of { $day }, thresholds { $version }
customer-guidance = Service guidance
customer-trades = Trades
customer-service = Service history
customer-cash-flows = Cash flows
customer-logins = Logins
col-account = Account
col-amount = Amount
col-channel = Channel
cash-deposit = Deposit
cash-withdrawal = Withdrawal
cash-dividend = Dividend
cash-fee = Fee
channel-app = App
channel-web = Web
channel-pc = PC client
history-older = Older
history-newest = Newest
history-back = Back to the customer
service-call = Call
service-message = Message
service-visit = Visit
service-consultation = Consultation
service-plan_contact = Planned contact
dim-experience = Experience
dim-engagement = Engagement
dim-track_record = Track record
dim-concentration = Holdings
dim-position_pnl = Holdings P&L
dim-trading_style = Trading style
dim-age_band = Age band
dim-gender = Gender
dim-lifecycle = Lifecycle
dim-service_tier = Service tier
label-experience-newcomer = Newcomer
label-experience-experienced = Experienced
label-experience-veteran = Veteran
label-engagement-high = High
label-engagement-medium = Medium
label-engagement-low = Low
label-track_record-successful = Successful
label-track_record-unsuccessful = Unsuccessful
label-track_record-too_little_history = Too little history
label-concentration-concentrated = Concentrated
label-concentration-balanced = Balanced
label-concentration-dispersed = Dispersed
label-concentration-no_positions = No positions
label-position_pnl-profitable = Profitable
label-position_pnl-losing = Losing
label-position_pnl-no_positions = No positions
label-trading_style-active_trader = Active trader
label-trading_style-long_term_holder = Long-term holder
label-trading_style-unsure = Rarely trades: unsure
label-gender-female = Female
label-gender-male = Male
label-lifecycle-new = New
label-lifecycle-active = Active
label-lifecycle-returning = Returning
label-lifecycle-dormant = Dormant
label-service_tier-core = Core
label-service_tier-dormant = Dormant
label-service_tier-maintaining = Maintaining
label-service_tier-precipitating = Precipitating
feature-years_in_market = Years in the market
feature-logins_30d = Logins, 30 days
feature-trades_30d = Trades, 30 days
feature-trades_90d = Trades, 90 days
feature-round_trips = Closed round trips
feature-win_rate_bp = Win rate (bp)
feature-realized_pnl = Realized P&L (0.0001 CNY)
feature-positions = Positions
feature-hhi_bp = Concentration index (bp)
feature-unrealized_pnl = Unrealized P&L (0.0001 CNY)
feature-cash_share_bp = Cash share (bp)
feature-age = Age
feature-gender = Gender
feature-days_since_opened = Days since opening
feature-days_since_last_trade = Days since last trade
feature-days_since_last_login = Days since last login
feature-days_since_return = Days since returning
feature-lifecycle = Lifecycle
feature-engagement = Engagement
feature-assets = Assets (0.0001 CNY)
guidance-track_record-successful = Successful trader: send risk reminders at key points (sharp falls, stage tops) to help protect gains; respect their own judgement.
guidance-track_record-unsuccessful = Unsuccessful so far: make careful, conservative suggestions; review losing trades together; suggest smaller positions and stop-loss levels.
guidance-trading_style-long_term_holder = Long-term holder: offer long-term picks and remind them at stage tops; a quarterly review is enough.
guidance-trading_style-active_trader = Watches the market closely: shorter-cycle ideas and timely intraday risk alerts suit them.
guidance-trading_style-unsure = Rarely trades because unsure: explain the market plainly, one clear idea at a time, with an entry, an exit and the risk.
guidance-engagement-low = Busy or seldom here: long-term picks and a short weekly summary; do not flood them with messages.
guidance-experience-newcomer = Newcomer: investor education first (risk, T+1, price limits, suitability) before product ideas.
guidance-concentration-concentrated = Holdings are concentrated: point out the risk of one position and discuss spreading it.
guidance-position_pnl-losing = Holdings are losing: a caring call; review the losing positions and avoid averaging down blindly.
guidance-lifecycle-new = New customer: a welcome call, an app tour and a check of their risk profile.
guidance-lifecycle-returning = Back after a long pause: ask what brought them back; review their holdings with them.
guidance-lifecycle-dormant = Dormant: wake them with a relevant market view or an event invitation.
guidance-service_tier-core = Core customer: part of the advisor's 60% of contact time; proactive, personal service.
guidance-service_tier-precipitating = Precipitating: served mainly by the platform's content and reminders; 10% of contact time.
plan-hours = Contact hours a week:
plan-hours-save = Save (for plans made from now on)
plan-hours-saved = Saved: { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    } a week.
nav-groups = Groups
nav-questions = Questions
nav-content = Content
groups-title = Groups
groups-none = No groups yet.
groups-open = Your advisor's other groups
groups-apply = Apply to join
groups-apply-note = A note to the advisor (optional)
groups-applied = Applied: the advisor will decide.
groups-new = New group
groups-create = Create the group
col-group = Group
col-members = Members
col-description = Description
col-capacity = Capacity
chat-title = Chat
chat-system = Notice
chat-pinned = Pinned notices
chat-earlier = Earlier messages
chat-placeholder = Write a message; @name mentions someone; click a message to reply to it
chat-ask = Ask as a question
chat-send = Send
admission-title = Admission
admission-none = No applications waiting.
admission-reason = Reason (required to reject)
admission-approve = Approve
admission-reject = Reject
col-note = Note
col-applied = Applied
invite-title = Invite link
invite-days = Valid for days:
invite-make = Make a link
invite-link = Link:
invite-expires = expires
join-title = Join
join-button = Join the group
moderation-title = Moderation
moderation-log = Moderation log
moderation-none = Nothing moderated yet.
moderation-note = Why (the member sees it)
moderation-overturned = overturned
reports-title = Reports to review
reports-none = No open reports.
report-dismiss = Dismiss
report-resolve = Resolve
col-when = When
col-member = Member
col-rule = Rule
col-sanction = Sanction
col-appeal = Appeal
col-review = Review
appeal-why = Why was this wrong?
appeal-send = Appeal
appeal-sent = appealed
review-uphold = Uphold
review-overturn = Overturn
sanction-warn = Warning
sanction-mute_hour = Muted 1 hour
sanction-mute_day = Muted 24 hours
sanction-remove = Removed
violation-guaranteed_returns = Promised returns
violation-insider_tip = Insider-tip claim
violation-off_platform_contact = Off-platform contact
violation-external_link = External link
violation-stock_pushing = Stock pushing
violation-flood = Flooding
violation-stocks_outside_trading_hours = Stocks outside trading hours
violation-manual = By an admin
violation-report = After a report
questions-title = Questions
questions-none = No questions waiting past their time.
col-asked = Asked
col-question = Question
col-service-minutes = Service minutes
col-escalation = Where
escalation-open = Open
escalation-advisor_queue = Advisor's queue
escalation-branch_manager = Branch manager
response-times-title = Response times (service minutes, last 30 days)
response-times-none = No answered questions yet.
col-by = By
col-answered = Answered
content-title = Content
content-new = New item
content-kind-pre_market = Pre-market preview
content-kind-post_market = Post-market review
content-kind-article = Article
content-status-draft = Draft
content-status-submitted = Waiting for compliance
content-status-approved = Approved
content-status-rejected = Rejected
content-title-field = Title
content-body-field = Text
content-save-draft = Save as draft
content-submit = Submit for review
content-schedule = Publish to the ticked groups (now, or at the time given)
content-revise = Write a new version
content-reads = Read by
content-review-note = Compliance
content-review-title = Content waiting for review
content-review-none = Nothing waiting for review.
content-review-comment = Comment (required to reject)
content-approve = Approve
content-reject = Reject
customer-groups = Group activity
col-message = Message
groups-my-applications = My applications
application-pending = waiting for the advisor
application-approved = approved
application-rejected = rejected
rules-title = Group rules
rules-stock-codes = { $n ->
        [one] Any stock code
       *[other] { $n } or more stock codes
    } in one message count as pushing
rules-flood = At most { $n ->
        [one] one message
       *[other] { $n } messages
    } in { $s ->
        [one] one second
       *[other] { $s } seconds
    }
rules-ladder = Breaking a rule: a warning, then muted 1 hour, muted 24 hours, removed. Every action is in the moderation log, and you may appeal.
seeds-title = Seed users (last 30 days)
seeds-none = No seed users yet.
seed-enthusiastic = Enthusiastic
seed-expert = Expert
follow-up-note = Why follow up
follow-up-add = Add to my follow-ups
follow-up-added = On your follow-up list.
follow-ups-title = My follow-up list
chat-back-to-live = Back to the live chat
groups-trading-hours-only = Stocks may be discussed only during trading hours

## Errors: every refusal's message, by its code (error-<code>).
## The domain's rules for values.
error-must_be_positive = must be above zero
error-negative = must not be negative
error-high_below_open_close = the high is below the open or the close
error-low_above_open_close = the low is above the open or the close
error-outside_day_range = the last price is outside the day's low and high
error-bid_above_ask = the best bid is above the best ask
error-licence_required = an advisor must have a licence number
error-risk_level = '{ $value }' is not a risk level from C1 to C5
error-birth_date_mismatch = the birth date does not match the national ID
error-entry_before_birth = the first day in the market is before the birth date
error-instrument_code = '{ $value }' is not an instrument code of the form 600519.SH (SH, SZ or BJ)
error-sellable_range = the sellable quantity must be from 0 to the quantity held
error-too_large = { $value } is too large
error-date_form = '{ $value }' is not a date of the form YYYY-MM-DD
error-time_form = '{ $value }' is not a time (RFC 3339, or YYYY-MM-DD HH:MM:SS in Beijing time)
error-number_form = '{ $value }' is not a number with at most 4 decimal places
error-not_one_of = '{ $value }' is not one of { $options }
error-empty = must not be empty
error-too_long = must be at most { $max } characters
error-control_characters = must not contain control characters
error-national_id_form = a national ID is 17 digits and a check character
error-national_id_birth_date = the national ID holds no valid birth date
error-national_id_check = the national ID's check character does not match
error-phone_form = must be an 11-digit mobile number starting 13 to 19
error-length = give { $min } to { $max } characters
error-reason_required = say why, so the person it concerns can read it
error-not_a_number = '{ $value }' is not a whole number
error-out_of_range = { $value } is not between { $min } and { $max }
error-not_found = not found
error-internal = internal error
## Communities: entering a group.
error-not_a_customer = only customers of this brokerage may join its groups
error-real_name_required = complete real-name verification before joining a group
error-banned_by_advisor = the advisor has removed you from their groups
error-group_full = the group is full; ask the advisor for another group
error-invite_expired = this invite link has expired; ask the advisor for a new one
error-already_member = you are already in this group
## The store.
error-keyring_missing = personal data cannot be revealed or searched: this server was started without its keyring
error-lookup_limit = At most { $limit } searches by phone number or national ID a minute; try again in { $seconds } s
error-conflicts_with_stored = the change conflicts with a stored row ({ $constraint })
## The use cases.
error-group_not_found = no such group
error-invite_not_found = no such invite link
error-application_not_found = no such application
error-action_not_found = no such moderation action
error-message_not_found = no such message
error-report_not_found = no such report
error-question_not_found = no such question
error-content_not_found = no such content
error-member_not_found = no such member of the group
error-customer_not_found = no such customer
error-advisor_not_found = no such advisor
error-task_not_found = no such open task
error-contact_not_found = no such contact in the plan
error-labels_not_found = this customer has not been classified yet
error-token_not_found = no live token has this id
error-unknown_customer = no customer has this id
error-group_admins_only = only the group's admins { $action ->
        [invite] invite
        [decide] decide applications
        [ban] ban
        [moderate] moderate
        [review] review moderation
        [resolve] review reports
        [pin] pin notices
        [accept] accept answers
        [follow_up] keep follow-ups from the group
        [admission] read the admission queue
        [reports] read the report queue
       *[other] do this
    }
error-staff_only = { $what ->
        [question_queue] the question queue is
        [response_times] response times are
        [seed_users] seed users are
        [work_queue] the work queue is
        [plan] the service plan is
        [labels] labels are
        [members] the member list is
        [service] the service history is
       *[other] this is
    } for staff only
error-customers_only = only a customer has an inbox
error-admin_only = only an admin { $what ->
        [tokens] manages API tokens
       *[other] does this
    }
error-advisors_own_groups = only advisors own groups
error-advisor_names_co_admins = only the group's advisor names co-admins
error-members_write = only the group's members and admins write in it
error-sanctioned_appeals = only the member sanctioned may appeal
error-members_report = members report messages; admins moderate them
error-advisors_write_content = only advisors write content
error-content_roles = content is written by advisors and reviewed by compliance
error-compliance_reviews = only compliance reviews content
error-own_groups_only = publish only to groups you run
error-may_not_reveal = this role may not reveal personal data
error-own_follow_ups = the follow-up list is an advisor's own
error-member_muted = you are muted in this group until { $until } (Beijing time)
error-message_blocked = your message was not sent: it breaks the group's rule on { $violation ->
        [guaranteed_returns] promised returns
        [insider_tip] insider tips
        [off_platform_contact] contact details
        [external_link] links
        [stock_pushing] pushing stocks
        [flood] flooding
        [stocks_outside_trading_hours] stocks outside trading hours
       *[other] { $violation }
    } ("{ $excerpt }"); { $sanction ->
        [warn] this is a warning
        [mute_hour] you are muted for 1 hour
        [mute_day] you are muted for 24 hours
        [remove] you have been removed from the group
       *[other] { $sanction }
    }. You may appeal.
error-slow_down = too many messages: slow down
error-co_admin_limit = a group has at most { $max } co-admins
error-application_decided = the application was already decided
error-action_appealed = this action was already appealed or reviewed
error-action_reviewed = this action was already reviewed
error-report_resolved = the report was already resolved
error-question_answered = the question was already answered
error-only_drafts_submitted = only a draft is submitted; write a new version first
error-draft_changed = the draft changed meanwhile; submit again
error-not_submitted = that version is not waiting for review
error-not_approved = nothing reaches a group before compliance approves it
error-no_licence = the group's advisor has no licence number on record
error-task_done = the task was done already
error-banned_phrases = remove the banned phrases before submitting: { $phrases }
error-groups_required = name at least one group
error-group_rules = not valid group rules: { $detail }
error-flood_rules = flood_messages and flood_seconds must be positive
error-co_admin_not_staff = name another member of staff
error-reply_elsewhere = reply to a message of this group
error-sanction_needs_member = only a member's message can bring a sanction
error-answer_not_reply = accept a reply to this question
error-handover_to_self = hand the book to another advisor
error-user_links = a customer user needs a customer id, a staff user a staff id (and not both)
error-wrong_password = wrong login or password
error-sign_in_locked = too many failed sign-ins: try again in 15 minutes
error-login_taken = the login { $login } is taken
error-too_many_events = { $count } events in one call; send at most { $max }
calendar-runs-out = The trading calendar ends on { $date }: add the exchanges' holidays for the next year (serve --holidays), or days after it count every weekday as a trading day.
error-watch_loading = the position watch is still loading; send again in { $seconds } seconds
error-unknown_book_file = no such book file
## Indicators.
error-unknown_indicator = unknown indicator '{ $name }': one of SMA, EMA, MACD, RSI, KDJ, BOLL, ATR, OBV, LB, VR
error-indicator_parameter = { $indicator } parameter { $position } ({ $parameter }): { $detail }
error-too_many_parameters = { $indicator } takes at most { $max } parameters ({ $names }), got { $count }
## HTTP.
error-sign_in_required = sign in first
error-csrf_token = missing or wrong CSRF token
error-feed_token = send a live API token as Authorization: Bearer bdt_...
error-body_unreadable = the body could not be read: { $detail }
error-query_unreadable = the query string could not be read: { $detail }
error-json_required = send JSON, with Content-Type: application/json
error-body_too_large = the body is too large
error-after_or_before = give after or before, not both
error-token_scope = this token may not { $scope ->
        [import] import: it needs the import scope
       *[events] send events: it needs the events scope
    }
error-cross_site_socket = a chat socket opens only from this site's pages
error-instrument_not_found = no such instrument
error-managers_set_hours = only a manager sets an advisor's contact hours
error-no_such_route = no such page or API route
kind-stock = Stock
kind-bond = Bond
kind-convertible = Convertible bond
kind-etf = ETF
horizon-short = Short (under 1 year)
horizon-medium = Medium (1 to 3 years)
horizon-long = Long (over 3 years)
## Products and suitability.
nav-products = Products
suitability-professional = a professional investor may buy any product
suitability-matched = { $class } matches products up to { $highest }; this one is { $risk }
suitability-risk_above = the product is { $risk }, above { $highest }, the highest a { $class } investor matches
suitability-lowest_above_r1 = the most conservative investors (C1-lowest) may never buy above R1, and this product is { $risk }
suitability-horizon_shorter = the product is meant to be held { $product ->
        [short] under a year
        [medium] one to three years
       *[long] over three years
    }, longer than the investor means to invest ({ $investor ->
        [short] under a year
        [medium] one to three years
       *[long] over three years
    })
suitability-variety_not_chosen = the investor did not choose { $variety ->
        [stocks] stocks
        [funds] funds
        [bonds] bonds
       *[derivatives] derivatives
    } among the varieties they invest in
suitability-elderly_above_r3 = an investor aged { $age } buying above R3 ({ $risk }) gets enhanced care: an extra confirmation and a return visit from the advisor
recommend-newcomer = New to the market: the short, low-cost beginner product first
recommend-proven = Experienced, high net worth and a good record: the long, professional product
recommend-fits = Suits the customer's risk class, horizon and chosen varieties
error-product_not_found = no such product
error-purchase_roles = only the customer, or their advisor or manager on their behalf, buys a product (not { $who })
error-questionnaire_roles = only the customer, or their advisor or manager on their behalf, answers the risk questionnaire (not { $who })
error-product_closed = the product is closed to purchases
error-questionnaire_required = the risk questionnaire must be taken { $until ->
        [none] first
       *[other] again: the last result held until { $until }
    }
error-confirmation_required = outside the investor's match: { $reasons_en }. Read the warning and confirm to buy
error-unsuitable = refused: { $reasons_en }
error-unsuitable_for_members = { $product } is unsuitable for { $count } of the { $members } members; send again to confirm
error-risky_product_in_chat = { $product } is rated { $risk }: name it only in content compliance has approved
error-below_minimum = the least amount is { $minimum } CNY
error-notice_not_found = no such notice
error-portfolio_not_found = no such model portfolio
error-portfolio_risk = these weights need a rating of {$needs}, above the portfolio's {$risk}, against which its followers were judged
error-idea_not_found = no such idea
error-source_not_found = no such research source
error-send_not_found = no such send
error-saved_filter_not_found = no such saved filter of yours
error-no_recipients = nobody in the segment may receive it: {$matched} matched, {$withheld} withheld as unsuitable
error-idea_prices = for a {$direction} idea the stop lies beyond the entry range on the losing side and the target on the winning side (long: stop < entry low <= entry high < target; short: the reverse)
error-one_segment = name exactly one segment: {$options}
error-question_unanswered = answer question '{ $question }'
error-question_unknown = the questionnaire asks no question '{ $question }'
error-option_unknown = question '{ $question }' has no option '{ $option }'
error-one_option_only = question '{ $question }' takes one answer
products-title = Products
products-none = No products yet.
product-code = Code
product-name = Name
product-kind = Kind
product-risk = Risk
product-horizon = Horizon
product-variety = Variety
product-term = Term (days)
product-minimum = Minimum (CNY)
product-price = Price (CNY)
product-state = State
product-ladder = Ladder
product-kind-advisory = Advisory subscription
product-kind-fund = Fund
product-kind-wealth = Wealth product
product-state-on_sale = On sale
product-state-closed = Closed
ladder-beginner = Beginner
ladder-professional = Professional
variety-stocks = Stocks
variety-funds = Funds
variety-bonds = Bonds
variety-derivatives = Derivatives
product-buy = Buy
product-buy-for = Buying for customer
product-amount = Amount (CNY)
product-confirm = I have read the risk warning above and confirm that I buy this product
product-confirm-button = Confirm the purchase
product-bought = Purchase { $id } recorded.
product-return-visit = A return visit is set for the advisor (task { $task }).
product-warning = Risk warning
product-refused = Refused
product-verdict = Suitability
verdict-allowed = Suitable
verdict-needs_confirmation = Above the match: a warning and confirmation
verdict-refused = Refused
suitability-title = Suitability
suitability-class = Risk class
suitability-score = Score { $score } (questionnaire { $version }), valid until { $until }
suitability-expired = The risk questionnaire has expired (it held until { $until }): it is asked again before any purchase.
suitability-none = No risk questionnaire yet: it is asked before any purchase.
suitability-take = Take the risk questionnaire
suitability-professional-yes = Professional investor
suitability-professional-until = Professional investor until { $until }
suitability-recommendations = Recommended products
suitability-no-recommendations = No recommendations until the customer can be judged (a current questionnaire).
suitability-trail = Suitability trail
suitability-purchases = Purchases
suitability-step = Step
suitability-reasons = Reasons
suitability-step-refused = Refused
suitability-step-warned = Warned
suitability-step-confirmed = Confirmed
suitability-step-allowed = Allowed
questionnaire-title = Risk questionnaire
questionnaire-submit = Submit answers
questionnaire-result = Score { $score }: class { $class }, horizon { $horizon }
funnel-title = Product funnel
funnel-by = By
funnel-by-all = All readers
funnel-by-advisor = Advisor
funnel-by-group = Group
funnel-read = Read content naming it
funnel-viewed = Viewed the product
funnel-purchased = Purchased
funnel-none = No content names a product yet.
permissions-title = Trading permissions
permissions-none = Not checked yet.
permissions-check = Check from the book
permission-granted = Granted
permission-not-granted = Not met
permission-evidence = average daily assets { $average } CNY over 20 trading days (needs { $needed }); { $months } months of experience (needs 24)
plan-recommend = Recommend
exceptions-title = Suitability exceptions
exceptions-none = No refusal, warning or confirmation yet.
professional-test = Professional investor test
professional-assets-elsewhere = Financial assets held elsewhere (CNY)
professional-income = Average yearly income, last three years (CNY)
professional-work-months = Months of relevant work
professional-documents = Documents that show them
professional-record = Test and record
professional-qualified = Qualified as a professional investor
professional-not-qualified = Not qualified
professional-wealth = wealth test:
professional-experience = experience test:

## Ideas, track records and outreach (issue 25)
nav-ideas = Ideas
nav-inbox = Inbox
ideas-title = Ideas
ideas-explain = Each idea is tracked from the moment compliance approved it: entered at the first close on or after publication (the next close when published after 15:00), then closed at its target or stop (the stop when a day reaches both) or at the end of its horizon. The benchmark is the equal-weighted average of every stock with bars over the same days.
ideas-none = No ideas yet.
idea-instrument = Instrument
idea-direction = Direction
idea-direction-long = Long
idea-direction-short = Short / reduce
idea-source = Source
idea-own = The advisor's own
idea-horizon = Horizon
idea-horizon-days = Horizon (trading days)
idea-band-short = Short (up to 20 days)
idea-band-medium = Medium (21–60 days)
idea-band-long = Long (over 60 days)
idea-published = Published
idea-entry = Entry
idea-entry-low = Entry from
idea-entry-high = Entry to
idea-entry-range = Entry range
idea-target = Target
idea-stop = Stop
idea-risk = Risk rating
idea-rationale = Rationale
idea-return = Return
idea-drawdown = Max drawdown
idea-benchmark = Benchmark
idea-excess = Against benchmark
idea-outcome = State
idea-under-review = under compliance review
idea-no-bars = no bars since publication
idea-open = open
idea-target-hit = target hit { $day }
idea-stop-hit = stopped out { $day }
idea-expired = horizon ended { $day }
idea-propose = Propose an idea
idea-submit = Send to compliance
idea-proposed = Idea #{ $id } is with compliance; it is published, and tracked, when approved.
idea-open-link = Open it
idea-again = Re-recommend (same terms, linked to the first)
idea-again-of = Re-recommends
licence-no = Licence No.
ranking-title = Research source ranking
ranking-explain = Sources ranked by their published ideas: first by average return against the benchmark, then hit rate (targets among closed ideas), then smaller drawdowns.
ranking-overall = All horizons
ranking-kind = Kind
ranking-advisor = advisor
ranking-research = research source
ranking-ideas = Ideas
ranking-closed = Closed
ranking-hit-rate = Hit rate
ranking-return = Average return
ranking-drawdown = Average drawdown
ranking-excess = Average against benchmark
send-title = Send to a segment
send-explain = Every customer the segment names is judged for suitability first: those for whom it is above their match are not sent it, and are counted. Sends made in quiet hours wait for them to end.
send-segment = Segment
send-by-label = by label (dimension:label)
send-by-tier = by service tier
send-by-group = members of a group (id)
send-by-filter = a customer-list filter (query string)
send-by-customers = customers by id
send-saved = saved filter:
send-value = Value
send-preview = Count first
send-send = Send
send-previewed = { $matched } matched: { $recipients } would receive it, { $withheld } withheld as unsuitable{ $held ->
        [0] {""}
       *[other] ; { $held } would wait for quiet hours to end
    }.
send-done = Sent to { $recipients } of { $matched } ({ $withheld } withheld as unsuitable{ $held ->
        [0] {""}
       *[other] ; { $held } wait for quiet hours to end
    }).
send-kind-idea = Idea
send-kind-content = Article
send-kind-product = Product
sends-title = Sends
sends-explain = What each send reached and led to: reads, and follow-through (a trade in the idea's instrument or a purchase of the product) within five trading days.
sends-none = Nothing sent yet.
send-when = Sent
send-sender = By
send-item = What
send-matched = Matched
send-withheld = Withheld
send-recipients = Recipients
send-delivered = Delivered
send-reads = Read
send-followed = Followed through
send-until = to { $day }
inbox-title = Inbox
inbox-none = Nothing here yet.
rule-take_profit = Take profit
rule-notice = Notice

## Model portfolios and advisor profiles (issue 25)
nav-portfolios = Model portfolios
portfolios-title = Model portfolios
portfolios-explain = Paper portfolios advisors run. Each is published, and each rebalance takes effect, only once compliance approves it; followers are told of every rebalance. Following one is a subscription, judged for suitability like a purchase.
portfolios-none = No model portfolios yet.
portfolio-name = Name
portfolio-description = Description
portfolio-weights = Weights, one per line: code and percent (e.g. 600519.SH 20); the rest is cash
portfolio-weights-now = Weights now
portfolio-followers = Followers
portfolio-followed-by = { $count ->
        [one] one follower
       *[other] { $count } followers
    }
portfolio-start = Start a model portfolio
portfolio-submitted = Sent to compliance; it takes effect when approved.
portfolio-performance = Performance
portfolio-since = Since
portfolio-followers-see = Followers see how it has done against the benchmark.
portfolio-rebalances = Rebalances
portfolio-follow = Follow
portfolio-following = You follow this portfolio: you will be told of each rebalance.
portfolio-rebalance = Rebalance
portfolio-note = Why
advisor-experience = Experience
advisor-years = { $years } years
advisor-no-introduction = No introduction yet.
advisor-introduction = Introduction
advisor-introduction-pending = A new introduction is with compliance; it is shown once approved.
advisor-record = Track record of their own ideas
advisor-write-introduction = Your introduction
instrument-notices = Notices
instrument-no-notices = No notices.
notice-kind-news = News
notice-kind-forced_redemption = Forced redemption
notice-kind-rights_payment = Rights issue payment
notice-kind-allotment_payment = Allotment payment due
notice-kind-st_designation = ST designation
notice-kind-delisting_consolidation = Delisting period
notice-deadline = last day { $day }
send-kind-notice = Notice
send-kind-rebalance = Rebalance
send-count = count it
portfolio-backs = It backs the advisory product

# Pre-trade checks (issue 26): check-<rule code>.
check-quantity_not_positive = the quantity must be positive
check-lot_below_minimum = { $quantity } is below the least order of { $minimum }
check-lot_off_step = { $quantity } is not { $minimum } plus whole steps of { $step }
check-lot_above_maximum = one order may be for at most { $maximum }
check-odd_lot_split = the odd { $odd } below a lot must be sold in one order: sell { $whole }, or whole lots of { $step }
check-sellable_today = sells { $quantity } but only { $sellable } of the { $held } held may be sold today ({ $bought_today } bought today are sellable from the next trading day, T+1)
check-price_off_tick = { $price } is not on the tick of { $tick }
check-above_limit_up = { $price } is above today's limit-up { $limit }
check-below_limit_down = { $price } is below today's limit-down { $limit }
check-no_band_today = no price limit today (trading day { $day } of the listing): any price trades
check-far_from_reference = { $price } is { $off } away from the { $against } { $reference } (more than { $threshold }): is the price right?
check-outside_price_cage = { $price } is past the price cage ({ $edge } from the reference { $reference }): the exchange holds it unmatched until the market comes to it
check-market_without_protection = a market order needs a protection price
check-market_outside_continuous = market orders are taken only in continuous trading (now: { $phase })
check-lunch_break = lunch break: the order waits until 13:00
check-market_closed = the market is closed: the order waits for the next session
check-call_auction = call auction ({ $phase }): matched at one price when it ends; from 09:20 to 09:25 it cannot be cancelled
check-after_hours = after-hours fixed-price trading: matched at today's close
check-cash_short = { $amount } and fees of { $fee } exceed the cash of { $cash }
check-five_percent_holder = the holding would be { $after } of { $outstanding } shares outstanding, 5% or more: a disclosure duty applies
check-concentration_limit = this position would be { $weight } of the account, over the limit of { $limit }
check-board_permission = trading on { $board } needs a permission the customer has not been granted
check-above_risk_tolerance = the instrument's risk { $instrument } is above the customer's tolerance { $customer }
check-risk_warning_stock = a risk-warning (ST) stock: it may be delisted
check-st_disclosure_unsigned = a first buy of a risk-warning stock needs the signed risk disclosure
check-st_daily_cap = at most { $cap } shares of one risk-warning stock a day ({ $bought } bought today)
check-delisting_period = in the delisting-consolidation period: trading ends soon

# Orders (issue 26).
error-account_not_found = no such account, or none you serve
error-order_not_found = no such order
error-conditional_not_found = no such conditional order
error-order_roles = only the customer, or their advisor or manager on their behalf, sends orders (not { $who })
error-order_state = the order is { $status }: not possible now
error-order_field = this field does not read: { $reason }
error-condition_invalid = the condition does not hold together: { $reason }
error-valid_until = a conditional order is valid from today to { $latest } at most
error-points_not_positive = a transfer moves more than zero points
error-points_same_account = the points leave and reach the same account
error-points_bad_id = an id has 1 to 200 characters
error-points_id_reused = { $id } was used by another transfer: a repeat must be the same in every field
error-points_insufficient = account { $account } has { $available } points available, not { $amount }
error-points_not_pending = transfer { $id } is not pending: it was decided, or never held
error-points_no_such_transfer = there is no transfer { $id } to correct
error-envelope_not_found = there is no such red envelope
error-envelope_empty = every share of this red envelope has been opened
error-envelope_expired = this red envelope's day is over; what was left went back to the sender
error-envelope_members_only = only the group's members open red envelopes
error-envelope_budget = this month you have { $left } points left for red envelopes, not { $points }
error-envelope_shares = a red envelope has 1 to { $max_shares } shares
error-envelope_points = a red envelope carries at least a point a share and at most { $max_points }

# Order pages (issue 26).
nav-orders = Orders
orders-account = Account
orders-advisor = Advisor
orders-buy = Buy
orders-sell = Sell
orders-cancel = Cancel
orders-ceiling = Grid ceiling
orders-check = Check
orders-conditional-new = New conditional order
orders-conditional-placed = Conditional order placed
orders-conditionals = Conditional orders
orders-confirm = I have read this: send the order
orders-fall-percent = Fall first (%)
orders-fee = fees
orders-filled = Filled
orders-floor = Grid floor
orders-instrument = Instrument
orders-kind = Kind
orders-limit = Limit
orders-market = Market (protection price)
orders-no-findings = Every check passed.
orders-none = No orders yet.
orders-per-advisor = Per advisor
orders-percent = Percent (rebound, trail or grid step)
orders-place = Place
orders-placed = Placed
orders-prevented = Errors prevented
orders-prevented-explain = Tickets a pre-trade check blocked, or made the person confirm, counted per rule: the mistakes caught before they reached the market.
orders-price = Price
orders-quantity = Quantity
orders-rule = Rule
orders-send = Send
orders-severity = Severity
orders-side = Side
orders-status = Status
orders-ticket = Order ticket
orders-ticket-explain = Every ticket goes through the pre-trade checks: lots, tick, today's band, the price cage, T+1, cash with fees, the 5% line, concentration, the session, ST rules and permissions. Orders execute on the paper exchange against live quotes.
orders-tickets = Tickets
orders-title = Orders
orders-trigger-price = Trigger price
orders-type = Type
orders-valid-until = Valid until
orders-status-checked = Checked (not sent)
orders-status-blocked = Blocked
orders-status-unconfirmed = Waiting for confirmation
orders-status-abandoned = Abandoned
orders-status-working = Working
orders-status-filled = Filled
orders-status-cancelled = Cancelled
orders-status-expired = Expired
orders-severity-block = Blocked
orders-severity-confirm = Confirm
orders-severity-warn = Warning
orders-kind-price_trigger = Price trigger
orders-kind-rebound_buy = Rebound buy
orders-kind-take_profit = Take profit
orders-kind-stop_loss = Stop loss
orders-kind-trailing_stop = Trailing stop
orders-kind-grid = Grid
orders-conditional-active = Waiting
orders-conditional-fired = Fired
orders-conditional-expired = Expired
orders-conditional-cancelled = Cancelled

nav-points = Points
points-title = Points
points-statement = statement
points-balance = Balance
points-available = Available to spend
points-pending-in = Promised, not yet posted
points-pending-out = Held for a reward
points-csv = Download the statement (CSV)
points-lots = Lots
points-lots-explain = Points are used and expire oldest first, 24 months after they were earned.
points-earned = Earned
points-remaining = Left
points-expires = Expires
points-source = Earned by
points-transfers = Transfers
points-at = When
points-points = Points
points-reason = Why
points-state = State
points-id = Transfer
points-earlier = Earlier transfers
points-state-posted = posted
points-state-pending = pending
points-state-voided = voided
points-reason-daily_login = first sign-in of the day
points-reason-content_read = read published content
points-reason-question_answered = a question answered
points-reason-questionnaire = risk questionnaire completed
points-reason-tenure = years with us
points-reason-trade = trading
points-reason-referral = a friend referred
points-reason-reward = reward redeemed
points-reason-redeem = reward redeemed
points-reason-expiry = expired
points-reason-correction = correction
points-reason-envelope_send = red envelope sent
points-reason-envelope_open = red envelope opened
points-reason-envelope_return = red envelope returned
envelope-title = Red envelope:
envelope-points = points
envelope-shares = shares
envelope-split-random = random
envelope-split-equal = equal
envelope-send = Send
envelope-open = Open
envelope-got = You got #points# points
envelope-opened = #opened# of #shares# opened
envelope-returned = Over: #returned# points went back
