-- Automatic promotions start once per release and environment, however many replicas see the
-- triggering event; a rollback remembers which deployment it undid.
ALTER TABLE promotion ADD COLUMN trigger text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'auto', 'rollback'));
CREATE UNIQUE INDEX promotion_auto_once ON promotion (release_id, target_environment_id) WHERE trigger = 'auto';
ALTER TABLE deployment_job ADD COLUMN rolled_back_by uuid REFERENCES deployment_job (id);
