-- +goose Up
-- Orders of a customer file (订单). A draft is edited freely by whoever
-- may edit the file; once signed (订单签定), its lines and payment terms
-- change only through an order-change process signed by the department's
-- head or a team lead (订单签定后…如需修改要有经理或组长签字同意), which
-- records the old and new values in the file's history. A blacklisted
-- customer gets no new signed order.
CREATE TABLE customer_orders (
    id            text PRIMARY KEY,
    customer_id   text NOT NULL REFERENCES customers,
    lines         jsonb NOT NULL,
    total         numeric(14, 2) NOT NULL,
    payment_terms text NOT NULL,
    state         text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'signed')),
    created_by    text NOT NULL REFERENCES users,
    created_at    timestamptz NOT NULL,
    signed_by     text REFERENCES users,
    signed_at     timestamptz,
    updated_at    timestamptz NOT NULL,
    CHECK ((state = 'signed') = (signed_at IS NOT NULL))
);
CREATE INDEX customer_orders_customer ON customer_orders (customer_id, created_at);
