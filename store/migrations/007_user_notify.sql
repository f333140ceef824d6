-- +goose Up
-- API replicas cache the users they authenticated for a few seconds: any
-- change to a user (token, password, clearance, name, disabled, a new or
-- removed user) or to a designation tells every replica to forget them.
-- The payload is the table's name; the enforcer reloads on users (disabled
-- users hold no role links) but not on designations, which it does not read.
DROP TRIGGER users_notify ON users;
CREATE TRIGGER users_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy();
CREATE TRIGGER designations_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON designations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy();
