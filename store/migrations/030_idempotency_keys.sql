-- +goose Up
-- The answers to mutating API calls sent with an Idempotency-Key, so that a
-- call retried after a lost response gets the first answer again instead
-- of a second effect (api/idempotency.go). A key is the caller's own: the
-- primary key is (username, SHA-256 of username and key), and the stored
-- body is sealed (AES-GCM) under a key derived from the Idempotency-Key
-- itself, so a row answers only to the user who presents that key; a
-- token in an answer (a created user's, a rotated one) is not readable
-- from this table alone. request_hash is the SHA-256 of the method, the
-- path and the canonical body, salted with the key. A row is pending
-- while its first call runs; only successful (2xx) answers are kept.
-- claim is the random ID of the API request that holds the row: it
-- repeats its own claim after a lost answer, and a request whose row was
-- taken over (expired, abandoned) finishes or releases nothing.
-- Rows older than the configured retention are taken over or purged.
CREATE TABLE idempotency_keys (
    username     text NOT NULL,
    key_hash     bytea NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    request_hash bytea NOT NULL,
    claim        bytea NOT NULL,
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    status       integer,
    content_type text NOT NULL DEFAULT '',
    location     text NOT NULL DEFAULT '',
    body         bytea,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (username, key_hash)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
