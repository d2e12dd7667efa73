-- What a trigger left out and why (a variable the pipeline does not declare, a project that allows no pipeline
-- variables), shown on the run.
ALTER TABLE pipeline_run ADD COLUMN notes jsonb NOT NULL DEFAULT '[]'::jsonb;
