-- A CI trust policy may name the components its jobs may pin in a release. NULL: every
-- component (policies stored before this column keep working as they did). The ids are not
-- foreign keys: a deleted component's id stays in the list and matches nothing, since a release
-- can only pin a component that exists.
ALTER TABLE ci_trust_policy ADD COLUMN components uuid[];
