-- +goose Up
-- Purchasing's master data (issue 14): the suppliers a buyer may quote,
-- the conflicts of interest people declared with them (回避), and the
-- projects whose manager and first responsible person approve important
-- and project material. Every write is audited by the store (supplier.*,
-- project.create), in the transaction that makes it.
CREATE TABLE suppliers (
    id               text PRIMARY KEY,
    name             text NOT NULL CHECK (name <> ''),
    -- 合格供应商: may be quoted for important material
    qualified        boolean NOT NULL DEFAULT false,
    -- new: has not supplied yet (first supply passes Quality's sample test
    -- and trial batch); approved: passed them, or supplied before zhidu
    supply_state     text NOT NULL DEFAULT 'new' CHECK (supply_state IN ('new', 'approved')),
    -- the quality documents on file, by name
    documents        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(documents) = 'array'
        AND NOT jsonb_path_exists(documents, '$[*] ? (@.type() != "string")')),
    blacklisted      boolean NOT NULL DEFAULT false,
    -- why it is blacklisted: given exactly when it is
    blacklist_reason text NOT NULL DEFAULT '',
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CHECK (blacklisted = (blacklist_reason <> ''))
);
-- One supplier per name, whatever its letters' case.
CREATE UNIQUE INDEX suppliers_name ON suppliers (lower(name));

-- A declared conflict of interest (利害关系): username recuses from the
-- evaluation and approval steps of every request that quotes supplier. A
-- declaration is kept as first made.
CREATE TABLE supplier_conflicts (
    username    text NOT NULL REFERENCES users,
    supplier    text NOT NULL REFERENCES suppliers,
    reason      text NOT NULL CHECK (reason <> ''),
    declared_by text NOT NULL REFERENCES users,
    declared_at timestamptz NOT NULL,
    PRIMARY KEY (username, supplier)
);
CREATE INDEX supplier_conflicts_supplier ON supplier_conflicts (supplier, declared_at);

-- Projects: important and project material is bought for one; its manager
-- and its first responsible person (项目第一责任人, lead) approve such a
-- request where the approval matrix names them.
CREATE TABLE projects (
    id         text PRIMARY KEY,
    name       text NOT NULL CHECK (name <> ''),
    department text NOT NULL,
    manager    text NOT NULL REFERENCES users,
    lead       text NOT NULL REFERENCES users
);
