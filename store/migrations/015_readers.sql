-- +goose Up
-- The departments whose members may read a process (besides its
-- participants and the GM's office), when the process confines its
-- readers: a return slip is read in its own department and, once approved,
-- by the departments holding its copies (issue 13). NULL: not confined,
-- the level's rule as before.
ALTER TABLE processes ADD COLUMN readers text[];
