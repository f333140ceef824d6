-- +goose Up
-- Customer files (issue 16, 客户档案): the company's asset, owned by a
-- department. Read rule (authz/decide.go decideCustomer, store/access.go
-- readableCustomer): the GM line reads and edits every file; members of
-- the owning department read and edit it when cleared for its level; an
-- unrevoked, unexpired access grant (migration 024, target
-- 'department:D' or 'customer:ID') lets its grantee read it; nobody else
-- knows it exists.
CREATE TABLE customers (
    id            text PRIMARY KEY,
    name          text NOT NULL CHECK (name <> ''),
    -- vip, preferred (优选), qualified (合格)
    class         text NOT NULL CHECK (class IN ('vip', 'preferred', 'qualified')),
    -- normalised (digits, an optional leading +, without China's +86):
    -- one file per number
    phone         text NOT NULL CHECK (phone ~ '^\+?[0-9]{7,15}$'),
    -- 统一社会信用代码 or another company ID, upper case; one file per ID
    company_id    text CHECK (company_id <> ''),
    contact       text NOT NULL DEFAULT '',
    department    text NOT NULL,
    -- the responsible employee (负责人): changes with a handover
    responsible   text NOT NULL REFERENCES users,
    level         smallint NOT NULL DEFAULT 1 CHECK (level BETWEEN 0 AND 4),
    -- the first registration (以第一次签字时间为准): who registered it and
    -- when, and who keeps the credit for the customer (the first
    -- registrant; a decided crossing may give it to the second, or to the
    -- department: NULL, 归部门)
    registered_at timestamptz NOT NULL,
    registered_by text NOT NULL REFERENCES users,
    credit        text REFERENCES users,
    updated_at    timestamptz NOT NULL
);
-- The crossing rule stands on these two: a second registration of a
-- number or company ID on file inserts nothing (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX customers_phone ON customers (phone);
CREATE UNIQUE INDEX customers_company ON customers (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX customers_department ON customers (department, registered_at);
CREATE INDEX customers_responsible ON customers (responsible);

-- Every change of a file, field by field, append-only: the registration
-- (field 'registered'), edits, handovers (field 'responsible', via
-- 'handover'), blacklisting, crossing decisions (field 'credit', via
-- 'crossing'). before/after are the values as text.
CREATE TABLE customer_history (
    id          bigserial PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    field       text NOT NULL,
    before      text,
    after       text,
    -- edit, registered, handover, blacklist, crossing
    via         text NOT NULL DEFAULT 'edit',
    reason      text NOT NULL DEFAULT ''
);
CREATE INDEX customer_history_customer ON customer_history (customer_id, id);
-- +goose StatementBegin
CREATE FUNCTION customer_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'customer_history is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd
CREATE TRIGGER customer_history_append_only BEFORE UPDATE OR DELETE ON customer_history
    FOR EACH ROW EXECUTE FUNCTION customer_history_append_only();

-- A second registration of a customer on file (客户交叉/重卡): the first
-- registrant keeps the customer and the credit; the case is open until
-- contested (a task for the department head, whose decision is final)
-- or decided. Unresolved, the credit goes to the department.
CREATE TABLE crossing_cases (
    id            text PRIMARY KEY,
    customer_id   text NOT NULL REFERENCES customers,
    -- the second registrant, their department, when, and what matched
    registrant    text NOT NULL REFERENCES users,
    department    text NOT NULL,
    at            timestamptz NOT NULL,
    matched       text NOT NULL CHECK (matched IN ('phone', 'company_id')),
    name          text NOT NULL DEFAULT '', -- the name the second registrant gave
    -- who holds the credit: the first registrant while the case stands,
    -- then as decided (NULL: the department, 归部门)
    credit        text REFERENCES users,
    state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'contested', 'decided')),
    contested_by  text,
    contested_at  timestamptz,
    -- the decision: 'first' (the first registrant keeps it), 'second', or
    -- 'department' (归部门); decided_by the department head
    decision      text CHECK (decision IN ('first', 'second', 'department')),
    decided_by    text,
    decided_at    timestamptz,
    decision_note text NOT NULL DEFAULT '',
    process_id    text, -- the contested-crossing process, when there is one
    CHECK ((state = 'decided') = (decision IS NOT NULL))
);
CREATE INDEX crossing_cases_customer ON crossing_cases (customer_id, at);

-- Visits, calls and test drives (来人来电), for the monthly statistics.
-- department is the file's owner when the contact was recorded.
CREATE TABLE customer_contacts (
    id          bigserial PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers,
    kind        text NOT NULL CHECK (kind IN ('visit', 'call', 'test_drive')),
    -- deal: the contact closed a sale (成交); follow_up; no_deal
    outcome     text NOT NULL CHECK (outcome IN ('deal', 'follow_up', 'no_deal')),
    note        text NOT NULL DEFAULT '',
    by_user     text NOT NULL REFERENCES users,
    department  text NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX customer_contacts_month ON customer_contacts (at, department);

-- The company blacklist of customers (销售客户黑名单), decided by the
-- Marketing Division. A customer is on it while its latest decision is
-- 'added'; every decision each way is kept.
CREATE TABLE customer_blacklist (
    id          bigserial PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers,
    decision    text NOT NULL CHECK (decision IN ('added', 'removed')),
    reason      text NOT NULL CHECK (reason <> ''),
    by_user     text NOT NULL REFERENCES users,
    at          timestamptz NOT NULL
);
CREATE INDEX customer_blacklist_customer ON customer_blacklist (customer_id, id DESC);
-- The current entries: one row per blacklisted customer (the decision
-- that put it there).
CREATE VIEW customer_blacklist_current AS
SELECT b.* FROM customer_blacklist b
WHERE b.decision = 'added' AND b.id = (SELECT max(l.id) FROM customer_blacklist l WHERE l.customer_id = b.customer_id);
